import FerryCore

/// How the CSV reader treats quoting that RFC 4180 does not allow.
public enum CSVMode: Sendable, Equatable {
    /// Misplaced quotes are errors with line and column; the bad record is reported and skipped and
    /// reading resumes on the line after the one where the record went wrong.
    case strict
    /// Excel-like: a stray quote inside an unquoted field and text after a closing quote are kept
    /// literally; an unterminated quote at the end of input ends the field (with a warning).
    case lenient
}

/// One record (row) of a CSV file. Fields are UTF-8 bytes packed in one buffer.
public struct CSVRecord: Sendable {
    /// Line on which the record starts (1-based).
    public var line: Int
    /// Line on which the record ends.
    public var endLine: Int
    var storage: [UInt8]
    var ends: [Int]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.endLine = line
        storage = []
        ends = []
        for f in fields {
            storage.append(contentsOf: f.utf8)
            ends.append(storage.count)
        }
    }

    init(line: Int, endLine: Int, storage: [UInt8], ends: [Int]) {
        self.line = line
        self.endLine = endLine
        self.storage = storage
        self.ends = ends
    }

    public var count: Int { ends.count }

    /// The bytes of field `i`.
    public func bytes(_ i: Int) -> ArraySlice<UInt8> {
        storage[(i == 0 ? 0 : ends[i - 1])..<ends[i]]
    }

    public func isEmpty(_ i: Int) -> Bool { ends[i] == (i == 0 ? 0 : ends[i - 1]) }

    public subscript(_ i: Int) -> String {
        String(decoding: bytes(i), as: UTF8.self)
    }

    public var fields: [String] { (0..<count).map { self[$0] } }

    /// True when every field is empty or only spaces/tabs (Zimbra drops such rows, bug 50069).
    public var isBlank: Bool {
        storage.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}

/// A streaming, byte-level CSV tokenizer (RFC 4180 plus what real exports do).
///
/// - Input is UTF-8 (decode other charsets first, e.g. with `DecodingSource`); a BOM is dropped.
/// - Records end with CRLF, LF or a lone CR; quoted fields may hold any of them, and `""` is a quote.
/// - The delimiter is given, or detected from the header line: the most frequent of `,` `;` TAB
///   outside quotes (ties: `,` then `;` then TAB).
/// - Memory: one chunk plus the current record. A quoted field longer than `maxRecordBytes` is
///   reported as a probable unterminated quote.
/// - Problems go to `log` with line and column (columns count characters); a broken record is
///   skipped (strict) or repaired (lenient), never the end of the file.
public final class CSVReader {
    public let name: String
    public let mode: CSVMode
    public private(set) var delimiter: UInt8?
    public var maxRecordBytes = 8 << 20
    private let source: ByteSource
    private let log: DiagnosticLog

    // Input buffer: `replay` bytes (re-read after an error) come before the source's chunks.
    private var chunk: [UInt8] = []
    private var pos = 0
    private var eof = false
    /// Where each read lands before joining `chunk`: allocated once per reader, never zero-filled
    /// (a zeroed 256 KiB array per read cost a memset as large as the read itself).
    private lazy var readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
    private var allocatedReadBuffer = false

    deinit { if allocatedReadBuffer { readBuffer.deallocate() } }

    /// Reads once from the source and appends what came to `chunk`; returns the byte count.
    private func readMore() throws -> Int {
        allocatedReadBuffer = true
        let buffer = readBuffer
        let n = try source.read(into: buffer)
        if n > 0 { chunk.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
        return n
    }
    private let chunkSize: Int
    private var started = false

    // Position of the next byte.
    private var line = 1
    private var column = 1
    private var lastWasCR = false

    // Size of the previous record (bytes, fields).
    private var lastStorage = 256
    private var lastFields = 16

    // Raw bytes of the record in progress (for resynchronising after an error).
    private var raw: [UInt8] = []

    /// Records skipped because they were malformed.
    public private(set) var skipped = 0
    /// Records returned.
    public private(set) var recordCount = 0

    public init(source: ByteSource, delimiter: UInt8? = nil, mode: CSVMode = .strict, log: DiagnosticLog,
                chunkSize: Int = 1 << 18) {
        self.source = source
        self.name = source.name
        self.delimiter = delimiter
        self.mode = mode
        self.log = log
        self.chunkSize = chunkSize
    }

    // MARK: Input

    /// Makes at least one unread byte available; false at the end of input.
    private func fill() throws -> Bool {
        if pos < chunk.count { return true }
        if eof { return false }
        chunk.removeAll(keepingCapacity: true)
        pos = 0
        chunk.reserveCapacity(chunkSize)
        if try readMore() == 0 { eof = true; return false }
        return true
    }

    /// Ensures the first record (the header) is fully buffered, drops a BOM and detects the delimiter.
    private func start() throws {
        started = true
        // Read until the buffer holds a record end outside quotes (or the input ends).
        var scan = 0
        var inQuotes = false
        var found = false
        var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
        while !found {
            while scan < chunk.count {
                let b = chunk[scan]
                if b == 0x22 { inQuotes.toggle() }
                else if !inQuotes {
                    if b == 0x0A || b == 0x0D { found = true; break }
                    if b == 0x2C || b == 0x3B || b == 0x09 { counts[b, default: 0] += 1 }
                }
                scan += 1
            }
            if found || eof || scan > maxRecordBytes { break }
            if try readMore() == 0 { eof = true }
        }
        if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }
        if delimiter == nil {
            let order: [UInt8] = [0x2C, 0x3B, 0x09]
            var best: UInt8 = 0x2C
            for d in order where counts[d, default: 0] > counts[best, default: 0] { best = d }
            delimiter = best
        }
    }

