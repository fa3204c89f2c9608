import Foundation
import FerryCore

/// `eml`: one RFC 5322/MIME message per file (Zimbra's native format).
public struct EMLFormat: Format {
    public init() {}
    public let name = "eml"
    public let summary = "RFC 5322/MIME message (Zimbra's native)"
    public let extensions = ["eml", "mime"]
    public let kinds: [ItemKind] = [.message]

    public func bid(prefix: [UInt8], name: String?) -> Int {
        let byName = extensionBid(name, score: 60)
        // A message saved from an mbox keeps its leading From_ line; the eml reader handles it, and
        // the file's .eml name says it holds one message.
        let fromLine = prefix.starts(with: Array("From ".utf8))
        let byContent = MessageSniffer.looksLikeMessage(prefix) || (byName > 0 && fromLine) ? 40 : 0
        if byName > 0 && byContent > 0 { return 90 }
        return max(byName, byContent)
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .stream(let source) = input else {
            throw FerryError.usage("eml.directory", "eml reads one message file; for a folder of .eml files use an archive or maildir format")
        }
        return EMLReader(source: source, options: options, log: log)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else {
            throw FerryError.usage("eml.directory", "eml writes one message to a file")
        }
        return EMLWriter(sink: sink)
    }
}

/// Reads the whole input as one message.
public final class EMLReader: ItemReader {
    let source: ByteSource
    let options: ReadOptions
    let log: DiagnosticLog
    var done = false

    public init(source: ByteSource, options: ReadOptions, log: DiagnosticLog) {
        self.source = source
        self.options = options
        self.log = log
    }

    public func next() throws -> Item? {
        guard !done else { return nil }
        done = true
        var parserOptions = MIMEParserOptions()
        parserOptions.headerFallback = options.charset
        let message = try MIMEParser(options: parserOptions).parse(source)
        for diagnostic in message.diagnostics(file: source.name) { log.emit(diagnostic) }
        return Item(message, metadata: ItemMetadata(date: message.date), origin: source.name)
    }
}

/// Writes the first message's exact bytes; an `.eml` file holds one message, so later items are
/// skipped with a reason (the summary counts them and the exit code is 1).
public final class EMLWriter: ItemWriter {
    let sink: ByteSink
    var wrote = false

    public init(sink: ByteSink) { self.sink = sink }

    public func write(_ item: Item) throws -> WriteOutcome {
        guard item.kind == .message else {
            return .skipped(reason: "eml holds messages, not \(item.kind.rawValue)s")
        }
        guard !wrote else {
            return .skipped(reason: "an .eml file holds one message (write several to mbox, maildir or an archive)")
        }
        guard try item.payload.writeOriginal(to: sink) else {
            return .skipped(reason: "the message has no bytes to write")
        }
        wrote = true
        return .written
    }

    public func finish() throws {}
}

/// Recognises the start of an RFC 5322 message.
public enum MessageSniffer {
    static let mailFields: Set<String> = [
        "from", "to", "cc", "subject", "date", "received", "return-path", "message-id", "mime-version",
        "delivered-to", "reply-to", "sender", "content-type", "x-mailer", "user-agent", "references",
        "in-reply-to", "dkim-signature", "authentication-results", "x-received", "arc-seal", "x-zimbra-itemid",
        "thread-topic", "thread-index", "x-original-to", "envelope-to", "x-mozilla-status",
    ]

    /// True when the first lines are header fields (at least two) and one of them is a mail field.
    public static func looksLikeMessage(_ prefix: [UInt8]) -> Bool {
        var i = 0
        var fields = 0
        var mailField = false
        var lines = 0
        while i < prefix.count && lines < 40 {
            var j = i
            while j < prefix.count && prefix[j] != 0x0A { j += 1 }
            var line = prefix[i..<j]
            if line.last == 0x0D { line = line.dropLast() }
            lines += 1
            if line.isEmpty { break }
            if line.first == 0x20 || line.first == 0x09 {
                if fields == 0 { return false }
            } else if let colon = line.firstIndex(of: 0x3A), colon > line.startIndex,
                      line[line.startIndex..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
                fields += 1
                if mailField == false {
                    let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
                    if mailFields.contains(name) { mailField = true }
                }
            } else {
                return false
            }
            i = j + 1
        }
        return fields >= 2 && mailField
    }
}
