import ArgumentParser
import FerryCore
import FerryPipeline
import Foundation

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tell what a file is: format, charset, line endings, items by type, folders."
    )

    @Argument(help: "The file to inspect (`-` for stdin).")
    var file: String

    @Option(help: "Format, when detection should be skipped.")
    var from: String?

    @Option(help: "Charset, when detection should be skipped.")
    var charset: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let log = makeLog(json: json)
        let report = try Inspector(registry: .standard, log: log).inspect(file, declaredFormat: from,
                                                                         declaredCharset: charset)
        writeStdout(json ? report.json + "\n" : report.text)
    }
}
