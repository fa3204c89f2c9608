import Foundation
import FerryCore

/// One header field exactly as written.
public struct HeaderField: Sendable {
    /// The field name as written (without the colon and any space before it).
    public let name: String
    /// The whole field: name, colon, value, folds and its final line break.
    public let raw: ArraySlice<UInt8>
    /// The value as written: after the colon up to the final line break (folds kept).
    public let rawValue: ArraySlice<UInt8>
    /// False for lines kept in the header that are not `name: value` (an mbox `From ` line, a
    /// continuation without a field).
    public let isWellFormed: Bool

    /// The value unfolded (line breaks before white space removed) with outer white space trimmed.
    public var unfoldedValue: [UInt8] { HeaderField.unfold(rawValue) }

    /// The value decoded for people: unfolded, RFC 2047 encoded words decoded, raw 8-bit bytes read as
    /// UTF-8 or else in `fallback` (Windows-1252 unless told).
    public func text(fallback: Charset? = nil) -> String {
        EncodedWords.decode(unfoldedValue, fallback: fallback)
    }

    /// True when the name matches `other` without regard to ASCII case.
    public func hasName(_ other: String) -> Bool {
        var a = name
        var b = other
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                for i in 0..<x.count where asciiLower(x[i]) != asciiLower(y[i]) { return false }
                return true
            }
        }
    }

    static func unfold(_ value: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var i = value.startIndex
        while i < value.endIndex {
            let b = value[i]
            if b == 0x0D || b == 0x0A {
                // Drop CR/LF; the white space that follows stays (RFC 5322 unfolding).
                i += 1
                continue
            }
            out.append(b)
            i += 1
        }
        var s = 0
        var e = out.count
        while s < e && (out[s] == 0x20 || out[s] == 0x09) { s += 1 }
        while e > s && (out[e - 1] == 0x20 || out[e - 1] == 0x09) { e -= 1 }
        if s == 0 && e == out.count { return out }
        return Array(out[s..<e])
    }
}

@inline(__always) func asciiLower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

/// The header block of a message or part.
public struct HeaderBlock: Sendable {
    /// The header lines as read, up to the blank line (included) — or up to the limits, see `complete`.
    public let raw: [UInt8]
    /// Message offset of `raw`'s first byte.
    public let offset: Int
    public let fields: [HeaderField]
    /// False when limits stopped the parser from keeping every field (the bytes are still in the message).
    public let complete: Bool

    public init(raw: [UInt8], offset: Int, fields: [HeaderField], complete: Bool = true) {
        self.raw = raw
        self.offset = offset
        self.fields = fields
        self.complete = complete
    }

    public static let empty = HeaderBlock(raw: [], offset: 0, fields: [])

    /// The first field with this name (ASCII case-insensitive).
    public func first(_ name: String) -> HeaderField? {
        fields.first { $0.isWellFormed && $0.hasName(name) }
    }

    /// Every field with this name, in order.
    public func all(_ name: String) -> [HeaderField] {
        fields.filter { $0.isWellFormed && $0.hasName(name) }
    }

    /// The decoded text of the first field with this name.
    public func text(_ name: String, fallback: Charset? = nil) -> String? {
        first(name)?.text(fallback: fallback)
    }

    /// Parses a header block from bytes (tests and small inputs; the message parser builds its own).
    public static func parse(_ bytes: [UInt8]) -> HeaderBlock {
        var builder = HeaderBuilder(offset: 0, maxFields: .max, maxBytes: .max)
        var i = 0
        while i < bytes.count {
            var j = i
            while j < bytes.count && bytes[j] != 0x0A { j += 1 }
            let lineEnd = j < bytes.count ? j + 1 : j
            var contentEnd = j
            if j < bytes.count && j > i && bytes[j - 1] == 0x0D { contentEnd = j - 1 }
            let content = Array(bytes[i..<contentEnd])
            if content.isEmpty {
                builder.appendSeparator(Array(bytes[i..<lineEnd]))
                break
            }
            if !builder.isContinuation(content) && !builder.isFieldStart(content) && i > 0 { break }
            builder.append(line: Array(bytes[i..<lineEnd]), contentLength: content.count, isFirst: i == 0)
            i = lineEnd
        }
        return builder.finish()
    }
}

/// Collects header lines into a `HeaderBlock`.
struct HeaderBuilder {
    var raw: [UInt8] = []
    var offset: Int
    private var pending: [(name: String, raw: Range<Int>, value: Range<Int>, wellFormed: Bool)] = []
    var complete = true
    let maxFields: Int
    let maxBytes: Int
    // The field being collected: start in `raw`, colon position, well-formedness.
    private var current: (start: Int, colon: Int, nameEnd: Int, wellFormed: Bool)?
    private var lastBreak = 0
    private var storing = true
    private(set) var fieldCount = 0

