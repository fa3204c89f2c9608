import FerryCore
import FerryMIME
import Foundation

/// A message carried as its exact bytes (what mailbox formats move around) in a `MessageSpool`:
/// in memory while small, spilled to an unlinked temporary file past the spool's limit, so a message
/// with a 1 GB attachment costs flat memory. Writers stream it with `writeOriginal(to:)` and look at
/// its header through `MessageBytes`; `originalBytes` copies the whole message (small ones only).
public struct RawMessage: ItemPayload {
    public let spool: MessageSpool

    public init(_ bytes: [UInt8]) { spool = MessageSpool(bytes: bytes) }
    public init(spool: MessageSpool) { self.spool = spool }

    /// Every byte, copied (small messages; prefer `writeOriginal(to:)`).
    public var bytes: [UInt8] { (try? spool.allBytes()) ?? [] }
    public var size: Int { spool.count }

    public var kind: ItemKind { .message }
    public var originalBytes: [UInt8]? { bytes }

    public func writeOriginal(to sink: ByteSink) throws -> Bool {
        try spool.forEachPiece(0..<spool.count, pieceSize: 1 << 20) { try sink.write($0) }
        return true
    }

    public func jsonObject() -> [String: any Sendable] {
        let header = MessageBytes(spool: spool).header
        var object: [String: any Sendable] = ["size": spool.count]
        for name in ["From", "To", "Cc", "Subject", "Date", "Message-ID"] {
            if let value = header.decoded(name) { object[name.lowercased()] = value }
        }
        return object
    }
}

/// A message payload's bytes whatever holds them (a `RawMessage`, a parsed `MIMEMessage`, or any
/// payload with original bytes), with its header read from the front only.
public struct MessageBytes {
    public let spool: MessageSpool
    /// The header's bytes (through the blank line), read once.
    public let head: [UInt8]
    public let header: MessageHeader

    public init?(_ payload: any ItemPayload) {
        if let raw = payload as? RawMessage {
            self.init(spool: raw.spool)
        } else if let mime = payload as? MIMEMessage {
            self.init(spool: mime.spool)
        } else if let bytes = payload.originalBytes {
            self.init(spool: MessageSpool(bytes: bytes))
        } else {
            return nil
        }
    }

    public init(spool: MessageSpool) {
        self.spool = spool
        var limit = 1 << 16
        while true {
            let prefix = (try? spool.bytes(0..<min(limit, spool.count))) ?? []
            let parsed = MessageHeader(prefix)
            if parsed.complete || prefix.count >= spool.count || limit >= 1 << 26 {
                head = Array(prefix[..<min(parsed.bodyOffset, prefix.count)])
                header = parsed
                return
            }
            limit *= 4
        }
    }

    public var count: Int { spool.count }
    /// Where the body starts (after the blank line), or `count` when there is none.
    public var bodyOffset: Int { header.complete ? header.bodyOffset : spool.count }

    /// Calls `body` with the bytes of `range` in pieces (one when in memory).
    public func forEachPiece(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try spool.forEachPiece(range, pieceSize: 1 << 20, body)
    }

    /// Writes the bytes of `range` (all by default) to `sink`.
    public func write(_ range: Range<Int>? = nil, to sink: ByteSink) throws {
        try forEachPiece(range ?? 0..<spool.count) { try sink.write($0) }
    }

    /// SHA-256 of every byte, streamed.
    public func sha256() throws -> [UInt8] {
        var hash = SHA256()
        try forEachPiece(0..<spool.count) { hash.update($0) }
        return hash.finalize()
    }

    /// The last byte (nil when empty).
    public var lastByte: UInt8? {
        guard spool.count > 0 else { return nil }
        return try? spool.bytes((spool.count - 1)..<spool.count).first
    }
}

/// Any other entry of an archive kept as bytes (documents, Zimbra calendar blobs, folders and tags,
/// which have none), with its kind.
public struct BlobPayload: ItemPayload {
    public let kind: ItemKind
    public let bytes: [UInt8]?
    /// The item's name (file name, folder name, tag name).
    public let name: String

    public init(kind: ItemKind, name: String, bytes: [UInt8]?) {
        self.kind = kind
        self.name = name
        self.bytes = bytes
    }

    public var originalBytes: [UInt8]? { bytes }

    public func jsonObject() -> [String: any Sendable] {
        ["name": name, "size": bytes?.count ?? 0]
    }
}

/// Reading and writing any payload's bytes.
public enum PayloadBytes {
    /// The payload's bytes, or nil when it has none (a contact built from fields).
    public static func bytes(_ payload: any ItemPayload) -> [UInt8]? { payload.originalBytes }

