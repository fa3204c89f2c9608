import Foundation
import FerryCore

/// Zimbra's flag characters (`X-Zimbra-Flags`, `.meta` `FlagStr`) in output order, with Ferry's names.
public enum ZimbraFlags {
    public static let table: [(Character, String)] = [
        ("s", "sent"), ("a", "attachment"), ("r", "replied"), ("w", "forwarded"), ("f", "flagged"),
        ("d", "draft"), ("x", "deleted"), ("n", "notified"), ("u", "unread"), ("!", "high-priority"),
        ("?", "low-priority"), ("/", "versioned"), ("(", "muted"), ("p", "popped"), ("t", "note"),
        ("+", "priority"), ("^", "post"), ("*", "subscribed"), ("b", "exclude-freebusy"), ("#", "checked"),
        ("i", "no-inherit"), ("v", "invite"), ("y", "sync-folder"), ("~", "sync"), ("o", "no-inferiors"),
        ("@", "archived"), ("g", "global"),
    ]

    public static func names(_ characters: String) -> Set<String> {
        Set(characters.compactMap { c in table.first { $0.0 == c }?.1 })
    }

    public static func characters(_ names: Set<String>) -> String {
        String(table.filter { names.contains($0.1) }.map(\.0))
    }
}

/// Zimbra's system folder ids.
enum ZimbraFolders {
    static let byID: [String: String] = [
        "2": "Inbox", "3": "Trash", "4": "Junk", "5": "Sent", "6": "Drafts", "7": "Contacts", "10": "Calendar",
        "13": "Emailed Contacts", "14": "Chats", "15": "Tasks", "16": "Briefcase",
    ]
    static let byName: [String: String] = Dictionary(uniqueKeysWithValues: byID.map { ($1.lowercased(), $0) })
}

/// `sync`: a message with Zimbra's `X-Zimbra-*` meta headers prepended (REST `fmt=sync`); with
/// `headersOnly` (`sync-headers`, Zimbra's `body=0`) the message's header block without its body.
public struct SyncFormat: Format {
    public let headersOnly: Bool
    public init(headersOnly: Bool = false) { self.headersOnly = headersOnly }

    public var name: String { headersOnly ? "sync-headers" : "sync" }
    public var summary: String {
        headersOnly ? "X-Zimbra-* meta headers and the message's header block (body=0)"
                    : "message with X-Zimbra-* meta headers"
    }
    public var extensions: [String] { [] }
    public var kinds: [ItemKind] { [.message] }

    public func bid(prefix: [UInt8], name: String?) -> Int {
        let head = String(decoding: prefix.prefix(20), as: UTF8.self).lowercased()
        return head.hasPrefix("x-zimbra-itemid:") && !headersOnly ? 95 : 0
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .stream(let source) = input else {
            throw FerryError.usage("sync.directory", "\(name) reads one message file")
        }
        return SyncReader(source: source, options: options, log: log)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else {
            throw FerryError.usage("sync.directory", "\(name) writes one message to a file")
        }
        return SyncWriter(sink: sink, headersOnly: headersOnly)
    }
}

/// The meta header names, in Zimbra's order, with the metadata key each one maps to.
enum SyncHeaders {
    static let order = ["X-Zimbra-ItemId", "X-Zimbra-FolderId", "X-Zimbra-Tags", "X-Zimbra-Tag-Names", "X-Zimbra-Flags",
                        "X-Zimbra-Received", "X-Zimbra-Modified", "X-Zimbra-Change", "X-Zimbra-Revision", "X-Zimbra-Conv"]

    /// `a\,b,c\\d` → ["a,b", "c\d"]
    static func splitTagNames(_ value: String) -> [String] {
        var out: [String] = []
        var current = ""
        var escaped = false
        for c in value {
            if escaped { current.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "," { out.append(current); current = ""; continue }
            current.append(c)
        }
        if !current.isEmpty || !out.isEmpty { out.append(current) }
        return out.filter { !$0.isEmpty }
    }

    static func joinTagNames(_ tags: [String]) -> String {
        tags.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ",", with: "\\,") }
            .joined(separator: ",")
    }
}

public final class SyncReader: ItemReader {
    let source: ByteSource
    let options: ReadOptions
    let log: DiagnosticLog
    var done = false

    init(source: ByteSource, options: ReadOptions, log: DiagnosticLog) {
        self.source = source
        self.options = options
        self.log = log
    }

