import FerryCore
import Foundation

/// What `ferry inspect` reports about one file.
public struct InspectionReport: Sendable {
    public var path: String
    public var size: Int64?
    public var format: String?
    public var formatBid: Int?
    public var charset: CharsetGuess?
    public var lines: Int = 0
    public var lineEndings: [String: Int] = [:]
    public var items: [String: Int] = [:]
    public var folders: [String] = []
    public var readerError: String?
    /// What the format found out (a CSV's dialect, …), from `Explaining` formats.
    public var details: [(label: String, value: String)] = []

    public var json: String {
        var object: [String: Any] = [
            "path": path, "lines": lines, "lineEndings": lineEndings, "items": items, "folders": folders,
        ]
        object["size"] = size.map { NSNumber(value: $0) } ?? NSNull()
        object["format"] = format ?? NSNull()
        if let charset {
            object["charset"] = ["name": charset.charset, "confidence": charset.confidence,
                                 "method": charset.method.rawValue, "language": charset.language ?? NSNull(),
                                 "lowConfidence": charset.isLowConfidence,
                                 "alternatives": charset.alternatives ?? []] as [String: Any]
        }
        if let readerError { object["error"] = readerError }
        if !details.isEmpty {
            var d: [String: String] = [:]
            for (k, v) in details { d[k] = v }
            object["details"] = d
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    public var text: String {
        var out = "file:     \(path)\n"
        if let size { out += "size:     \(size) bytes\n" }
        out += "format:   \(format ?? "unknown")\n"
        if let charset {
            out += "charset:  \(charset.charset) (confidence \(charset.confidence)%, by \(charset.method.rawValue)"
                + (charset.language.map { ", language \($0)" } ?? "") + ")\n"
            if charset.isLowConfidence {
                let others = (charset.alternatives ?? []).joined(separator: ", ")
                out += "          low confidence: too little text to be sure"
                    + (others.isEmpty ? "" : " (could also be \(others))") + "; name it with --charset\n"
            }
        }
        let endings = lineEndings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        out += "lines:    \(lines)" + (endings.isEmpty ? "" : " (\(endings))") + "\n"
        if !items.isEmpty {
            out += "items:    " + items.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + "\n"
        }
        if !folders.isEmpty { out += "folders:  \(folders.joined(separator: ", "))\n" }
        for (label, value) in details {
            out += (label + ":").padding(toLength: max(10, label.count + 2), withPad: " ", startingAt: 0) + value + "\n"
        }
        if let readerError { out += "note:     \(readerError)\n" }
        return out
    }
}

/// Detects format and charset, counts lines and (when a reader exists) items by type and folders.
public struct Inspector {
    public let registry: FormatRegistry
    public let log: DiagnosticLog

    public init(registry: FormatRegistry, log: DiagnosticLog) {
        self.registry = registry
        self.log = log
    }

    public func inspect(_ path: String, declaredFormat: String?, declaredCharset: String?) throws -> InspectionReport {
        var report = InspectionReport(path: path)
        var isDirectory: ObjCBool = false
        if path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return try inspectDirectory(path, declaredFormat: declaredFormat)
        }
        let file: FileSource = path == "-" ? .standardInput() : try FileSource(path: path)
        report.size = file.size
        let prefix = try file.read(upTo: CharsetDetector.sampleSize)
        if let declaredFormat {
            guard let format = registry.format(named: declaredFormat) else {
                throw FerryError.usage("format.unknown", "unknown format '\(declaredFormat)'")
            }
            report.format = format.name
        } else if let (format, bid) = registry.sniff(prefix: prefix, name: path) {
            report.format = format.name
            report.formatBid = bid
        }
        if let declaredCharset {
            _ = try Charset(declaredCharset)
            report.charset = CharsetGuess(charset: declaredCharset, confidence: 100, method: .declared)
        } else if !looksBinary(prefix) {
            report.charset = CharsetDetector.detect(prefix)
        }
        // Lines and line endings over the whole input, in flat memory. A regular file is read again
        // from the start (memory-mapped by the line reader); stdin continues after the sniffed prefix.
        let lineSource: ByteSource = path == "-" ? PrefixedSource(prefix: prefix, rest: file) : try FileSource(path: path)
        let lines = LineReader(source: lineSource)
        var lf = 0, crlf = 0, cr = 0, unterminated = 0
        while let line = try lines.next() {
            switch line.terminator {
            case .lf: lf &+= 1
            case .crlf: crlf &+= 1
            case .cr: cr &+= 1
            case .none: unterminated &+= 1
            }
        }
        report.lines = lf + crlf + cr + unterminated
        for (name, count) in [("LF", lf), ("CRLF", crlf), ("CR", cr)] where count > 0 {
            report.lineEndings[name] = count
        }
        // What the format itself found out (it may know the charset better than the generic detector).
        if path != "-", let name = report.format, let explaining = registry.format(named: name) as? any Explaining {
            var options = ReadOptions()
            options.charset = try declaredCharset.map { try Charset($0) }
            do {
                let explanation = try explaining.explain(try FileSource(path: path), options: options, log: DiagnosticLog())
                report.details = explanation.details
                if declaredCharset == nil, let charset = explanation.charset { report.charset = charset }
            } catch let error as FerryError {
                report.readerError = error.diagnostic.message
            }
        }
        // Items and folders, when a reader exists.
        if path != "-", let name = report.format, let format = registry.format(named: name), format.canRead {
            do {
                var options = ReadOptions()
                options.charset = try declaredCharset.map { try Charset($0) }
                let reader = try format.makeReader(.stream(try FileSource(path: path)), options: options, log: log)
                var folders = Set<String>()
                while let item = try reader.next() {
                    report.items[item.kind.rawValue, default: 0] += 1
                    if let folder = item.metadata.folder { folders.insert(folder) }
                }
                report.folders = folders.sorted()
            } catch let error as FerryError {
                report.readerError = error.diagnostic.message
            }
        }
        return report
    }

    /// A directory input (Maildir, a tree of .eml files): format, items by type and folders.
    func inspectDirectory(_ path: String, declaredFormat: String?) throws -> InspectionReport {
        var report = InspectionReport(path: path)
        let name = path.hasSuffix("/") ? path : path + "/"
        let format: (any Format)?
        if let declaredFormat {
            guard let named = registry.format(named: declaredFormat) else {
                throw FerryError.usage("format.unknown", "unknown format '\(declaredFormat)'")
            }
            format = named
        } else if let (sniffed, bid) = registry.sniff(prefix: [], name: name) {
            format = sniffed
            report.formatBid = bid
        } else {
            format = nil
        }
        report.format = format?.name
        guard let format, format.canRead else { return report }
        do {
            let reader = try format.makeReader(.directory(path), options: ReadOptions(), log: log)
            var folders = Set<String>()
            while let item = try reader.next() {
                report.items[item.kind.rawValue, default: 0] += 1
                if let folder = item.metadata.folder { folders.insert(folder) }
            }
            report.folders = folders.sorted()
        } catch let error as FerryError {
            report.readerError = error.diagnostic.message
        }
        return report
    }

    func looksBinary(_ prefix: [UInt8]) -> Bool {
        // NUL bytes outside UTF-16/32 text mean binary (archives, compressed data).
        if CharsetDetector.byteOrderMark(prefix) != nil { return false }
        return prefix.prefix(8192).contains(0)
    }
}
