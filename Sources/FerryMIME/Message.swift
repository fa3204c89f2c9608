import Foundation
import FerryCore

/// One entity of a message: its header, where its bytes lie, and its children.
///
/// Byte ranges are offsets into the message's spool and tile it exactly: a part is its header
/// range then its body; a multipart body is preamble, (delimiter, child)…, close delimiter, epilogue
/// (each delimiter range includes the line break before the `--` line, as RFC 2046 says).
public struct MIMEPart: Sendable {
    public enum Kind: String, Sendable {
        /// A body with content (text, attachment, or an entity past a limit).
        case leaf
        case multipart
        /// `message/rfc822` (or `message/global`): `children[0]` is the embedded message.
        case message
    }

    public var kind: Kind
    public var header: HeaderBlock
    public var contentType: ContentType
    /// The whole entity: header and body.
    public var range: Range<Int>
    public var bodyRange: Range<Int>
    public var children: [MIMEPart] = []
    public var preamble: Range<Int>?
    public var delimiters: [Range<Int>] = []
    public var epilogue: Range<Int>?
    /// The part number as Zimbra's `part=` and IMAP name it (`1`, `2`, `2.1`); nil for the multipart
    /// that is a message's body (it has no number of its own).
    public var number: String?

    init(kind: Kind, header: HeaderBlock, contentType: ContentType, range: Range<Int>, bodyRange: Range<Int>) {
        self.kind = kind
        self.header = header
        self.contentType = contentType
        self.range = range
        self.bodyRange = bodyRange
    }

    public var headerRange: Range<Int> { range.lowerBound..<bodyRange.lowerBound }

    public var transferEncoding: TransferEncoding {
        TransferEncoding(header.first("Content-Transfer-Encoding").map { $0.text() })
    }

    public var disposition: ContentDisposition? {
        header.first("Content-Disposition").flatMap { ContentDisposition.parse($0.unfoldedValue) }
    }

    /// The file name: Content-Disposition `filename`, else Content-Type `name` (RFC 2231 and RFC 2047 decoded).
    public var filename: String? {
        if let name = disposition?.filename, !name.isEmpty { return name }
        if let name = contentType.parameter("name"), !name.isEmpty { return name }
        return nil
    }

    /// Parts in document order (this one first).
    public func walk(_ body: (MIMEPart) throws -> Void) rethrows {
        try body(self)
        for child in children { try child.walk(body) }
    }

    /// The byte ranges that make up this part, in order; they tile `range`.
    public func segments() -> [Range<Int>] {
        var out: [Range<Int>] = [headerRange]
        switch kind {
        case .leaf:
            out.append(bodyRange)
        case .message:
            out.append(contentsOf: children[0].segments())
        case .multipart:
            if let preamble { out.append(preamble) }
            for (i, delimiter) in delimiters.enumerated() {
                out.append(delimiter)
                if i < children.count { out.append(contentsOf: children[i].segments()) }
            }
            if let epilogue { out.append(epilogue) }
        }
        return out.filter { !$0.isEmpty }
    }

    // MARK: Numbering (IMAP / Zimbra `part=`)

    /// Numbers the parts of a message whose root is `root`, under `prefix` ("" for the top level).
    static func numberMessage(_ root: inout MIMEPart, prefix: String) {
        if root.kind == .multipart {
            root.number = nil
            for i in root.children.indices {
                number(&root.children[i], join(prefix, i + 1))
            }
        } else {
            number(&root, join(prefix, 1))
        }
    }

    private static func number(_ part: inout MIMEPart, _ name: String) {
        part.number = name
        switch part.kind {
        case .multipart:
            for i in part.children.indices { number(&part.children[i], join(name, i + 1)) }
        case .message:
            numberMessage(&part.children[0], prefix: name)
        case .leaf:
            break
        }
    }

    private static func join(_ prefix: String, _ n: Int) -> String { prefix.isEmpty ? "\(n)" : "\(prefix).\(n)" }
}

/// A parsed message: its exact bytes (in the spool) and the MIME tree over them.
public struct MIMEMessage: ItemPayload {
    public let spool: MessageSpool
    public let root: MIMEPart
    /// What the parser worked around (offsets into the message).
    public let warnings: [MIMEWarning]
    public let headerFallback: Charset?

    public init(spool: MessageSpool, root: MIMEPart, warnings: [MIMEWarning], headerFallback: Charset? = nil) {
        self.spool = spool
        self.root = root
        self.warnings = warnings
        self.headerFallback = headerFallback
    }

    public var kind: ItemKind { .message }
    public var header: HeaderBlock { root.header }
    public var size: Int { spool.count }