    public func next() throws -> Item? {
        guard !done else { return nil }
        done = true
        // The meta lines are at the top; read them from the first chunk.
        let head = try source.read(upTo: 64 * 1024)
        var i = 0
        var meta: [(String, String)] = []
        while i < head.count {
            var j = i
            while j < head.count && head[j] != 0x0A { j += 1 }
            guard j < head.count else { break }
            var line = head[i..<j]
            if line.last == 0x0D { line = line.dropLast() }
            let text = String(decoding: line, as: UTF8.self)
            guard text.lowercased().hasPrefix("x-zimbra-"), let colon = text.firstIndex(of: ":") else { break }
            meta.append((String(text[..<colon]), text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            i = j + 1
        }
        var parserOptions = MIMEParserOptions()
        parserOptions.headerFallback = options.charset
        let rest = PrefixedSource(prefix: Array(head[i...]), rest: source)
        let message = try MIMEParser(options: parserOptions).parse(rest)
        let lineOffset = meta.count
        for diagnostic in message.diagnostics(file: source.name, lineOffset: lineOffset) { log.emit(diagnostic) }
        var metadata = ItemMetadata(date: message.date)
        var unknown: [String] = []
        for (name, value) in meta {
            switch name.lowercased() {
            case "x-zimbra-itemid": metadata.id = value
            case "x-zimbra-folderid":
                metadata.extra["zimbra.folderId"] = value
                metadata.folder = ZimbraFolders.byID[value]
            case "x-zimbra-tags": metadata.extra["zimbra.tags"] = value
            case "x-zimbra-tag-names": metadata.tags = SyncHeaders.splitTagNames(value)
            case "x-zimbra-flags":
                metadata.flags = ZimbraFlags.names(value)
                metadata.extra["zimbra.flags"] = value
            case "x-zimbra-received":
                metadata.extra["zimbra.received"] = value
                if let ms = Int64(value) { metadata.date = Date(timeIntervalSince1970: Double(ms) / 1000) }
            case "x-zimbra-modified": metadata.extra["zimbra.modified"] = value
            case "x-zimbra-change": metadata.extra["zimbra.change"] = value
            case "x-zimbra-revision": metadata.extra["zimbra.revision"] = value
            case "x-zimbra-conv": metadata.extra["zimbra.conv"] = value
            default: unknown.append("\(name): \(value)")
            }
        }
        if !unknown.isEmpty { metadata.extra["zimbra.syncHeaders"] = unknown.joined(separator: "\n") }
        return Item(message, metadata: metadata, origin: source.name)
    }
}

public final class SyncWriter: ItemWriter {
    let sink: ByteSink
    let headersOnly: Bool
    var wrote = false

    init(sink: ByteSink, headersOnly: Bool) {
        self.sink = sink
        self.headersOnly = headersOnly
    }

    /// The meta lines for an item, CR LF terminated, in Zimbra's order; unknown values are left out.
    public static func metaLines(_ item: Item) -> String {
        let m = item.metadata
        var values: [String: String] = [:]
        values["X-Zimbra-ItemId"] = m.id
        values["X-Zimbra-FolderId"] = m.extra["zimbra.folderId"] ?? m.folder.flatMap { ZimbraFolders.byName[$0.lowercased()] }
        values["X-Zimbra-Tags"] = m.extra["zimbra.tags"]
        if !m.tags.isEmpty { values["X-Zimbra-Tag-Names"] = SyncHeaders.joinTagNames(m.tags) }
        // Keep the original flag string when it still says the same (it may hold characters Ferry has no name for).
        let flags = ZimbraFlags.characters(m.flags)
        if let original = m.extra["zimbra.flags"], ZimbraFlags.names(original) == m.flags {
            values["X-Zimbra-Flags"] = original
        } else if !m.flags.isEmpty {
            values["X-Zimbra-Flags"] = flags
        }
        if let received = m.extra["zimbra.received"],
           let ms = Int64(received), m.date.map({ Int64(($0.timeIntervalSince1970 * 1000).rounded()) == ms }) ?? true {
            values["X-Zimbra-Received"] = received
        } else if let date = m.date {
            values["X-Zimbra-Received"] = String(Int64((date.timeIntervalSince1970 * 1000).rounded()))
        }
        values["X-Zimbra-Modified"] = m.extra["zimbra.modified"]
        values["X-Zimbra-Change"] = m.extra["zimbra.change"]
        values["X-Zimbra-Revision"] = m.extra["zimbra.revision"]
        values["X-Zimbra-Conv"] = m.extra["zimbra.conv"]
        var out = ""
        for name in SyncHeaders.order {
            if let value = values[name] { out += "\(name): \(value)\r\n" }
        }
        if let unknown = m.extra["zimbra.syncHeaders"] {
            for line in unknown.split(separator: "\n") { out += "\(line)\r\n" }
        }
        return out
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        guard item.kind == .message else { return .skipped(reason: "sync holds messages, not \(item.kind.rawValue)s") }
        guard !wrote else { return .skipped(reason: "a sync file holds one message") }
        try sink.write(Self.metaLines(item))
        if headersOnly {
            if let message = item.payload as? MIMEMessage {
                try message.spool.forEachPiece(message.root.headerRange) { try sink.write($0) }
            } else if let bytes = item.payload.originalBytes {
                let parsed = try MIMEParser.parse(bytes)
                try sink.write(Array(bytes[parsed.root.headerRange]))
            } else {
                return .skipped(reason: "the message has no bytes to write")
            }
        } else {
            guard try item.payload.writeOriginal(to: sink) else {
                return .skipped(reason: "the message has no bytes to write")
            }
        }
        wrote = true
        return .written
    }

    public func finish() throws {}
}
