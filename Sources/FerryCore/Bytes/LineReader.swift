import CSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a line ended.
public enum LineTerminator: UInt8, Sendable {
    case none = 0   // last line of the input without a terminator
    case lf = 1     // "\n"
    case crlf = 2   // "\r\n"
    case cr = 3     // a lone "\r" (classic Mac OS, some broken exports)

    public var byteCount: Int {
        switch self {
        case .none: 0
        case .lf, .cr: 1
        case .crlf: 2
        }
    }
}

/// One line, borrowed from the reader's buffer: valid only until the next call to `next()`.
public struct Line {
    /// The line's bytes without its terminator.
    public let bytes: UnsafeRawBufferPointer
    /// 1-based line number (a lone CR, LF and CRLF each end one line).
    public let number: Int
    /// Byte offset of the line's first byte in the input.
    public let offset: Int64
    public let terminator: LineTerminator

    /// The line's bytes copied out.
    public var array: [UInt8] { Array(bytes) }
    /// The line decoded as UTF-8 (invalid sequences become U+FFFD).
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    @usableFromInline
    init(bytes: UnsafeRawBufferPointer, number: Int, offset: Int64, terminator: LineTerminator) {
        self.bytes = bytes
        self.number = number
        self.offset = offset
        self.terminator = terminator
    }
}

/// Splits a byte source into lines: CRLF, LF and lone CR; knows line numbers and byte offsets.
///
/// Memory is one buffer (256 KiB by default, small enough to stay in the CPU cache) that grows only
/// for a line longer than it, up to `maxLineLength`, past which `next()` throws a diagnostic naming
/// the line. Line ends are found a block at a time (SIMD, in `CSupport`) into a small table of
/// positions, so each `next()` is a table lookup rather than a search.
public final class LineReader {
    private let source: ByteSource
    @usableFromInline var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    @usableFromInline var start = 0          // first unconsumed byte
    private var end = 0            // end of valid data
    @usableFromInline var baseOffset: Int64 = 0  // input offset of buffer[0]
    private var eof = false
    @usableFromInline var lineNumber = 0
    public let maxLineLength: Int

    /// Offsets (from `scanBase`) of the line ends found in buffer[scanBase..<scanned], in order:
    /// an LF; a CR (bit 31); a CR followed by its LF (bits 31 and 30).
    @usableFromInline let ends: UnsafeMutablePointer<UInt32>
    @usableFromInline var scanBase = 0
    /// A regular file read through a memory mapping instead of `read` (no copy, no refills).
    private var mapping: FileMapping?
    private var released = 0
    private static let endsCapacity = 1024
    @usableFromInline var endIndex = 0
    @usableFromInline var endCount = 0
    private var scanned = 0

    public init(source: ByteSource, chunkSize: Int = 1 << 18, maxLineLength: Int = 1 << 30) {
        self.source = source
        self.maxLineLength = maxLineLength
        self.ends = .allocate(capacity: LineReader.endsCapacity)
        if let file = source as? FileSource, let (mapping, offset) = file.takeMapping() {
            // The whole file is the buffer: lines are borrowed from the mapping.
            self.mapping = mapping
            mapping.startReadingAhead(from: offset)
            self.capacity = mapping.length
            self.buffer = UnsafeMutableRawPointer(mutating: mapping.base)
            self.start = offset
            self.scanned = offset
            self.released = 0
            self.end = mapping.length
            self.eof = true
        } else {
            self.capacity = max(chunkSize, 16)
            self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        }
    }

    deinit {
        if mapping == nil { buffer.deallocate() }
        ends.deallocate()
    }

    /// The number of the last line returned.
    public var currentLineNumber: Int { lineNumber }
    public var sourceName: String { source.name }

    /// The next line, or nil at the end of the input.
    ///
    /// Inlinable: the common cases (an LF or a CRLF already found by the last scan) compile into the
    /// caller's loop; everything else is `nextSlow()`.
    @inlinable
    public func next() throws -> Line? {
        if endIndex < endCount {
            let entry = ends[endIndex]
            if entry < 0x8000_0000 || entry >= 0xC000_0000 {  // LF, or CR with its LF
                endIndex &+= 1
                let crlf = entry >= 0xC000_0000
                let p = scanBase &+ Int(entry & 0x3FFF_FFFF)
                lineNumber &+= 1
                let line = Line(bytes: UnsafeRawBufferPointer(start: buffer + start, count: p &- start),
                                number: lineNumber, offset: baseOffset &+ Int64(start),
                                terminator: crlf ? .crlf : .lf)
                start = p &+ (crlf ? 2 : 1)
                return line
            }
        }
        return try nextSlow()
    }

