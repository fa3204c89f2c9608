#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FerryCore

/// One line handed out by the scanner. `content` is borrowed until the next scanner call.
struct ScannedLine {
    /// Message offsets: first byte, end of content (before CR LF / LF), after the terminator.
    var start: Int
    var contentEnd: Int
    var end: Int
    /// The content, at most the requested maximum length.
    var content: UnsafeBufferPointer<UInt8>
    /// The whole line with its terminator (nil when the line was longer than the maximum).
    var full: UnsafeBufferPointer<UInt8>?
    var truncated: Bool { full == nil }
    var terminatorLength: Int { end - contentEnd }
}

/// A delimiter candidate: a line starting with `--`.
struct Candidate {
    var offset: Int
    /// Length of the line break just before the line (0, 1 for LF, 2 for CR LF).
    var breakBefore: Int
}

/// Pulls a message from a source through a sliding window, appending every byte read to the spool
/// (so the spool is exactly the input) and offering the two moves the MIME parser needs: the next
/// line (headers) and a jump to the next line that starts with `--` (bodies; `memchr` over base64,
/// which never contains `-`).
final class StreamScanner {
    private let source: ByteSource
    let spool: MessageSpool
    private var buf: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var base = 0     // message offset of buf[0]
    private var pos = 0      // next unread byte
    private var end = 0      // end of valid bytes
    private(set) var eof = false
    private var direct: Bool
    private let windowSize: Int
    private var longLine: UnsafeMutablePointer<UInt8>?
    private var longLineCapacity = 0

    init(source: ByteSource, spool: MessageSpool, windowSize: Int = 1 << 16) {
        self.source = source
        self.spool = spool
        self.windowSize = max(windowSize, 256)
        // While the message fits in memory the window is the spool itself (no copy); past the
        // spool's memory limit it becomes a sliding window of its own.
        if let base = spool.memoryBase, spool.count == 0 {
            self.direct = true
            self.buf = base
            self.capacity = 0
        } else {
            self.direct = false
            self.capacity = self.windowSize
            self.buf = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        }
    }

    deinit {
        if !direct { buf.deallocate() }
        longLine?.deallocate()
    }

    /// The message offset of the next unread byte.
    var offset: Int { base + pos }

    /// Makes at least `n` bytes available from `pos` unless the input ends first; returns how many are.
    @discardableResult
    private func fill(_ n: Int) throws -> Int {
        while direct && end - pos < n && !eof {
            let want = max(n - (end - pos), min(max(end, 1 << 16), 1 << 20))
            if let tail = spool.reserveTail(want) {
                let got = try source.read(into: UnsafeMutableRawBufferPointer(start: tail, count: want))
                if got == 0 { eof = true } else { spool.commitTail(got); end += got }
                buf = spool.memoryBase!
            } else {
                // The message outgrows memory: keep the live bytes in a window, spill the spool.
                let keep = max(0, pos - 2)
                capacity = max(windowSize, (end - keep) * 2, n + 2)
                let window = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
                window.update(from: buf + keep, count: end - keep)
                buf = window
                base = keep
                pos -= keep
                end -= keep
                direct = false
                try spool.spill()
            }
        }
        while end - pos < n && !eof {
            // Keep two bytes behind `pos` (the line break before a delimiter).
            let keep = max(0, pos - 2)
            if keep > 0 {
                let live = end - keep
                if live > 0 { memmove(buf, buf + keep, live) }
                base += keep
                pos -= keep
                end -= keep
            }
            if n + pos > capacity {
                var newCapacity = capacity * 2
                while newCapacity < n + pos { newCapacity *= 2 }
                let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
                grown.update(from: buf, count: end)
                buf.deallocate()
                buf = grown
                capacity = newCapacity
            }
            let got = try source.read(into: UnsafeMutableRawBufferPointer(start: buf + end, count: capacity - end))
            if got == 0 {
                eof = true
            } else {
                try spool.append(UnsafeRawBufferPointer(start: buf + end, count: got))
                end += got
            }
        }
        return end - pos
    }

