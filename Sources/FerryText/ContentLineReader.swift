import FerryCore

/// Streams logical content lines out of a byte source: unfolds (CRLF, LF or lone CR followed by a
/// space or tab), joins vCard 2.1 quoted-printable soft line breaks and un-indented vCard 2.1 base64
/// bodies, skips blank lines, and reports each line with the physical line it started on.
///
/// Every logical line keeps its exact physical bytes in `raw`. Bytes that belong to no line
/// (blank lines) are attached to the next line's `raw` as leading bytes (`leadingRaw`), so writing
/// every `raw` in order reproduces the input exactly.
public final class ContentLineReader {
    private let lines: LineReader
    public let sourceName: String
    private var pending: (bytes: [UInt8], raw: [UInt8], number: Int)?
    private var leading: [UInt8] = []
    private var finished = false
    /// Physical bytes after the last logical line (trailing blank lines), available at the end.
    public private(set) var trailingRaw: [UInt8] = []
    /// Errors for lines that are not content lines are reported here, and the line is skipped.
    public let log: DiagnosticLog?
    public let maxLineLength: Int

    public init(source: ByteSource, log: DiagnosticLog? = nil, maxLineLength: Int = 64 << 20) {
        self.lines = LineReader(source: source, chunkSize: 1 << 16, maxLineLength: maxLineLength)
        self.sourceName = source.name
        self.log = log
        self.maxLineLength = maxLineLength
    }

    /// A logical line: the parsed content line plus the raw bytes of any blank lines before it.
    public struct Entry {
        public var line: ContentLine
        /// Bytes of skipped blank lines just before this line (part of a lossless round trip).
        public var leadingRaw: [UInt8]
    }

    private func physical() throws -> (bytes: [UInt8], raw: [UInt8], number: Int)? {
        if let p = pending { pending = nil; return p }
        guard let line = try lines.next() else { return nil }
        let bytes = line.array
        var raw = bytes
        switch line.terminator {
        case .lf: raw.append(0x0A)
        case .crlf: raw.append(contentsOf: [0x0D, 0x0A])
        case .cr: raw.append(0x0D)
        case .none: break
        }
        return (bytes, raw, line.number)
    }

    /// The next logical line, or nil at the end. Malformed lines are reported to `log` and skipped
    /// (their bytes stay in the following entry's `leadingRaw`).
    public func next() throws -> Entry? {
        while true {
            guard let first = try physical() else {
                trailingRaw = leading
                leading = []
                return nil
            }
            if first.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                leading += first.raw
                continue
            }
            var logical = first.bytes
            var raw = first.raw
            let qp = mentionsQuotedPrintable(first.bytes)
            let b64 = !qp && mentionsBase64(first.bytes)
            while let next = try physical() {
                if qp, logical.last == UInt8(ascii: "=") {
                    // vCard 2.1 quoted-printable soft line break: the next line continues the value
                    // as it is (leading whitespace included); keep "=" + CRLF for the QP decoder.
                    logical.append(contentsOf: [0x0D, 0x0A])
                    logical.append(contentsOf: next.bytes)
                    raw += next.raw
                } else if let lead = next.bytes.first, lead == 0x20 || lead == 0x09 {
                    // RFC folding: drop the line break and one whitespace character.
                    logical.append(contentsOf: next.bytes.dropFirst())
                    raw += next.raw
                } else if b64, !next.bytes.isEmpty, isBase64Body(next.bytes) {
                    // vCard 2.1 base64 body written without indentation, ended by a blank line.
                    logical.append(contentsOf: next.bytes)
                    raw += next.raw
                } else {
                    pending = next
                    break
                }
                if logical.count > maxLineLength {
                    throw FerryError.data("text.line-too-long", "content line longer than \(maxLineLength) bytes",
                                          file: sourceName, line: first.number)
                }
            }
            do {
                let parsed = try ContentLineParser.parse(logical[...], line: first.number, raw: raw)
                let entry = Entry(line: parsed, leadingRaw: leading)
                leading = []
                return entry
            } catch {
                log?.emit(.error("text.bad-line", error.message, file: sourceName, line: first.number,
                                 column: error.column))
                leading += raw
            }
        }
    }

    private func mentionsQuotedPrintable(_ bytes: [UInt8]) -> Bool {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return false }
        return String(decoding: bytes[..<colon], as: UTF8.self).uppercased().contains("QUOTED-PRINTABLE")
    }

    private func mentionsBase64(_ bytes: [UInt8]) -> Bool {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let head = String(decoding: bytes[..<colon], as: UTF8.self).uppercased()
        return head.contains("ENCODING=BASE64") || head.contains(";BASE64")
    }

    private func isBase64Body(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { b in
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
                || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
        }
    }
}
