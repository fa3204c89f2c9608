import CSupport
import FerryCore
import Foundation

/// Writes messages as an mbox: mboxrd by default (`>` before every `^>*From ` line, so reading it
/// back gives the exact bytes), mboxo or mboxcl2 on request. Each message gets a From_ line (envelope
/// sender, received date in asctime, UTC), its status headers (`Status`, `X-Status`, `X-Keywords`) and
/// `X-Gmail-Labels` (folder first, then tags) from its metadata, and one blank line after it.
/// A message that does not end with a line break gets one (mbox cannot say otherwise).
public final class MboxWriter: ItemWriter {
    private let sink: ByteSink
    private let variant: MboxVariant
    private let log: DiagnosticLog
    private var unterminated = 0

    public init(sink: ByteSink, options: WriteOptions, log: DiagnosticLog) throws {
        self.sink = sink
        self.variant = try MboxVariant(option: options.mboxVariant)
        if variant == .cl {
            throw FerryError.usage("option.mbox-variant", "writing mboxcl is not offered; use rd, o or cl2")
        }
        self.log = log
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        switch item.kind {
        case .message:
            break
        case .folder, .tag:
            return .written  // carried by the messages' X-Gmail-Labels
        default:
            return .skipped(reason: "an mbox holds only messages (\(item.kind.rawValue) items)")
        }
        guard let message = MessageBytes(item.payload) else { return .skipped(reason: "message without bytes") }
        let header = message.header
        let head = message.head
        let date = item.metadata.date ?? header.decoded("Date").flatMap(MailDates.parse) ?? Date(timeIntervalSince1970: 0)
        let sender = item.metadata.extra["mbox.sender"].flatMap { $0.contains(" ") || $0.isEmpty ? nil : $0 }
            ?? FromLine.sender(header)
        var out: [UInt8] = Array(FromLine.format(sender: sender, date: date).utf8) + [0x0A]
        let newline: [UInt8] = MboxWriter.lineEnding(of: head)
        if !header.complete, head.count < message.count {   // (a message that is all header is whole in `head`)
            return try writeUnbounded(message, from: out, newline: newline, metadata: item.metadata)
        }
        // The header without the fields this writer manages, then ours; the header is small and
        // rewritten in memory, the body streams from the message's spool.
        let (headerEnd, headBodyStart) = MboxWriter.headerBounds(head)
        let bodyStart = header.complete ? headBodyStart : head.count
        var headerBytes: [UInt8] = []
        headerBytes.reserveCapacity(headerEnd + 128)
        var skipping = false
        // Lines added to the header end like its last line: a message whose first line break is a lone CR
        // but whose header ends in LF would otherwise get `Status: RO\r` + the blank line's `\n`, read
        // back as one CRLF line, and lose its header/body boundary.
        var headerNewline = newline
        MboxWriter.forEachLine(head[0..<headerEnd]) { line, terminator in
            if !terminator.isEmpty { headerNewline = Array(terminator) }
            if let first = line.first, first == 0x20 || first == 0x09 {
                if !skipping { headerBytes += line; headerBytes += terminator }
                return
            }
            guard let colon = line.firstIndex(of: 0x3A) else {
                skipping = false
                headerBytes += line
                headerBytes += terminator
                return
            }
            var end = colon
            while end > line.startIndex && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { end -= 1 }
            if MboxStatusHeaders.managedLengths.contains(end - line.startIndex) {
                let name = String(decoding: line[line.startIndex..<end], as: UTF8.self).lowercased()
                skipping = MboxStatusHeaders.managed.contains(name) || (variant == .cl2 && name == "content-length")
            } else {
                skipping = false
            }
            if !skipping { headerBytes += line; headerBytes += terminator }
        }
        if !headerBytes.isEmpty, headerBytes.last != 0x0A, headerBytes.last != 0x0D { headerBytes += headerNewline }
        for line in MboxStatusHeaders.lines(for: item.metadata) { headerBytes += Array(line.utf8) + headerNewline }
        let separator = Array(head[headerEnd..<bodyStart])
        let bodyCount = message.count - bodyStart
        var addNewline = false
        let lastWritten = bodyCount == 0 ? (separator.isEmpty ? headerBytes.last : separator.last) : message.lastByte
        if let last = lastWritten, last != 0x0A, last != 0x0D {
            unterminated += 1
            addNewline = true
        }
        if variant == .cl2 {
            // After the line break added above: Content-Length counts the body as written.
            headerBytes += Array("Content-Length: \(bodyCount + (addNewline ? newline.count : 0))".utf8) + headerNewline
        }
        let headPart = headerBytes + (separator.isEmpty && bodyCount > 0 ? newline : separator)
        if variant == .cl2 {
            out += headPart
            try sink.write(out)
            try message.write(bodyStart..<message.count, to: sink)
        } else {
            MboxWriter.forEachLine(headPart[...]) { line, terminator in
                if MboxWriter.needsEscape(line, variant: variant) { out.append(0x3E) }
                out += line
                out += terminator
            }
            try sink.write(out)
            var escaper = FromEscaper(variant: variant)
            try message.forEachPiece(bodyStart..<message.count) { try escaper.process($0, to: sink) }
            try escaper.finish(to: sink)
        }
        try sink.write(addNewline ? newline + newline : MboxWriter.separator(after: lastWritten, newline: newline))
        return .written
    }