    /// The message's bytes exactly as read. For huge messages prefer `writeOriginal(to:)`.
    public var originalBytes: [UInt8]? { try? spool.allBytes() }

    /// The exact bytes (`parse(raw).bytes == raw`).
    public var bytes: [UInt8] { (try? spool.allBytes()) ?? [] }

    public func writeOriginal(to sink: ByteSink) throws -> Bool {
        try spool.forEachPiece(0..<spool.count) { try sink.write($0) }
        return true
    }

    // MARK: Header shortcuts

    public var subject: String? { header.text("Subject", fallback: headerFallback) }
    public var date: Date? { header.first("Date").flatMap { MailDate.parse($0.unfoldedValue) } }
    public var messageID: String? {
        header.first("Message-ID").map { String(decoding: $0.unfoldedValue, as: UTF8.self) }
    }

    public func addresses(_ field: String) -> [AddressEntry] {
        header.all(field).flatMap { AddressList.parse($0.unfoldedValue, fallback: headerFallback) }
    }

    public var from: [MailAddress] { addresses("From").flatMap(\.mailboxes) }

    // MARK: Parts

    /// Every part in document order.
    public var parts: [MIMEPart] {
        var out: [MIMEPart] = []
        root.walk { out.append($0) }
        return out
    }

    /// The part with this number (`1`, `2.1`), as Zimbra's `part=`.
    public func part(_ number: String) -> MIMEPart? {
        var found: MIMEPart?
        root.walk { if found == nil && $0.number == number { found = $0 } }
        return found
    }

    /// The exact bytes of a range (a part's `range`, `bodyRange`, …).
    public func bytes(_ range: Range<Int>) throws -> [UInt8] { try spool.bytes(range) }

    /// Streams a part's content, transfer-decoded for a leaf (base64, quoted-printable), as it lies
    /// for a multipart or an embedded message. Memory: one chunk. Returns bytes that were not valid
    /// in the transfer encoding (skipped or kept literally).
    @discardableResult
    public func decodeContent(of part: MIMEPart, chunk: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        guard part.kind == .leaf else {
            try spool.forEachPiece(part.bodyRange, chunk)
            return 0
        }
        let decoder = part.transferEncoding.makeDecoder()
        var out: [UInt8] = []
        try spool.forEachPiece(part.bodyRange) { piece in
            out.removeAll(keepingCapacity: true)
            decoder.decode(piece, into: &out)
            try out.withUnsafeBytes { try chunk($0) }
        }
        out.removeAll(keepingCapacity: true)
        decoder.finish(into: &out)
        try out.withUnsafeBytes { try chunk($0) }
        return decoder.invalidBytes
    }

    /// A part's decoded content in memory (small parts).
    public func decodedContent(of part: MIMEPart) throws -> [UInt8] {
        var all: [UInt8] = []
        try decodeContent(of: part) { all.append(contentsOf: $0) }
        return all
    }

    /// Writes a part's decoded content to a sink (`ferry convert --part N`).
    @discardableResult
    public func writeContent(of part: MIMEPart, to sink: ByteSink) throws -> Int {
        try decodeContent(of: part) { try sink.write($0) }
    }

    /// The charset a text part is read in: declared, else detected from its decoded bytes.
    public func textCharset(of part: MIMEPart) throws -> String {
        if let declared = part.contentType.charset, (try? Charset(declared)) != nil { return declared }
        var sample: [UInt8] = []
        try decodeContent(of: part) { piece in
            if sample.count < CharsetDetector.sampleSize { sample.append(contentsOf: piece.prefix(CharsetDetector.sampleSize - sample.count)) }
        }
        return CharsetDetector.detect(sample).charset
    }

    /// A text part decoded to Unicode from its declared or detected charset.
    public func text(of part: MIMEPart) throws -> String {
        let charset = try Charset(textCharset(of: part))
        let decoder = try CharsetDecoder(charset, policy: .replace)
        var out: [UInt8] = []
        try decodeContent(of: part) { try decoder.decode($0, final: false, into: &out) }
        try decoder.decode(UnsafeRawBufferPointer(start: nil, count: 0), final: true, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The ranges that tile the message, in order (the lossless property: they cover every byte once).
    public func segments() -> [Range<Int>] { root.segments() }

    /// Warnings as diagnostics with line and column (`lineOffset` for a message inside a larger file).
    public func diagnostics(file: String?, lineOffset: Int = 0) -> [Diagnostic] {
        warnings.map { w in
            let (line, column) = spool.lineAndColumn(of: w.offset)
            return .warning(w.code, w.message, file: file, line: line + lineOffset, column: column)
        }
    }
}