    /// Largest message loaded (one message is the unit held in memory): 1 GiB, or the environment's
    /// `FERRY_MAX_MESSAGE_SIZE` (bytes, or with a K, M or G suffix). A larger message (a decompression
    /// bomb in an archive) stops the conversion with `message.too-large` instead of exhausting memory.
    public static func maxMessageBytes() throws -> Int {
        // getenv, not ProcessInfo.environment: this runs once per message, and the latter builds a
        // dictionary of the whole environment on every call (a third of a tgz → mbox run's time).
        guard let value = getenv("FERRY_MAX_MESSAGE_SIZE") else { return 1 << 30 }
        let text = String(cString: value)
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        var unit = 1
        if let last = digits.last, let u = units[last] { unit = u; digits.removeLast() }
        guard let n = Int(digits), n > 0, n <= Int.max / unit else {
            throw FerryError.usage("option.max-message-size",
                                   "FERRY_MAX_MESSAGE_SIZE='\(text)' is not a size (bytes, or a number with K, M or G)")
        }
        return n * unit
    }

    /// Spools a message from a stream: in memory up to the spool's limit, then in an unlinked
    /// temporary file. `sizeHint` (an archive entry's size) sizes the memory at once. A message larger
    /// than `maxMessageBytes()` (a decompression bomb in an archive) stops with `message.too-large`
    /// before it fills the disk.
    public static func loadMessage(_ source: ByteSource, sizeHint: Int64? = nil) throws -> any ItemPayload {
        let limit = try maxMessageBytes()
        let spool = MessageSpool(reserve: Int(min(max(sizeHint ?? 0, 0), Int64(MessageSpool.defaultMemoryLimit))))
        var total = 0
        try source.forEachChunk(size: 1 << 16) { chunk in
            total += chunk.count
            guard total <= limit else {
                throw FerryError.data("message.too-large",
                                      "a message larger than \(limit) bytes (set FERRY_MAX_MESSAGE_SIZE to allow more)",
                                      file: source.name)
            }
            try spool.append(chunk)
        }
        try spool.seal()
        return RawMessage(spool: spool)
    }
}

/// A message header read straight from the bytes: fields in order, unfolded, RFC 2047 decoded on demand.
///
/// The header keeps its bytes and where each field's name and value lie; a value is copied out (and
/// unfolded) only when asked for, so reading a message's two or three fields of interest allocates
/// nothing per field.
public struct MessageHeader: Sendable {
    /// The header's bytes as read.
    private let bytes: [UInt8]
    private var spans: [Span] = []
    /// Offset of the body (after the blank line), or the message's length when there is none.
    public private(set) var bodyOffset: Int
    /// True when the blank line ending the header was found.
    public private(set) var complete = false

    /// One field: its name, and its value from after the colon and blanks to the end of its last
    /// line (continuation lines included, line breaks not yet removed when `folded`).
    private struct Span: Sendable {
        var nameStart: Int, nameEnd: Int
        var valueStart: Int, valueEnd: Int
        var folded: Bool
    }

    /// The fields in order, names as written and values unfolded (continuation lines joined without
    /// their line breaks).
    public var fields: [(name: String, value: [UInt8])] {
        spans.map { (String(decoding: bytes[$0.nameStart..<$0.nameEnd], as: UTF8.self), value($0)) }
    }

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var i = 0
        let n = bytes.count
        var current: Span?
        bodyOffset = n
        while i < n {
            var end = i
            while end < n && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            var next = end
            if next < n && bytes[next] == 0x0D {
                next += 1
                if next < n && bytes[next] == 0x0A { next += 1 }
            } else if next < n {
                next += 1
            }
            if end == i {
                bodyOffset = next
                complete = true
                break
            }
            let first = bytes[i]
            if first == 0x20 || first == 0x09 {
                if current != nil {
                    current!.valueEnd = end
                    current!.folded = true
                }
            } else if let colon = bytes[i..<end].firstIndex(of: 0x3A) {
                if let c = current { spans.append(c) }
                var nameStart = i
                var nameEnd = colon
                while nameStart < nameEnd && (bytes[nameStart] == 0x20 || bytes[nameStart] == 0x09) { nameStart += 1 }
                while nameEnd > nameStart && (bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x09) { nameEnd -= 1 }
                var valueStart = colon + 1
                while valueStart < end && (bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09) { valueStart += 1 }
                current = Span(nameStart: nameStart, nameEnd: nameEnd, valueStart: valueStart, valueEnd: end, folded: false)
            } else if i == 0 && end - i >= 5 && bytes[i] == 0x46 && bytes[i + 1] == 0x72 && bytes[i + 2] == 0x6F
                        && bytes[i + 3] == 0x6D && bytes[i + 4] == 0x20 {
                // An mbox From_ line left in front of the header.
            } else {
                if let c = current { spans.append(c) }
                current = nil
            }
            i = next
        }
        if let c = current { spans.append(c) }
    }

    /// A field's value, unfolded: its lines joined without their line breaks.
    private func value(_ span: Span) -> [UInt8] {
        guard span.valueStart < span.valueEnd else { return [] }
        let slice = bytes[span.valueStart..<span.valueEnd]
        return span.folded ? slice.filter { $0 != 0x0A && $0 != 0x0D } : Array(slice)
    }

    /// True when the span's name is `name` (ASCII case-insensitively).
    private func named(_ span: Span, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard span.nameEnd - span.nameStart == name.count else { return false }
        var k = 0
        for i in span.nameStart..<span.nameEnd {
            let x = bytes[i], y = name[k]
            if x != y {
                let p = x | 0x20, q = y | 0x20
                if p != q || p < 0x61 || p > 0x7A { return false }
            }
            k += 1
        }
        return true
    }

    public func raw(_ name: String) -> [UInt8]? {
        var name = name
        return name.withUTF8 { n in spans.first { named($0, n) }.map(value) }
    }

    public func all(_ name: String) -> [[UInt8]] {
        var name = name
        return name.withUTF8 { n in spans.filter { named($0, n) }.map(value) }
    }

    /// The field's value with RFC 2047 encoded words decoded.
    public func decoded(_ name: String) -> String? {
        raw(name).map { EncodedWords.decode($0) }
    }
}

/// RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?iso-8859-1?Q?…?=`), decoded leniently.
public enum EncodedWords {
    public static func decode(_ raw: [UInt8]) -> String {
        let text = String(decoding: raw, as: UTF8.self).isEmpty ? "" : latin1OrUTF8(raw)
        // Both characters are ASCII, kept as they are by either decoding: no `=?` in the bytes, no
        // encoded word in the text (a byte scan instead of a Foundation string search).
        guard hasEncodedWordStart(raw), text.contains("=?") else { return text }
        var out = ""
        var rest = Substring(text)
        var lastWasWord = false
        while let start = rest.range(of: "=?") {
            let before = rest[..<start.lowerBound]
            if !(lastWasWord && before.allSatisfy({ $0 == " " || $0 == "\t" })) { out += before }
            let afterStart = rest[start.upperBound...]
            let parts = afterStart.split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
            if parts.count == 4, parts[3].hasPrefix("="), let decoded = decodeWord(String(parts[0]), String(parts[1]), String(parts[2])) {
                out += decoded
                let consumed = parts[0].count + parts[1].count + parts[2].count + 4
                rest = afterStart.dropFirst(consumed)
                lastWasWord = true
            } else {
                out += "=?"
                rest = afterStart
                lastWasWord = false
            }
        }
        out += rest
        return out
    }

    private static func hasEncodedWordStart(_ raw: [UInt8]) -> Bool {
        raw.withUnsafeBufferPointer { b in
            guard b.count >= 2 else { return false }
            for i in 0..<(b.count - 1) where b[i] == 0x3D && b[i + 1] == 0x3F { return true }
            return false
        }
    }

    private static func latin1OrUTF8(_ raw: [UInt8]) -> String {
        if let s = String(validatingUTF8: raw.map { CChar(bitPattern: $0) } + [0]) { return s }
        return String(raw.map { Character(Unicode.Scalar($0)) })
    }

    private static func decodeWord(_ charsetLabel: String, _ encoding: String, _ text: String) -> String? {
        var bytes: [UInt8]
        switch encoding.uppercased() {
        case "B":
            var b64 = text
            while b64.count % 4 != 0 { b64 += "=" }
            guard let data = Data(base64Encoded: b64) else { return nil }
            bytes = Array(data)
        case "Q":
            bytes = []
            let t = Array(text.utf8)
            var i = 0
            while i < t.count {
                if t[i] == UInt8(ascii: "_") { bytes.append(0x20) }
                else if t[i] == UInt8(ascii: "="), i + 2 < t.count, let v = UInt8(String(decoding: t[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                    bytes.append(v); i += 2
                } else { bytes.append(t[i]) }
                i += 1
            }
        default:
            return nil
        }
        let label = charsetLabel.split(separator: "*").first.map(String.init) ?? charsetLabel
        // UTF-8, the usual label: CharsetDecoder validates and passes valid UTF-8 through (dropping a
        // leading BOM), so valid bytes without a BOM are the text as they are; anything else takes it.
        if label.utf8.count == 5, label.lowercased() == "utf-8",
           !(bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF),
           let text = String(validating: bytes, as: UTF8.self) {
            return text
        }
        guard let charset = try? Charset(label), let decoder = try? CharsetDecoder(charset) else { return nil }
        return try? decoder.decode(bytes)
    }
}