    init(offset: Int, maxFields: Int, maxBytes: Int) {
        self.offset = offset
        self.maxFields = maxFields
        self.maxBytes = maxBytes
    }

    func isContinuation(_ content: UnsafeBufferPointer<UInt8>) -> Bool {
        content.first == 0x20 || content.first == 0x09
    }

    func isContinuation(_ content: [UInt8]) -> Bool { content.first == 0x20 || content.first == 0x09 }

    /// `name:` with a printable ASCII name (white space allowed before the colon: obsolete syntax).
    func isFieldStart(_ content: UnsafeBufferPointer<UInt8>) -> Bool { Self.colonIndex(content) != nil }
    func isFieldStart(_ content: [UInt8]) -> Bool { content.withUnsafeBufferPointer { Self.colonIndex($0) != nil } }

    static func colonIndex(_ content: UnsafeBufferPointer<UInt8>) -> (colon: Int, nameEnd: Int)? {
        var i = 0
        while i < content.count {
            let b = content[i]
            if b == 0x3A {
                guard i > 0 else { return nil }
                var nameEnd = i
                while nameEnd > 0 && (content[nameEnd - 1] == 0x20 || content[nameEnd - 1] == 0x09) { nameEnd -= 1 }
                return nameEnd > 0 ? (i, nameEnd) : nil
            }
            if b <= 0x20 || b >= 0x7F {
                // Allow white space only between the name and the colon.
                if b == 0x20 || b == 0x09 {
                    var k = i
                    while k < content.count && (content[k] == 0x20 || content[k] == 0x09) { k += 1 }
                    if k < content.count && content[k] == 0x3A && i > 0 { return (k, i) }
                }
                return nil
            }
            i += 1
        }
        return nil
    }

    mutating func append(line: [UInt8], contentLength: Int, isFirst: Bool) {
        line.withUnsafeBufferPointer { full in
            append(full: full, content: UnsafeBufferPointer(rebasing: full[0..<contentLength]), isFirst: isFirst)
        }
    }

    /// Adds one header line (`full` includes its line break; nil when the line was too long to keep).
    mutating func append(full: UnsafeBufferPointer<UInt8>?, content: UnsafeBufferPointer<UInt8>, isFirst: Bool) {
        let continuation = isContinuation(content)
        if !continuation {
            closeField()
            fieldCount += 1
            if fieldCount > maxFields || raw.count >= maxBytes { storing = false; complete = false }
        }
        guard storing else { return }
        guard let full else {
            // A line past the length limit: the field is not interpreted.
            current = nil
            storing = false
            complete = false
            return
        }
        let start = raw.count
        raw.append(contentsOf: full)
        lastBreak = full.count - content.count
        if continuation {
            if current == nil {
                // A continuation without a field: kept as a malformed line.
                current = (start, -1, 0, false)
            }
        } else if let (colon, nameEnd) = Self.colonIndex(content) {
            current = (start, start + colon, start + nameEnd, true)
        } else {
            current = (start, -1, 0, false)
        }
    }

    mutating func appendSeparator(_ line: [UInt8]) {
        closeField()
        if storing { raw.append(contentsOf: line) }
    }

    mutating func appendSeparator(_ line: UnsafeBufferPointer<UInt8>) {
        closeField()
        if storing { raw.append(contentsOf: line) }
    }

    /// Removes the final line break (it belongs to a delimiter line that interrupted the header).
    mutating func dropTrailingBreak(_ count: Int) {
        closeField()
        guard storing, count > 0, raw.count >= count else { return }
        raw.removeLast(count)
        let rawEnd = raw.count
        if let last = pending.last, last.raw.upperBound > rawEnd {
            pending[pending.count - 1].raw = last.raw.lowerBound..<max(last.raw.lowerBound, rawEnd)
            pending[pending.count - 1].value = min(last.value.lowerBound, rawEnd)..<min(last.value.upperBound, rawEnd)
        }
    }

    private mutating func closeField() {
        guard let field = current else { return }
        current = nil
        let rawEnd = raw.count
        let valueEnd = rawEnd - lastBreak
        if field.wellFormed {
            let name = String(decoding: raw[field.start..<field.nameEnd], as: UTF8.self)
            pending.append((name, field.start..<rawEnd, (field.colon + 1)..<max(field.colon + 1, valueEnd), true))
        } else {
            pending.append(("", field.start..<rawEnd, field.start..<max(field.start, valueEnd), false))
        }
    }

    mutating func finish() -> HeaderBlock {
        closeField()
        let final = raw
        let fields = pending.map {
            HeaderField(name: $0.name, raw: final[$0.raw], rawValue: final[$0.value], isWellFormed: $0.wellFormed)
        }
        return HeaderBlock(raw: final, offset: offset, fields: fields, complete: complete)
    }
}
