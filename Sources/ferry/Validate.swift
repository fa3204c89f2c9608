import ArgumentParser
import Dispatch
import FerryCore
import FerryPipeline
import Foundation

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate files against their specifications (directories recurse).",
        discussion: """
            Exit codes: 0 all files valid; 1 some file invalid; 2 usage or I/O error.
            Example (CI): ferry validate calendars/ --report junit > ferry-junit.xml
            """
    )

    @Argument(help: "Files or directories to check.")
    var paths: [String]

    @Option(help: "Report style: text, json, junit, sarif, github.")
    var report: String = "text"

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(help: "Format of every input (default: detected per file).")
    var from: String?

    func run() throws {
        guard let style = ReportStyle(rawValue: report) else {
            throw FerryError.usage("option.report", "--report must be one of "
                                   + ReportStyle.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let registry = FormatRegistry.standard
        let files = try expand(paths, registry: registry)
        guard !files.isEmpty else {
            throw FerryError.usage("validate.no-files", "no files to validate under \(paths.joined(separator: ", "))")
        }
        let results = try Validator(registry: registry).validate(files, declared: from)
        let rendered = ValidationReport.render(results, style: style, strict: strict)
        writeStdout(rendered)
        if results.contains(where: { $0.failed(strict: strict) }) { throw ExitCode(1) }
    }

    /// Files named directly, plus every file under named directories whose extension a validating
    /// format claims (sorted, so reports are stable).
    func expand(_ paths: [String], registry: FormatRegistry) throws -> [String] {
        var files: [String] = []
        let validatingExtensions = Set(registry.formats.filter { $0 is any Validating }.flatMap(\.extensions))
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw FerryError.io("io.missing", "no such file or directory", file: path)
            }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            guard let enumerator = FileManager.default.enumerator(atPath: path) else { continue }
            var found: [String] = []
            for case let relative as String in enumerator {
                let ext = (relative as NSString).pathExtension.lowercased()
                guard validatingExtensions.contains(ext) else { continue }
                let full = (path as NSString).appendingPathComponent(relative)
                var dir: ObjCBool = false
                if FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue { found.append(full) }
            }
            files += found.sorted()
        }
        return files
    }
}
