import FerryCore

/// Where a logical content line was folded (RFC 5545 §3.1, RFC 6350 §3.2) or soft-broken
/// (quoted-printable, vCard 2.1), so the exact physical bytes can be rebuilt.
public struct Fold: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        /// A line break followed by a space (removed with the break when unfolding).
        case space = 0x20
        /// A line break followed by a tab.
        case tab = 0x09
        /// A quoted-printable soft line break: `=` at the end of the physical line (removed with the break).
        case softBreak = 0x3D
    }

    /// Index in the unfolded bytes where the continuation's content starts.
    public var offset: Int
    /// How the physical line before the fold ended.
    public var terminator: LineTerminator
    public var kind: Kind

    public init(offset: Int, terminator: LineTerminator, kind: Kind) {
        self.offset = offset
        self.terminator = terminator
        self.kind = kind
    }
}

/// One logical content line as read: its unfolded bytes plus everything needed to rebuild the
/// physical bytes exactly (folds, terminators, a byte-order mark) and to point at a byte in the file.
public struct UnfoldedLine: Sendable {
    /// The logical line without line breaks and fold whitespace.
    public var bytes: [UInt8]
    /// 1-based physical line number of the first byte.
    public var line: Int
    /// Byte offset of the first physical byte in the input.
    public var offset: Int64
    /// How the last physical line ended.
    public var terminator: LineTerminator
    /// The folds inside this logical line, in order (empty for most lines).
    public var folds: [Fold]
    /// True when the input started with a UTF-8 byte-order mark just before this line (kept for the
    /// round trip, not part of `bytes`).
    public var hasByteOrderMark: Bool
    /// True when this line starts with a space or tab but had no line before it to continue.
    public var isOrphanContinuation: Bool

    public init(bytes: [UInt8], line: Int = 1, offset: Int64 = 0, terminator: LineTerminator = .crlf,
                folds: [Fold] = [], hasByteOrderMark: Bool = false, isOrphanContinuation: Bool = false) {
        self.bytes = bytes
        self.line = line
        self.offset = offset
        self.terminator = terminator
        self.folds = folds
        self.hasByteOrderMark = hasByteOrderMark
        self.isOrphanContinuation = isOrphanContinuation
    }

    /// Number of physical lines this logical line spans.
    public var physicalLineCount: Int { folds.count + 1 }

    /// Physical line and 1-based byte column of the byte at `index` of `bytes` (index == count
    /// points just past the last byte).
    public func location(ofByte index: Int) -> (line: Int, column: Int) {
        var line = self.line
        var start = 0
        var firstColumn = 1
        for fold in folds where fold.offset <= index {
            line += 1
            start = fold.offset
            firstColumn = fold.kind == .softBreak ? 1 : 2
        }
        return (line, index - start + firstColumn)
    }

    /// Appends the exact physical bytes (folds, `=` soft breaks, terminators, BOM) to `out`.
    public func appendRaw(to out: inout [UInt8]) {
        if hasByteOrderMark { out.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
        var from = 0
        for fold in folds {
            out.append(contentsOf: bytes[from..<fold.offset])
            if fold.kind == .softBreak { out.append(0x3D) }
            fold.terminator.append(to: &out)
            if fold.kind != .softBreak { out.append(fold.kind.rawValue) }
            from = fold.offset
        }
        out.append(contentsOf: bytes[from...])
        terminator.append(to: &out)
    }

    /// The exact physical bytes.
    public var rawBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + folds.count * 3 + 2)
        appendRaw(to: &out)
        return out
    }

    /// Total number of physical bytes (what `appendRaw` writes).
    public var rawCount: Int {
        var n = bytes.count + terminator.byteCount + (hasByteOrderMark ? 3 : 0)
        for fold in folds { n += fold.terminator.byteCount + 1 }
        return n
    }

    /// The line decoded as UTF-8 (invalid sequences become U+FFFD).
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