    // MARK: Records

    /// The next record, or nil at the end of input. Malformed records are reported and skipped
    /// (strict) or repaired (lenient).
    public func next() throws -> CSVRecord? {
        if !started { try start() }
        while true {
            switch try parseRecord() {
            case .record(let r):
                recordCount += 1
                return r
            case .end:
                return nil
            case .skipped:
                skipped += 1
                continue
            }
        }
    }

    private enum Outcome { case record(CSVRecord), end, skipped }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted, afterQuotedJunk }

    private func parseRecord() throws -> Outcome {
        let delim = delimiter ?? 0x2C
        // Sized like the previous record, so a row is not built by repeated growth.
        var storage: [UInt8] = []
        storage.reserveCapacity(lastStorage)
        var ends: [Int] = []
        ends.reserveCapacity(lastFields)
        defer { lastStorage = max(64, storage.count); lastFields = max(4, ends.count) }
        var state = State.fieldStart
        let startLine = line
        var quoteLine = 0, quoteColumn = 0
        var sawAnything = false
        raw.removeAll(keepingCapacity: true)
        var rawFrom = pos

        func flushRaw() {
            if rawFrom < pos { raw.append(contentsOf: chunk[rawFrom..<pos]) }
        }

        while true {
            if pos >= chunk.count {
                flushRaw()
                if try !fill() { break }
                rawFrom = pos
            }
            let b = chunk[pos]
            // Line accounting (a CRLF counts once).
            switch state {
            case .quoted:
                if b == 0x22 {
                    state = .quoteInQuoted
                    pos += 1; column += 1
                    continue
                }
                // Bulk-copy a run of ordinary bytes.
                let (end, chars) = chunk.withUnsafeBufferPointer { Self.quotedRun($0, from: pos) }
                column += chars
                if end > pos {
                    chunk.withUnsafeBufferPointer { storage.append(contentsOf: UnsafeBufferPointer(rebasing: $0[pos..<end])) }
                    lastWasCR = false
                    pos = end
                    continue
                }
                storage.append(b)
                advanceNewline(b)
                pos += 1
                if storage.count - (ends.last ?? 0) > maxRecordBytes {
                    flushRaw()
                    return try recover(message: "quoted field opened here runs over \(maxRecordBytes >> 20) MiB; "
                                       + "probably an unterminated quote", code: "csv.unterminated-quote",
                                       line: quoteLine, column: quoteColumn, startLine: startLine)
                }
                continue
            case .quoteInQuoted:
                if b == 0x22 {  // "" → literal quote
                    storage.append(0x22)
                    state = .quoted
                    pos += 1; column += 1
                    continue
                }
                if b == delim || b == 0x0A || b == 0x0D {
                    state = .unquoted  // the field is closed; let the delimiter/newline logic below end it
                    break
                }
                // Text after a closing quote.
                if mode == .strict {
                    let (l, c) = (line, column)
                    flushRaw()
                    let hint = quoteLine < l ? "; the quoted field opened on line \(quoteLine), column \(quoteColumn) "
                        + "may be missing its closing quote" : ""
                    return try recover(message: "text after the closing quote of a field (a quote inside a "
                                       + "quoted field must be doubled)" + hint, code: "csv.text-after-quote",
                                       line: l, column: c, startLine: startLine)
                }
                state = .unquoted  // Excel keeps the rest literally: "abc"x → abcx
                continue
            default:
                break
            }
            // fieldStart / unquoted / afterQuoted: delimiter, newline, quote, or data.
            if b == delim {
                ends.append(storage.count)
                sawAnything = true
                state = .fieldStart
                pos += 1; column += 1
                lastWasCR = false
                continue
            }
            if b == 0x0A || b == 0x0D {
                if b == 0x0A && lastWasCR && state == .fieldStart && !sawAnything && ends.isEmpty {
                    // LF of a CRLF whose CR ended the previous record.
                    lastWasCR = false
                    pos += 1
                    rawFrom = pos
                    continue
                }
                advanceNewline(b)
                pos += 1
                if !sawAnything && ends.isEmpty && state == .fieldStart {
                    // Blank line: skipped.
                    rawFrom = pos
                    raw.removeAll(keepingCapacity: true)
                    continue
                }
                ends.append(storage.count)
                return .record(CSVRecord(line: startLine, endLine: line - 1, storage: storage, ends: ends))
            }
            lastWasCR = false
            sawAnything = true
            if b == 0x22 {
                if state == .fieldStart {
                    state = .quoted
                    quoteLine = line
                    quoteColumn = column
                    pos += 1; column += 1
                    continue
                }
                if mode == .strict {
                    let (l, c) = (line, column)
                    flushRaw()
                    return try recover(message: "quote inside an unquoted field (quote the whole field and "
                                       + "double the quote)", code: "csv.stray-quote", line: l, column: c,
                                       startLine: startLine)
                }
            }
            state = .unquoted
            // Bulk-copy unquoted data.
            let (end, chars) = chunk.withUnsafeBufferPointer { Self.unquotedRun($0, from: pos, delimiter: delim) }
            column += chars
            chunk.withUnsafeBufferPointer { storage.append(contentsOf: UnsafeBufferPointer(rebasing: $0[pos..<end])) }
            pos = end
            if storage.count > maxRecordBytes {
                // A record with no line break for megabytes (a 2 GB line) would otherwise be held whole.
                let (l, c) = (line, column)
                flushRaw()
                return try recover(message: "record runs over \(maxRecordBytes >> 20) MiB without a line break",
                                   code: "csv.record-too-long", line: l, column: c, startLine: startLine)
            }
        }
        // End of input.
        if state == .quoted {
            if mode == .strict {
                return try recover(message: "quoted field opened here is never closed", code: "csv.unterminated-quote",
                                   line: quoteLine, column: quoteColumn, startLine: startLine)
            }
            log.emit(.warning("csv.unterminated-quote", "quoted field opened here is never closed; kept up to the "
                              + "end of the file", file: name, line: quoteLine, column: quoteColumn))
        }
        if !sawAnything && ends.isEmpty && storage.isEmpty { return .end }
        ends.append(storage.count)
        return .record(CSVRecord(line: startLine, endLine: line, storage: storage, ends: ends))
    }

    /// End of the run of bytes from `from` inside a quoted field (up to a quote or line break), and
    /// the characters in it.
    @inline(__always)
    private static func quotedRun(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> (Int, Int) {
        var end = from, chars = 0
        while end < b.count {
            let c = b[end]
            if c == 0x22 || c == 0x0A || c == 0x0D { break }
            if c & 0xC0 != 0x80 { chars += 1 }
            end += 1
        }
        return (end, chars)
    }

    /// End of the run of unquoted data from `from` (up to a delimiter, line break or a later quote),
    /// and the characters in it.
    @inline(__always)
    private static func unquotedRun(_ b: UnsafeBufferPointer<UInt8>, from: Int, delimiter: UInt8) -> (Int, Int) {
        var end = from, chars = 0
        while end < b.count {
            let c = b[end]
            if c == delimiter || c == 0x0A || c == 0x0D || (c == 0x22 && end > from) { break }
            if c & 0xC0 != 0x80 { chars += 1 }
            end += 1
        }
        return (end, chars)
    }

    @inline(__always)
    private func advanceNewline(_ b: UInt8) {
        if b == 0x0A {
            if !lastWasCR { line += 1 }
            lastWasCR = false
        } else if b == 0x0D {
            line += 1
            lastWasCR = true
        }
        column = 1
    }

    /// Reports a malformed record and resumes on the line after the record's first line: the bytes
    /// read since then are pushed back in front of the input (so an unterminated quote costs one row,
    /// not the rest of the file).
    private func recover(message: String, code: String, line errLine: Int, column errColumn: Int,
                         startLine: Int) throws -> Outcome {
        log.emit(.error(code, message + "; row starting on line \(startLine) skipped", file: name,
                        line: errLine, column: errColumn))
        // Find the end of the first physical line of the record in the raw bytes.
        var i = 0
        while i < raw.count && raw[i] != 0x0A && raw[i] != 0x0D { i += 1 }
        if i < raw.count {
            if raw[i] == 0x0D && i + 1 < raw.count && raw[i + 1] == 0x0A { i += 2 } else { i += 1 }
            let rest = Array(raw[i...]) + Array(chunk[pos...])
            chunk = rest
            pos = 0
            line = startLine + 1
        } else {
            // The error is on the record's only line: skip to the end of that line (a chunk at a time).
            while try fill() {
                let lineEnd = chunk.withUnsafeBufferPointer { buffer -> Int? in
                    var i = pos
                    while i < buffer.count, buffer[i] != 0x0A, buffer[i] != 0x0D { i += 1 }
                    return i < buffer.count ? i : nil
                }
                guard let lineEnd else {
                    pos = chunk.count
                    continue
                }
                pos = lineEnd + 1
                if chunk[lineEnd] == 0x0D, try fill(), chunk[pos] == 0x0A { pos += 1 }
                break
            }
            line = startLine + 1
        }
        column = 1
        lastWasCR = false
        raw.removeAll(keepingCapacity: true)
        return .skipped
    }
}
