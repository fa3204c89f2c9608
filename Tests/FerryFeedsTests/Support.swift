import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import FerryCore
import FerryMIME
import FerryTestSupport
@testable import FerryFeeds

enum FeedFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let feeds = root.appendingPathComponent("feeds")

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(path)))
    }

    /// Every message fixture of the MIME family, parsed, as items (received date = the Date field).
    static func mimeItems() throws -> [Item] {
        let dir = root.appendingPathComponent("mime")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { name in
            let message = try MIMEParser.parse(Array(Data(contentsOf: dir.appendingPathComponent(name))))
            return Item(message, metadata: ItemMetadata(folder: "Inbox", date: message.date), origin: name)
        }
    }

    /// Reads a feed with the Ferry reader, in pieces of `chunk` bytes.
    static func read(_ bytes: [UInt8], name: String = "feed", chunk: Int = .max, charset: Charset? = nil) throws
        -> (entries: [FeedEntry], items: [Item], log: DiagnosticLog) {
        let log = DiagnosticLog()
        var options = ReadOptions()
        options.charset = charset
        let reader = FeedReader(source: MemorySource(bytes, name: name, maxChunk: chunk), options: options, log: log)
        // `read(upTo:)` fills its request from several source reads: the reader itself must ask for
        // small pieces for the charset check, the repairs and libxml2 to see them.
        if chunk != .max { reader.pieceSize = chunk }
        var items: [Item] = []
        while let item = try reader.next() { items.append(item) }
        return (items.map { $0.payload as! FeedEntry }, items, log)
    }

    static func write(_ items: [Item], style: FeedStyle, options: WriteOptions = WriteOptions()) throws -> (bytes: [UInt8], log: DiagnosticLog) {
        let sink = MemorySink()
        let log = DiagnosticLog()
        let writer = FeedWriter(style: style, sink: sink, options: options, log: log)
        for item in items { _ = try writer.write(item) }
        try writer.finish()
        return (sink.bytes, log)
    }

    /// Items' JSON views as JSON lines with sorted keys (the golden form).
    static func jsonLines(_ items: [Item]) throws -> String {
        try items.map { item -> String in
            var object: [String: Any] = [:]
            for (k, v) in item.payload.jsonObject() { object[k] = v }
            object["origin"] = item.origin
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }
}

/// RFC 4287's rules, checked on a parsed document (FoundationXML's DOM, independent of Ferry's reader).
enum AtomRules {
    static let atom = "http://www.w3.org/2005/Atom"

    static func children(_ element: XMLElement, _ name: String) -> [XMLElement] {
        (element.children ?? []).compactMap { $0 as? XMLElement }.filter { $0.localName == name && $0.uri == atom }
    }

    /// An attribute by name (FoundationXML's `attribute(forName:)` misses them on namespaced elements).
    static func attr(_ element: XMLElement, _ name: String) -> String? {
        (element.attributes ?? []).first { $0.name == name || $0.localName == name }?.stringValue
    }

    static func children(_ element: XMLElement, _ name: String, uri: String) -> [XMLElement] {
        (element.children ?? []).compactMap { $0 as? XMLElement }.filter { $0.localName == name && $0.uri == uri }
    }

    /// RFC 3339 date-time (§3.3): full-date "T" full-time with "Z" or an offset.
    static func isRFC3339(_ s: String) -> Bool {
        s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
    }

    /// The problems found; empty when the document is valid Atom 1.0 as far as these rules go.
    static func problems(_ bytes: [UInt8]) -> [String] {
        guard let document = try? XMLDocument(data: Data(bytes), options: []) else { return ["not well-formed XML"] }
        guard let feed = document.rootElement(), feed.localName == "feed", feed.uri == atom else { return ["root is not atom:feed"] }
        var out: [String] = []
        for name in ["id", "title", "updated"] where children(feed, name).count != 1 {
            out.append("feed has \(children(feed, name).count) <\(name)>")
        }
        if let updated = children(feed, "updated").first?.stringValue, !isRFC3339(updated) { out.append("feed updated '\(updated)'") }
        let entries = children(feed, "entry")
        var ids = Set<String>()
        if children(feed, "author").isEmpty, entries.contains(where: { children($0, "author").isEmpty }) {
            out.append("an entry without author in a feed without author")
        }
        for (n, entry) in entries.enumerated() {
            for name in ["id", "title", "updated"] where children(entry, name).count != 1 {
                out.append("entry \(n) has \(children(entry, name).count) <\(name)>")
            }
            if let id = children(entry, "id").first?.stringValue {
                if URL(string: id)?.scheme == nil { out.append("entry \(n) id '\(id)' is not an IRI") }
                if !ids.insert(id).inserted { out.append("entry \(n) id '\(id)' repeated") }
            }
            for name in ["updated", "published"] {
                for d in children(entry, name) where !isRFC3339(d.stringValue ?? "") { out.append("entry \(n) \(name) '\(d.stringValue ?? "")'") }
            }
            let authors = children(entry, "author")
            if authors.count != 1 { out.append("entry \(n) has \(authors.count) authors") }
            for a in authors where children(a, "name").count != 1 || (children(a, "name").first?.stringValue ?? "").isEmpty {
                out.append("entry \(n) author without a name")
            }
            let alternate = children(entry, "link").filter { (attr($0, "rel") ?? "alternate") == "alternate" }
            if children(entry, "content").isEmpty && alternate.isEmpty { out.append("entry \(n) has neither content nor an alternate link") }
            for link in children(entry, "link") where attr(link, "href") == nil { out.append("entry \(n) link without href") }
            for text in children(entry, "title") + children(entry, "summary") + children(entry, "content") {
                let type = attr(text, "type") ?? "text"
                if !["text", "html", "xhtml"].contains(type) { out.append("entry \(n) text construct type '\(type)'") }
            }
        }
        return out
    }
}

/// Python's feedparser, when installed: the independent oracle for generated feeds.
enum FeedParserOracle {
    static let available: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import feedparser"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    /// feedparser's reading of a feed: bozo flag, version, titles and ids of the entries.
    static func parse(_ bytes: [UInt8]) throws -> [String: Any] {
        let file = try TestDirectory.make("ferry-feed").appendingPathComponent("feed.xml")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import feedparser, json, sys
            d = feedparser.parse(sys.argv[1])
            print(json.dumps({"bozo": int(d.bozo), "exception": str(d.get("bozo_exception", "")), "version": d.version,
                "titles": [e.get("title", "") for e in d.entries], "ids": [e.get("id", "") for e in d.entries],
                "authors": [e.get("author", "") for e in d.entries],
                "dates": [list(e.get("updated_parsed") or e.get("published_parsed") or [])[:6] for e in d.entries]}))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, file.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}