extension LineTerminator {
    /// Appends the terminator's bytes.
    @inlinable
    public func append(to out: inout [UInt8]) {
        switch self {
        case .none: break
        case .lf: out.append(0x0A)
        case .crlf: out.append(0x0D); out.append(0x0A)
        case .cr: out.append(0x0D)
        }
    }
}

/// Reads logical content lines from a byte source: splits CRLF, LF and lone CR, unfolds a line break
/// followed by a space or tab, and (optionally) joins quoted-printable soft line breaks of vCard 2.1
/// properties that carry `ENCODING=QUOTED-PRINTABLE`.
///
/// Streaming: memory is the line reader's buffer plus the current and the next logical line.
public final class ContentLineReader {
    public struct Options: Sendable {
        /// Join a physical line ending in `=` with the next when the property is quoted-printable
        /// (vCard 2.1, vCalendar 1.0). Off for iCalendar 2.0.
        public var quotedPrintableSoftBreaks = false
        public var maxLineLength = 64 << 20

        public init(quotedPrintableSoftBreaks: Bool = false) {
            self.quotedPrintableSoftBreaks = quotedPrintableSoftBreaks
        }
    }

    private let lines: LineReader
    private let options: Options
    private var pending: UnfoldedLine?
    private var atStart = true
    public var sourceName: String { lines.sourceName }

    public init(source: ByteSource, options: Options = Options(), chunkSize: Int = 1 << 18) {
        self.lines = LineReader(source: source, chunkSize: chunkSize, maxLineLength: options.maxLineLength)
        self.options = options
    }

    /// The next logical line, or nil at the end of the input.
    public func next() throws -> UnfoldedLine? {
        var current: UnfoldedLine
        if let p = pending.take() {  // moved out: no retain and release of its arrays
            current = p
        } else {
            guard let line = try lines.next() else { return nil }
            current = start(line)
        }
        while let line = try lines.next() {
            let b = line.bytes
            if options.quotedPrintableSoftBreaks, current.bytes.last == 0x3D, isQuotedPrintable(current.bytes) {
                current.bytes.removeLast()
                current.folds.append(Fold(offset: current.bytes.count, terminator: current.terminator, kind: .softBreak))
                current.bytes.append(contentsOf: b)
                current.terminator = line.terminator
                continue
            }
            if let first = b.first, first == 0x20 || first == 0x09 {
                current.folds.append(Fold(offset: current.bytes.count, terminator: current.terminator,
                                          kind: first == 0x20 ? .space : .tab))
                current.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[1...]))
                current.terminator = line.terminator
                continue
            }
            pending = start(line)
            break
        }
        return current
    }

    private func start(_ line: Line) -> UnfoldedLine {
        var bytes = Array(line.bytes)
        var bom = false
        if atStart {
            atStart = false
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                bytes.removeFirst(3)
                bom = true
            }
            if let first = bytes.first, first == 0x20 || first == 0x09 {
                return UnfoldedLine(bytes: bytes, line: line.number, offset: line.offset, terminator: line.terminator,
                                    hasByteOrderMark: bom, isOrphanContinuation: true)
            }
        }
        return UnfoldedLine(bytes: bytes, line: line.number, offset: line.offset + (bom ? 3 : 0),
                            terminator: line.terminator, hasByteOrderMark: bom)
    }

    /// True when the part before the first colon names quoted-printable encoding.
    private func isQuotedPrintable(_ bytes: [UInt8]) -> Bool {
        let pattern: [UInt8] = Array("QUOTED-PRINTABLE".utf8)
        guard let colon = bytes.firstIndex(of: 0x3A), colon >= pattern.count else { return false }
        var i = 0
        while i + pattern.count <= colon {
            var matched = true
            for k in 0..<pattern.count where bytes[i + k] & 0xDF != pattern[k] & 0xDF {
                // `& 0xDF` folds ASCII case; '-' (0x2D) maps to 0x0D on both sides.
                matched = false
                break
            }
            if matched { return true }
            i += 1
        }
        return false
    }

    /// Calls `body` for every remaining logical line.
    public func forEach(_ body: (UnfoldedLine) throws -> Void) throws {
        while let line = try next() { try body(line) }
    }
}