    /// A message whose header block is larger than the window read from its front (a hostile 100 MB
    /// header line): its bytes are not rewritten. Our status lines go first (field order carries no
    /// meaning), then the whole message, escaped as it streams; mboxcl2, which needs a Content-Length
    /// of a body it cannot locate, skips the message and says why.
    private func writeUnbounded(_ message: MessageBytes, from start: [UInt8], newline: [UInt8],
                                metadata: ItemMetadata) throws -> WriteOutcome {
        if variant == .cl2 {
            return .skipped(reason: "its header is larger than mboxcl2's writer reads (\(message.head.count) bytes); use mboxrd")
        }
        var out = start
        for line in MboxStatusHeaders.lines(for: metadata) { out += Array(line.utf8) + newline }
        try sink.write(out)
        var addNewline = false
        if let last = message.lastByte, last != 0x0A, last != 0x0D {
            unterminated += 1
            addNewline = true
        }
        var escaper = FromEscaper(variant: variant)
        try message.forEachPiece(0..<message.count) { try escaper.process($0, to: sink) }
        try escaper.finish(to: sink)
        try sink.write(addNewline ? newline + newline : MboxWriter.separator(after: message.lastByte, newline: newline))
        return .written
    }

    /// The blank line after a message. A message whose last line ends in a lone CR gets a lone CR: an
    /// LF there would join that CR into one CRLF line break, and the message would lose its blank-line
    /// boundary (and, in mboxcl2, disagree with its Content-Length) on every round trip.
    static func separator(after last: UInt8?, newline: [UInt8]) -> [UInt8] {
        last == 0x0D && newline == [0x0A] ? [0x0D] : newline
    }

    static func needsEscape(_ line: ArraySlice<UInt8>, variant: MboxVariant) -> Bool {
        var i = line.startIndex
        if variant == .rd { while i < line.endIndex && line[i] == 0x3E { i += 1 } }
        let from: [UInt8] = [0x46, 0x72, 0x6F, 0x6D, 0x20]
        return line.endIndex - i >= 5 && line[i..<(i + 5)].elementsEqual(from)
    }

    /// The first line ending of the message (LF when it has none).
    static func lineEnding(of bytes: [UInt8]) -> [UInt8] {
        guard let i = bytes.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) else { return [0x0A] }
        if bytes[i] == 0x0A { return [0x0A] }
        return i + 1 < bytes.count && bytes[i + 1] == 0x0A ? [0x0D, 0x0A] : [0x0D]
    }

    /// Where the header's fields end and where the body starts (after the blank line).
    static func headerBounds(_ bytes: [UInt8]) -> (Int, Int) {
        var i = 0
        while i < bytes.count {
            var end = i
            while end < bytes.count && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            var next = end
            if next < bytes.count {
                next += bytes[next] == 0x0D && next + 1 < bytes.count && bytes[next + 1] == 0x0A ? 2 : 1
            }
            if end == i { return (i, next) }
            i = next
        }
        return (bytes.count, bytes.count)
    }

    /// Calls `body` with each line and its terminator (LF, CRLF or lone CR, as the reader splits).
    static func forEachLine(_ bytes: ArraySlice<UInt8>, _ body: (ArraySlice<UInt8>, ArraySlice<UInt8>) -> Void) {
        var i = bytes.startIndex
        while i < bytes.endIndex {
            var end = i
            while end < bytes.endIndex && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            var next = end
            if next < bytes.endIndex {
                next += bytes[next] == 0x0D && next + 1 < bytes.endIndex && bytes[next + 1] == 0x0A ? 2 : 1
            }
            body(bytes[i..<end], bytes[end..<next])
            i = next
        }
    }

    public func finish() throws {
        if unterminated > 0 {
            log.emit(.note("mbox.final-newline", "\(unterminated) message(s) did not end with a line break; one was added"))
        }
    }
}

