import FerryCore

/// Recognises feeds: the root element (`<feed`, `<rss`, `<rdf:RDF`) after the XML declaration,
/// comments, a DOCTYPE and processing instructions.
enum FeedSniffer {
    enum Root { case atom, rss, rdf }

    static func root(_ prefix: [UInt8]) -> Root? {
        var i = 0
        if prefix.count >= 3, prefix[0] == 0xEF, prefix[1] == 0xBB, prefix[2] == 0xBF { i = 3 }
        let n = min(prefix.count, 8192)
        while i < n {
            guard let lt = prefix[i..<n].firstIndex(of: 0x3C) else { return nil }
            // Anything but white space before the first markup: not XML.
            if prefix[i..<lt].contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) { return nil }
            guard lt + 1 < n else { return nil }
            let next = prefix[lt + 1]
            if next == 0x3F || next == 0x21 {
                // <?…?>, <!--…-->, <!DOCTYPE …>: skip to the closing '>' (comments to '-->').
                if prefix[lt...].starts(with: Array("<!--".utf8)) {
                    var j = lt + 4
                    while j + 2 < n, !(prefix[j] == 0x2D && prefix[j + 1] == 0x2D && prefix[j + 2] == 0x3E) { j += 1 }
                    i = j + 3
                } else {
                    guard let gt = prefix[lt..<n].firstIndex(of: 0x3E) else { return nil }
                    i = gt + 1
                }
                continue
            }
            var j = lt + 1
            while j < n, prefix[j] != 0x20, prefix[j] != 0x3E, prefix[j] != 0x0A, prefix[j] != 0x0D, prefix[j] != 0x09, prefix[j] != 0x2F { j += 1 }
            let name = String(decoding: prefix[(lt + 1)..<j], as: UTF8.self)
            let local = name.split(separator: ":").last.map(String.init) ?? name
            switch local {
            case "feed": return .atom
            case "rss": return .rss
            case "RDF": return .rdf
            default: return nil
            }
        }
        return nil
    }
}

/// `atom`: Atom 1.0 feeds (RFC 4287) written from messages and calendars; Atom 0.3 and 1.0 read.
public struct AtomFormat: Format {
    public init() {}
    public let name = "atom"
    public let summary = "Atom 1.0 feed (reads Atom 0.3/1.0)"
    public let extensions = ["atom"]
    public let kinds: [ItemKind] = [.message, .calendar]

    public func bid(prefix: [UInt8], name: String?) -> Int {
        let root = FeedSniffer.root(prefix)
        if root == .atom { return 85 }
        if root != nil { return 0 }
        return extensionBid(name, score: 40)
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .stream(let source) = input else { throw FerryError.usage("feed.directory", "atom reads a file or stdin") }
        return FeedReader(source: source, options: options, log: log)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else { throw FerryError.usage("feed.directory", "atom writes a file or stdout") }
        return FeedWriter(style: .atom, sink: sink, options: options, log: log)
    }
}

/// `rss`: RSS 2.0 written; RSS 0.9x, 1.0 (RDF) and 2.0 read.
public struct RSSFormat: Format {
    public init() {}
    public let name = "rss"
    public let summary = "RSS 2.0 feed (reads RSS 0.9x/1.0/2.0)"
    public let extensions = ["rss", "rdf"]
    public let kinds: [ItemKind] = [.message, .calendar]

    public func bid(prefix: [UInt8], name: String?) -> Int {
        switch FeedSniffer.root(prefix) {
        case .rss?, .rdf?: return 85
        case .atom?: return 0
        case nil: return extensionBid(name, score: 40)
        }
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .stream(let source) = input else { throw FerryError.usage("feed.directory", "rss reads a file or stdin") }
        return FeedReader(source: source, options: options, log: log)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else { throw FerryError.usage("feed.directory", "rss writes a file or stdout") }
        return FeedWriter(style: .rss, sink: sink, options: options, log: log)
    }
}