    @usableFromInline
    func nextSlow() throws -> Line? {
        while true {
            if endIndex < endCount {
                let entry = ends[endIndex]
                if entry < 0x8000_0000 {  // LF
                    endIndex &+= 1
                    let p = scanBase &+ Int(entry)
                    return emit(lineEnd: p, terminator: .lf, consumed: p &+ 1)
                }
                if entry >= 0xC000_0000 {  // CR with its LF
                    endIndex &+= 1
                    let p = scanBase &+ Int(entry & 0x3FFF_FFFF)
                    return emit(lineEnd: p, terminator: .crlf, consumed: p &+ 2)
                }
                // A CR: CRLF across scan blocks, a lone CR, or (last byte of the data) not known yet.
                let relative = entry & 0x3FFF_FFFF
                let p = scanBase &+ Int(relative)
                if endIndex &+ 1 < endCount && ends[endIndex &+ 1] == relative &+ 1 {  // an LF follows
                    endIndex &+= 2
                    return emit(lineEnd: p, terminator: .crlf, consumed: p &+ 2)
                }
                if p &+ 1 < scanned {  // the next byte was scanned and is no line end
                    endIndex &+= 1
                    return emit(lineEnd: p, terminator: .cr, consumed: p &+ 1)
                }
                if p &+ 1 < end {  // the scan stopped right after the CR: look
                    if buffer.load(fromByteOffset: p &+ 1, as: UInt8.self) == 0x0A {
                        endIndex = endCount
                        scanned = p &+ 2
                        return emit(lineEnd: p, terminator: .crlf, consumed: p &+ 2)
                    }
                    endIndex &+= 1
                    return emit(lineEnd: p, terminator: .cr, consumed: p &+ 1)
                }
                if eof {
                    endIndex &+= 1
                    return emit(lineEnd: p, terminator: .cr, consumed: p &+ 1)
                }
                try refill()
                continue
            }
            if scanned < end {
                scan()
                continue
            }
            if eof {
                if start < end { return emit(lineEnd: end, terminator: .none, consumed: end) }
                return nil
            }
            try refill()
        }
    }

    /// Finds the next batch of line ends after `scanned`.
    private func scan() {
        if let mapping {
            if start - released >= FileMapping.releaseStep {
                // Keep memory flat on huge files: drop the pages of lines already returned.
                mapping.release(upTo: start)
                released = start
            } else {
                mapping.advance(to: start)
            }
        }
        var next = 0
        scanBase = scanned
        endCount = ferry_scan_line_ends(buffer.assumingMemoryBound(to: UInt8.self) + scanBase, end - scanBase,
                                        ends, LineReader.endsCapacity, &next)
        endIndex = 0
        scanned = scanBase + next
    }

    @inline(__always)
    private func emit(lineEnd: Int, terminator: LineTerminator, consumed: Int) -> Line {
        lineNumber &+= 1
        let line = Line(bytes: UnsafeRawBufferPointer(start: buffer + start, count: lineEnd &- start),
                        number: lineNumber, offset: baseOffset &+ Int64(start), terminator: terminator)
        start = consumed
        return line
    }

    private func refill() throws {
        // Keep the unfinished line, move it to the front, grow if it fills the buffer. Its bytes are
        // scanned again (they hold at most a trailing CR).
        let pending = end - start
        if start > 0 {
            if pending > 0 { memmove(buffer, buffer + start, pending) }
            baseOffset += Int64(start)
            start = 0
            end = pending
        }
        if end == capacity {
            guard capacity < maxLineLength else {
                throw FerryError.data("line.too-long",
                                      "line is longer than the limit of \(maxLineLength) bytes",
                                      file: source.name, line: lineNumber + 1, column: 1)
            }
            let newCapacity = min(capacity * 2, max(maxLineLength, capacity + 1))
            let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 64)
            grown.copyMemory(from: buffer, byteCount: end)
            buffer.deallocate()
            buffer = grown
            capacity = newCapacity
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
        if n == 0 { eof = true } else { end += n }
        endIndex = 0
        endCount = 0
        scanned = start
    }

    /// Calls `body` for every remaining line.
    public func forEach(_ body: (Line) throws -> Void) throws {
        while let line = try next() { try body(line) }
    }
}