/// RFC 5322 dates (and the common obsolete forms), enough for received-date fallbacks and queries.
public enum MailDates {
    public static func parse(_ text: String) -> Date? {
        // Drop a comment such as "(UTC)" and the day name.
        var s = text
        if let paren = s.firstIndex(of: "(") { s = String(s[..<paren]) }
        if let comma = s.firstIndex(of: ",") { s = String(s[s.index(after: comma)...]) }
        let tokens = s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map(String.init)
        guard tokens.count >= 4, let day = Int(tokens[0]),
              let month = FromLine.months.firstIndex(of: String(tokens[1].lowercased().prefix(3))),
              var year = Int(tokens[2]) else { return nil }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }
        let t = tokens[3].split(separator: ":").compactMap { Int($0) }
        guard t.count >= 2 else { return nil }
        var zone = 0
        if tokens.count > 4 {
            let z = tokens[4]
            if (z.hasPrefix("+") || z.hasPrefix("-")), let v = Int(z.dropFirst()), z.count == 5 {
                zone = (z.hasPrefix("-") ? -1 : 1) * ((v / 100) * 3600 + (v % 100) * 60)
            } else {
                let named = ["EDT": -4, "EST": -5, "CDT": -5, "CST": -6, "MDT": -6, "MST": -7, "PDT": -7, "PST": -8]
                zone = (named[z.uppercased()] ?? 0) * 3600
            }
        }
        return FromLine.utcDate(year: year, month: month + 1, day: day, hour: t[0], minute: t[1],
                                second: t.count > 2 ? t[2] : 0, offset: zone)
    }
}

/// Escapes `From ` lines (mboxrd: `>*From `; mboxo: `From `) in a stream of body bytes with a `>`,
/// chunk by chunk: line ends are found by the SIMD scan, the bytes between escapes are written in
/// spans as they are, and a line start cut by a chunk boundary is held until it can be decided.
struct FromEscaper {
    let skipsQuotes: Bool
    private var atLineStart = true
    private var carry: [UInt8] = []
    private static let from: [UInt8] = Array("From ".utf8)
    private static let capacity = 4096

    init(variant: MboxVariant) { skipsQuotes = variant == .rd }

    private enum Decision { case escape, keep, undecided }

    /// Whether a line beginning with `a` then `b` needs a `>`.
    private func decide(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Decision {
        let total = a.count + b.count
        @inline(__always) func byte(_ i: Int) -> UInt8 { i < a.count ? a[i] : b[i - a.count] }
        var i = 0
        if skipsQuotes { while i < total && byte(i) == 0x3E { i += 1 } }
        var k = 0
        while k < 5 {
            if i + k >= total { return .undecided }
            if byte(i + k) != FromEscaper.from[k] { return .keep }
            k += 1
        }
        return .escape
    }

    mutating func process(_ chunk: UnsafeRawBufferPointer, to sink: ByteSink) throws {
        guard chunk.count > 0 else { return }
        try withUnsafeTemporaryAllocation(of: UInt32.self, capacity: FromEscaper.capacity) { table in
            try process(chunk, table: table.baseAddress!, to: sink)
        }
    }

    private mutating func process(_ chunk: UnsafeRawBufferPointer, table: UnsafeMutablePointer<UInt32>,
                                  to sink: ByteSink) throws {
        let base = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var spanStart = 0       // first byte not yet written
        var lineStart = 0       // start of the line to decide (when atLineStart)
        if !carry.isEmpty || atLineStart {
            let decision = carry.withUnsafeBytes { decide($0, chunk) }
            switch decision {
            case .undecided:
                carry += chunk
                return
            case .escape:
                try sink.write([0x3E] + carry)
            case .keep:
                try sink.write(carry)
            }
            carry.removeAll(keepingCapacity: true)
            atLineStart = false
        }
        var position = 0
        while position < chunk.count {
            var scanned = 0
            let count = ferry_scan_line_ends(base + position, chunk.count - position, table,
                                             FromEscaper.capacity, &scanned)
            for e in 0..<count {
                let entry = table[e]
                let p = position + Int(entry & 0x3FFF_FFFF)
                lineStart = p + (entry >= 0xC000_0000 ? 2 : 1)
                guard lineStart < chunk.count else {
                    atLineStart = true
                    continue
                }
                let first = base[lineStart]
                guard first == 0x46 || first == 0x3E else { continue }
                let rest = UnsafeRawBufferPointer(rebasing: chunk[lineStart...])
                switch decide(UnsafeRawBufferPointer(start: nil, count: 0), rest) {
                case .keep:
                    continue
                case .escape:
                    try sink.write(UnsafeRawBufferPointer(rebasing: chunk[spanStart..<lineStart]))
                    try sink.write([0x3E])
                    spanStart = lineStart
                case .undecided:
                    try sink.write(UnsafeRawBufferPointer(rebasing: chunk[spanStart..<lineStart]))
                    carry = Array(rest)
                    return
                }
            }
            if scanned == 0 { break }
            position += scanned
        }
        if spanStart < chunk.count { try sink.write(UnsafeRawBufferPointer(rebasing: chunk[spanStart...])) }
    }

    /// Writes a line start still held (the body ended inside it: it cannot be `From `).
    mutating func finish(to sink: ByteSink) throws {
        if !carry.isEmpty { try sink.write(carry) }
        carry.removeAll()
    }
}