    /// The next line (LF or CR LF ends a line; a lone CR is content), or nil at the end.
    /// Lines longer than `maxLength` come back truncated (`full == nil`) and are skipped in flat memory.
    func readLine(maxLength: Int) throws -> ScannedLine? {
        if pos >= end, try fill(1) == 0 { return nil }
        var searched = 0
        while true {
            let from = pos + searched
            if let hit = memchr(buf + from, 0x0A, end - from) {
                let j = hit.assumingMemoryBound(to: UInt8.self) - buf
                let length = j - pos
                if length > maxLength { break }
                let contentEnd = (j > pos && buf[j - 1] == 0x0D) ? j - 1 : j
                let line = ScannedLine(start: base + pos, contentEnd: base + contentEnd, end: base + j + 1,
                                       content: UnsafeBufferPointer(start: buf + pos, count: contentEnd - pos),
                                       full: UnsafeBufferPointer(start: buf + pos, count: j + 1 - pos))
                pos = j + 1
                return line
            }
            searched = end - pos
            if searched > maxLength { break }
            if eof {
                let line = ScannedLine(start: base + pos, contentEnd: base + end, end: base + end,
                                       content: UnsafeBufferPointer(start: buf + pos, count: end - pos),
                                       full: UnsafeBufferPointer(start: buf + pos, count: end - pos))
                pos = end
                return line
            }
            try fill(searched + 4096)
        }
        // Longer than allowed: keep the first `maxLength` bytes, skip to the line's end.
        let start = base + pos
        if longLineCapacity < maxLength {
            longLine?.deallocate()
            longLine = UnsafeMutablePointer<UInt8>.allocate(capacity: max(maxLength, 1))
            longLineCapacity = max(maxLength, 1)
        }
        longLine!.update(from: buf + pos, count: maxLength)
        pos += maxLength
        var contentEnd = start
        var lineEnd = start
        var lastByte: UInt8 = maxLength > 0 ? buf[pos - 1] : 0
        while true {
            if pos >= end, try fill(1) == 0 {
                contentEnd = base + pos
                lineEnd = contentEnd
                break
            }
            if let hit = memchr(buf + pos, 0x0A, end - pos) {
                let j = hit.assumingMemoryBound(to: UInt8.self) - buf
                let cr = j > pos ? buf[j - 1] == 0x0D : lastByte == 0x0D
                contentEnd = base + j - (cr ? 1 : 0)
                lineEnd = base + j + 1
                pos = j + 1
                break
            }
            lastByte = buf[end - 1]
            pos = end
        }
        let content = UnsafeBufferPointer(start: longLine!, count: maxLength)
        return ScannedLine(start: start, contentEnd: contentEnd, end: lineEnd, content: content, full: nil)
    }

    /// Skips to the next line that starts with `--` and returns where it starts (without consuming it),
    /// or nil at the end of the input. The scanner must be at a line start or inside a line.
    func nextCandidate() throws -> Candidate? {
        while true {
            if pos >= end, try fill(1) == 0 { return nil }
            guard let hit = memchr(buf + pos, 0x2D, end - pos) else {
                pos = end
                continue
            }
            let i = hit.assumingMemoryBound(to: UInt8.self) - buf
            let atLineStart = (i == 0 && base == 0) || (i > 0 && buf[i - 1] == 0x0A)
            guard atLineStart else {
                pos = i + 1
                continue
            }
            if i + 1 >= end {
                pos = i
                if (try fill(2)) < 2 {
                    pos = end
                    continue
                }
                continue  // re-examine at the same place with more bytes
            }
            if buf[i + 1] == 0x2D {
                let breakBefore = (i > 0 && buf[i - 1] == 0x0A) ? ((i > 1 && buf[i - 2] == 0x0D) ? 2 : 1) : 0
                pos = i
                return Candidate(offset: base + i, breakBefore: breakBefore)
            }
            pos = i + 1
        }
    }

    /// Reads to the end of the input.
    func drain() throws {
        while true {
            pos = end
            if (try fill(1)) == 0 { return }
        }
    }
}
