#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FerryCore

/// A minimal streaming `From `-line splitter, enough to walk an mbox through the MIME parser in
/// flat memory for the benchmarks and tests. It does no mboxrd unescaping and no From_-line
/// validation: the mbox format itself (variants, escaping, Content-Length, dialects) is the
/// archive module's job. Each message runs from after its `From ` line to the next line that
/// starts with `From ` (its last line break included).
public final class SimpleMboxSplitter {
    private let source: ByteSource
    private var buf: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var pos = 0
    private var end = 0
    private var eof = false
    private var current: MessageSource?
    /// Input offset of `buf[0]`.
    private var bufferOffset = 0
    /// Input offset where the current message starts.
    public private(set) var messageOffset = 0
    private var separatorReached = false
    /// Search cache: the separator found (buffer index), or how far the buffer was searched.
    private var foundSeparator: Int?
    private var searchedUntil = 0
    public private(set) var messages = 0

    public init(source: ByteSource, bufferSize: Int = 1 << 20) {
        self.source = source
        self.capacity = bufferSize
        self.buf = UnsafeMutablePointer<UInt8>.allocate(capacity: bufferSize)
    }

    deinit { buf.deallocate() }

    /// The next message as a stream (valid until the next call), or nil at the end.
    public func next() throws -> ByteSource? {
        if let current { try current.skipRest() }
        current = nil
        separatorReached = false
        // Find a line that starts with "From " (skipping anything before it), then skip that line.
        while true {
            while end - pos < 5 && !eof { try refill(keep: end - pos) }
            if end - pos < 5 { pos = end; return nil }
            let isFromLine = memcmp(buf + pos, "From ", 5) == 0
            // Skip the line (in pieces when it is longer than the buffer).
            while true {
                if let nl = memchr(buf + pos, 0x0A, end - pos) {
                    pos = (nl.assumingMemoryBound(to: UInt8.self) - buf) + 1
                    break
                }
                pos = end
                if eof { return nil }
                try refill(keep: 0)
            }
            if isFromLine { break }
        }
        messages += 1
        messageOffset = bufferOffset + pos
        let message = MessageSource(self)
        current = message
        return message
    }

    private func refill(keep: Int) throws {
        foundSeparator = nil
        searchedUntil = 0
        bufferOffset += end - keep
        if keep > 0 { memmove(buf, buf + (end - keep), keep) }
        pos = 0
        end = keep
        guard !eof else { return }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buf + end, count: capacity - end))
        if n == 0 { eof = true } else { end += n }
    }

    /// Index of the `\n` of the next `\nFrom ` in the buffer. Eight bytes at a time (stepping by
    /// seven, so every adjacent pair is seen inside one word), looking for `\n` followed by `F`:
    /// base64 and text lines rarely start with `F`, so the loop seldom stops.
    private func findSeparator(from start: Int) -> Int? {
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 {
            let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
            return ~(((x & low7) &+ low7) | x | low7)
        }
        let limit = end - 6
        var i = start
        while i + 8 <= end {
            let word = UnsafeRawPointer(buf + i).loadUnaligned(as: UInt64.self)
            let pairs = zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A) & (zeroBytes(word ^ 0x4646_4646_4646_4646) >> 8)
            if pairs == 0 { i += 7; continue }
            let j = i + pairs.trailingZeroBitCount >> 3
            if j > limit { return nil }
            if buf[j + 2] == 0x72 && buf[j + 3] == 0x6F && buf[j + 4] == 0x6D && buf[j + 5] == 0x20 { return j }
            i = j + 1
        }
        while i <= limit {
            if buf[i] == 0x0A && buf[i + 1] == 0x46 && buf[i + 2] == 0x72 && buf[i + 3] == 0x6F && buf[i + 4] == 0x6D
                && buf[i + 5] == 0x20 { return i }
            i += 1
        }
        return nil
    }

    /// Serves bytes up to the next `\nFrom `.
    fileprivate func readMessage(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        if separatorReached { return 0 }
        while true {
            if pos < end {
                // Where does the message end in the buffered bytes?
                let available = end - pos
                var limit = available
                var found = false
                if let cached = foundSeparator, cached < pos { foundSeparator = nil }
                if foundSeparator == nil {
                    foundSeparator = findSeparator(from: max(pos, searchedUntil))
                    searchedUntil = foundSeparator ?? max(pos, end - 5)
                }
                if let hit = foundSeparator {
                    limit = hit - pos + 1
                    found = true
                } else if !eof {
                    limit = max(0, available - 5)  // the pattern may straddle the refill
                }
                if limit > 0 {
                    let n = min(limit, out.count)
                    out.baseAddress!.copyMemory(from: buf + pos, byteCount: n)
                    pos += n
                    if found && n == limit { separatorReached = true }
                    return n
                }
                if found { return 0 }  // at the separator
            }
            if eof { return 0 }
            try refill(keep: end - pos)
        }
    }

    fileprivate final class MessageSource: ByteSource {
        unowned let splitter: SimpleMboxSplitter
        var done = false
        let name = "<mbox message>"
        init(_ splitter: SimpleMboxSplitter) { self.splitter = splitter }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            guard !done, buffer.count > 0 else { return 0 }
            let n = try splitter.readMessage(into: buffer)
            if n == 0 { done = true }
            return n
        }

        func skipRest() throws {
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
            defer { scratch.deallocate() }
            while try read(into: scratch) > 0 {}
        }
    }
}
