import ArgumentParser
import Dispatch
import FerryCore
import FerryPipeline
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate files against their specifications (directories recurse).",
        discussion: """
            Exit codes: 0 all files valid; 1 some file invalid; 2 usage or I/O error.
            Example (CI): ferry validate calendars/ --report junit > ferry-junit.xml
            """
    )

    @Argument(help: "Files, directories (recursed) or quoted glob patterns ('cals/**/*.ics') to check.")
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
                if let pattern = GlobPattern(path) {
                    // A quoted pattern (CI configs pass them unexpanded): `*`, `?`, `[…]`, `**` across directories.
                    let matched = pattern.matches()
                    guard !matched.isEmpty else {
                        throw FerryError.io("io.missing", "no file matches this pattern", file: path)
                    }
                    files += matched
                    continue
                }
                throw FerryError.io("io.missing", "no such file or directory", file: path)
            }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            var found: [String] = []
            walk(path) { full in
                guard let dot = full.lastIndex(of: "."), !full[dot...].contains("/") else { return }
                if validatingExtensions.contains(full[full.index(after: dot)...].lowercased()) { found.append(full) }
            }
            files += found.sorted()
        }
        return files
    }
}

/// Calls `body` with the path of every regular file under `directory` (symbolic links to files
/// included, linked directories not followed), with readdir's file types: no Foundation objects or
/// extra stat per file.
func walk(_ directory: String, _ body: (String) -> Void) {
    guard let dir = opendir(directory) else { return }
    defer { closedir(dir) }
    let prefix = directory.hasSuffix("/") ? directory : directory + "/"
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        if name == "." || name == ".." { continue }
        let full = prefix + name
        var type = Int32(entry.pointee.d_type)
        if type == Int32(DT_UNKNOWN) || type == Int32(DT_LNK) {
            var st = stat()
            guard stat(full, &st) == 0 else { continue }
            let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            if type == Int32(DT_LNK) && isDirectory { continue }
            type = isDirectory ? Int32(DT_DIR) : (st.st_mode & S_IFMT) == S_IFREG ? Int32(DT_REG) : Int32(DT_UNKNOWN)
        }
        if type == Int32(DT_DIR) {
            walk(full, body)
        } else if type == Int32(DT_REG) {
            body(full)
        }
    }
}

/// A shell-style pattern: `*` and `?` within a path component, `[abc]` classes, `**` for any number of
/// directories. Matched against the files under its literal leading directory, sorted.
struct GlobPattern {
    let root: String
    let regex: NSRegularExpression

    init?(_ pattern: String) {
        guard pattern.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else { return nil }
        // The literal directory before the first component with a wildcard.
        let components = pattern.split(separator: "/", omittingEmptySubsequences: false)
        var literal: [Substring] = []
        for c in components.dropLast() {
            if c.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) { break }
            literal.append(c)
        }
        let rootPath = literal.joined(separator: "/")
        root = pattern.hasPrefix("/") && rootPath.isEmpty ? "/" : rootPath.isEmpty ? "." : rootPath
        let rest = components.dropFirst(literal.count).joined(separator: "/")
        var re = "^"
        var chars = Array(rest)[...]
        while let c = chars.popFirst() {
            switch c {
            case "*":
                if chars.first == "*" {
                    chars.removeFirst()
                    if chars.first == "/" { chars.removeFirst(); re += "(?:.*/)?" } else { re += ".*" }
                } else {
                    re += "[^/]*"
                }
            case "?": re += "[^/]"
            case "[":
                var cls = "["
                if chars.first == "!" { chars.removeFirst(); cls += "^" }
                while let d = chars.popFirst(), d != "]" { cls += d == "\\" ? "\\\\" : String(d) }
                re += cls + "]"
            default: re += NSRegularExpression.escapedPattern(for: String(c))
            }
        }
        guard let regex = try? NSRegularExpression(pattern: re + "$") else { return nil }
        self.regex = regex
    }

    func matches() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        for case let relative as String in enumerator {
            let range = NSRange(relative.startIndex..., in: relative)
            guard regex.firstMatch(in: relative, range: range) != nil else { continue }
            let full = root == "." ? relative : (root as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(full)
            }
        }
        return found.sorted()
    }
}
