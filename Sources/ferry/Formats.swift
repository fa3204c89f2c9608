import ArgumentParser
import FerryCore
import FerryPipeline
import Foundation

struct Formats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every format with its read/write support (and, with --charsets, every charset)."
    )

    @Flag(help: "Print as JSON.")
    var json = false

    @Flag(help: "List the charsets (ICU converters and their aliases) instead.")
    var charsets = false

    func run() throws {
        if charsets {
            let list = Charset.availableConverters()
            if json {
                let objects = list.map { ["name": $0.name, "aliases": $0.aliases] as [String: Any] }
                let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
                writeStdout(String(decoding: data, as: UTF8.self) + "\n")
            } else {
                for entry in list { writeStdout("\(entry.name): \(entry.aliases.joined(separator: ", "))\n") }
            }
            return
        }
        let table = FormatCatalog.rows(registry: .migration)
        if json {
            let objects = table.map { row -> [String: Any] in
                ["name": row.name, "read": row.read, "write": row.write, "validate": row.validate,
                 "extensions": row.extensions, "items": row.kinds, "summary": row.summary]
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
            writeStdout(String(decoding: data, as: UTF8.self) + "\n")
            return
        }
        writeStdout(FormatCatalog.text(table))
    }
}
