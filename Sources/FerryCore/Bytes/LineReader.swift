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
}

/// Splits a byte source into lines: CRLF, LF and lone CR; knows line numbers and byte offsets.
///
/// Memory is one buffer (1 MiB by default) that grows only for a line longer than it, up to
/// `maxLineLength`, past which `next()` throws a diagnostic naming the line.
public final class LineReader {
    private let source: ByteSource
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0          // first unconsumed byte
    private var end = 0            // end of valid data
    private var baseOffset: Int64 = 0  // input offset of buffer[0]
    private var eof = false
    private var nextCR = -1        // cached position of the next CR at or after `start`; `end` = none
    private var crValidUntil = -1  // `nextCR` is valid while `start <= nextCR` and data unchanged
    private var lineNumber = 0
    public let maxLineLength: Int

    public init(source: ByteSource, chunkSize: Int = 1 << 20, maxLineLength: Int = 1 << 30) {
        self.source = source
        self.capacity = max(chunkSize, 16)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        self.maxLineLength = maxLineLength
    }

    deinit { buffer.deallocate() }

    /// The number of the last line returned.
    public var currentLineNumber: Int { lineNumber }
    public var sourceName: String { source.name }

    /// The next line, or nil at the end of the input.
    public func next() throws -> Line? {
        while true {
            if start < end {
                let from = buffer + start
                let count = end - start
                let lfPointer = memchr(from, 0x0A, count)
                let lf = lfPointer.map { UnsafeRawPointer($0) - UnsafeRawPointer(buffer) } ?? -1
                if nextCR < start || crValidUntil != end {
                    let crPointer = memchr(from, 0x0D, count)
                    nextCR = crPointer.map { UnsafeRawPointer($0) - UnsafeRawPointer(buffer) } ?? end
                    crValidUntil = end
                }
                let limit = lf >= 0 ? lf : end
                if nextCR < limit && !(nextCR + 1 == lf) {
                    // A lone CR, unless it is the last byte and more data may bring its LF.
                    if nextCR + 1 < end || eof {
                        return emit(lineEnd: nextCR, terminator: .cr, consumed: nextCR + 1)
                    }
                } else if lf >= 0 {
                    let crlf = lf > start && buffer.load(fromByteOffset: lf - 1, as: UInt8.self) == 0x0D
                    return emit(lineEnd: crlf ? lf - 1 : lf, terminator: crlf ? .crlf : .lf, consumed: lf + 1)
                } else if eof {
                    return emit(lineEnd: end, terminator: .none, consumed: end)
                }
            } else if eof {
                return nil
            }
            try refill()
        }
    }

    @inline(__always)
    private func emit(lineEnd: Int, terminator: LineTerminator, consumed: Int) -> Line {
        lineNumber += 1
        let line = Line(bytes: UnsafeRawBufferPointer(start: buffer + start, count: lineEnd - start),
                        number: lineNumber, offset: baseOffset + Int64(start), terminator: terminator)
        start = consumed
        return line
    }

    private func refill() throws {
        // Keep the unfinished line, move it to the front, grow if it fills the buffer.
        let pending = end - start
        if start > 0 {
            if pending > 0 { memmove(buffer, buffer + start, pending) }
            baseOffset += Int64(start)
            nextCR = nextCR >= start ? nextCR - start : -1
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
            let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            grown.copyMemory(from: buffer, byteCount: end)
            buffer.deallocate()
            buffer = grown
            capacity = newCapacity
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
        if n == 0 { eof = true } else { end += n }
        crValidUntil = -1
    }

    /// Calls `body` for every remaining line.
    public func forEach(_ body: (Line) throws -> Void) throws {
        while let line = try next() { try body(line) }
    }
}
