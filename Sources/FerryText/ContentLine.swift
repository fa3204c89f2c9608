import FerryCore

/// One parameter of a content line (`TZID=Europe/Berlin`, `TYPE=work,voice`, `CN="Doe, Jane"`).
public struct ContentParameter: Sendable, Equatable {
    /// Upper-cased name (`TZID`, `TYPE`, `X-FOO`).
    public var name: String
    /// Values without their quotes, in order (RFC 6868 `^` escapes are not decoded; see `decodedValues`).
    public var values: [String]
    /// False for vCard 2.1 bare tokens (`TEL;WORK;VOICE:`), whose token is `name`.
    public var hasValue: Bool
    /// True when any value was written in double quotes.
    public var quoted: Bool

    public init(name: String, values: [String], hasValue: Bool = true, quoted: Bool = false) {
        self.name = name.uppercased()
        self.values = values
        self.hasValue = hasValue
        self.quoted = quoted
    }

    public init(_ name: String, _ value: String) {
        self.init(name: name, values: [value])
    }

    /// For the parser, whose names are upper case already (`ContentLine.upperName`).
    init(upperName: String, values: [String], hasValue: Bool, quoted: Bool) {
        self.name = upperName
        self.values = values
        self.hasValue = hasValue
        self.quoted = quoted
    }

    /// The first value (most parameters have exactly one).
    public var value: String? { values.first }

    /// Values with RFC 6868 escapes (`^n` newline, `^^` caret, `^'` double quote) decoded.
    public var decodedValues: [String] { values.map(ParameterEscaping.decode) }
}

/// A syntax error in a content line, with the byte index in the unfolded line where it was found.
public struct ContentLineError: Error, Sendable, Equatable {
    /// Stable code (`text.no-colon`, `text.empty-name`, `text.unterminated-quote`, …).
    public var code: String
    public var message: String
    /// Index in the unfolded bytes.
    public var index: Int

    public init(code: String, message: String, index: Int) {
        self.code = code
        self.message = message
        self.index = index
    }
}

/// A parsed content line: `[group "."] name *(";" param) ":" value` (RFC 5545 §3.1, RFC 6350 §3.3).
///
/// It keeps the logical line it was parsed from (`line`), so a line that is not changed is written back
/// with exactly its original bytes (`appendRaw`), folds and line ends included.
public struct ContentLine: Sendable {
    /// The logical line (for lines read from input: with its physical position and folds).
    public private(set) var line: UnfoldedLine
    /// The group before the name (`item1` in `item1.EMAIL`), as written.
    public private(set) var group: String?
    /// Upper-cased property name (`DTSTART`, `X-WR-CALNAME`, `BEGIN`).
    public private(set) var name: String
    public private(set) var parameters: [ContentParameter]
    /// Index of the value's first byte in `line.bytes` (just after the colon).
    public private(set) var valueStart: Int
    /// Index of the name's first byte in `line.bytes`.
    public private(set) var nameStart: Int
    /// True when this line was built in code rather than read (written folded with CRLF).
    public private(set) var isSynthetic: Bool

    /// The value's bytes as written (escapes kept, unfolded).
    @inlinable
    public var value: ArraySlice<UInt8> { line.bytes[valueStart...] }

    /// The value as written, decoded as UTF-8.
    public var valueString: String { String(decoding: value, as: UTF8.self) }

    /// The value read as TEXT: `\n`, `\,`, `\;`, `\\` unescaped (RFC 5545 §3.3.11).
    public var textValue: String { TextEscaping.unescape(value) }

    /// Parses a logical line.
    public init(parsing line: UnfoldedLine) throws(ContentLineError) {
        let b = line.bytes
        let n = b.count
        if line.isOrphanContinuation {
            throw ContentLineError(code: "text.continuation-at-start",
                                   message: "the first line starts with a space or tab, as if it continued a line before it",
                                   index: 0)
        }
        var i = 0
        var group: String?
        var nameStart = 0
        // Name (and group).
        while i < n {
            let c = b[i]
            if c == 0x3B || c == 0x3A { break }  // ; :
            if c == 0x2E && group == nil {  // .
                group = String(decoding: b[nameStart..<i], as: UTF8.self)
                nameStart = i + 1
            }
            i += 1
        }
        if i == n {
            throw ContentLineError(code: "text.no-colon",
                                   message: n == 0 ? "empty line" : "line has no ':' between the property name and its value",
                                   index: n == 0 ? 0 : n)
        }
        if i == nameStart {
            throw ContentLineError(code: "text.empty-name", message: "property name is missing", index: i)
        }
        let name = ContentLine.upperName(b[nameStart..<i])
        var parameters: [ContentParameter] = []
        // Parameters.
        while b[i] == 0x3B {
            i += 1
            let pStart = i
            while i < n, b[i] != 0x3D, b[i] != 0x3B, b[i] != 0x3A { i += 1 }
            guard i < n else {
                throw ContentLineError(code: "text.no-colon",
                                       message: "line has no ':' between the parameters and the value", index: n)
            }
            if i == pStart {
                throw ContentLineError(code: "text.empty-parameter", message: "empty parameter name after ';'",
                                       index: pStart)
            }
            // ASCII upper-cased; a name with other characters also gets `uppercased()`, as
            // `ContentParameter(name:)` gives it.
            let ascii = ContentLine.upperName(b[pStart..<i])
            let pName = ascii.utf8.allSatisfy({ $0 < 0x80 }) ? ascii : ascii.uppercased()
            if b[i] != 0x3D {
                // vCard 2.1 bare token (`TEL;WORK;VOICE:`).
                parameters.append(ContentParameter(upperName: pName, values: [], hasValue: false, quoted: false))
                continue
            }
            i += 1  // '='
            var values: [String] = []
            var quoted = false
            while true {
                if i < n, b[i] == 0x22 {  // "
                    quoted = true
                    let open = i
                    i += 1
                    let vStart = i
                    while i < n, b[i] != 0x22 { i += 1 }
                    guard i < n else {
                        throw ContentLineError(code: "text.unterminated-quote",
                                               message: "parameter \(pName) opens a double quote that is never closed",
                                               index: open)
                    }
                    values.append(String(decoding: b[vStart..<i], as: UTF8.self))
                    i += 1
                    if i < n, b[i] != 0x2C, b[i] != 0x3B, b[i] != 0x3A {
                        throw ContentLineError(code: "text.after-quote",
                                               message: "parameter \(pName) has text after its closing double quote",
                                               index: i)
                    }
                } else {
                    let vStart = i
                    while i < n, b[i] != 0x2C, b[i] != 0x3B, b[i] != 0x3A { i += 1 }
                    values.append(String(decoding: b[vStart..<i], as: UTF8.self))
                }
                guard i < n else {
                    throw ContentLineError(code: "text.no-colon",
                                           message: "line has no ':' between the parameters and the value", index: n)
                }
                if b[i] == 0x2C { i += 1; continue }
                break
            }
            parameters.append(ContentParameter(upperName: pName, values: values, hasValue: true, quoted: quoted))
        }
        // b[i] == ':'
        self.line = line
        self.group = group
        self.name = name
        self.parameters = parameters
        self.valueStart = i + 1
        self.nameStart = nameStart
        self.isSynthetic = false
    }

    /// Builds a line in code. `value` is written as given (escape TEXT with `TextEscaping.escape`).
    public init(group: String? = nil, name: String, parameters: [ContentParameter] = [], value: String) {
        self.init(group: group, name: name, parameters: parameters, rawValue: Array(value.utf8))
    }

    /// Builds a line in code from the value's bytes as they are to be written.
    public init(group: String? = nil, name: String, parameters: [ContentParameter] = [], rawValue: [UInt8]) {
        var bytes: [UInt8] = []
        if let group {
            bytes.append(contentsOf: group.utf8)
            bytes.append(0x2E)
        }
        let upper = name.uppercased()
        let nameStart = bytes.count
        bytes.append(contentsOf: upper.utf8)
        for p in parameters { ContentLine.appendParameter(p, to: &bytes) }
        bytes.append(0x3A)
        let valueStart = bytes.count
        bytes.append(contentsOf: rawValue)
        self.line = UnfoldedLine(bytes: bytes, line: 0, terminator: .crlf)
        self.group = group
        self.name = upper
        self.parameters = parameters
        self.valueStart = valueStart
        self.nameStart = nameStart
        self.isSynthetic = true
    }

    /// The first parameter named `name` (case-insensitive).
    public func parameter(_ name: String) -> ContentParameter? {
        if parameters.isEmpty { return nil }
        // Callers name parameters in upper-case ASCII: then the name is the key as it is.
        let key = name.utf8.allSatisfy({ $0 < 0x80 && !($0 >= 0x61 && $0 <= 0x7A) }) ? name : name.uppercased()
        return parameters.first { $0.name == key }
    }

    /// Value of the first parameter named `name`.
    public func parameterValue(_ name: String) -> String? { parameter(name)?.value }

    /// A copy with another value (the line becomes synthetic and is written folded with CRLF).
    public func replacingValue(_ value: String) -> ContentLine {
        ContentLine(group: group, name: name, parameters: parameters, value: value)
    }

    /// A copy with other parameters.
    public func replacingParameters(_ parameters: [ContentParameter]) -> ContentLine {
        ContentLine(group: group, name: name, parameters: parameters, rawValue: Array(value))
    }

    /// Physical line and column of byte `index` of the logical line.
    public func location(ofByte index: Int) -> (line: Int, column: Int) { line.location(ofByte: index) }

    /// Where the value starts in the file.
    public var valueLocation: (line: Int, column: Int) { line.location(ofByte: valueStart) }

    /// Writes the line: its original bytes when it was read, else folded at 75 octets with CRLF.
    public func appendRaw(to out: inout [UInt8]) {
        if isSynthetic {
            appendFolded(to: &out)
        } else {
            line.appendRaw(to: &out)
        }
    }

    /// Writes the logical line folded at 75 octets with CRLF, whatever its original form.
    public func appendFolded(to out: inout [UInt8], limit: Int = 75) {
        Folding.fold(line.bytes, into: &out, limit: limit)
    }

    // MARK: helpers

    /// ASCII upper-casing of a name; other bytes are kept.
    @usableFromInline
    static func upperName(_ bytes: ArraySlice<UInt8>) -> String {
        var needs = false
        for c in bytes where c >= 0x61 && c <= 0x7A { needs = true; break }
        if !needs { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    static func appendParameter(_ p: ContentParameter, to bytes: inout [UInt8]) {
        bytes.append(0x3B)
        bytes.append(contentsOf: p.name.utf8)
        guard p.hasValue else { return }
        bytes.append(0x3D)
        for (k, v) in p.values.enumerated() {
            if k > 0 { bytes.append(0x2C) }
            let needsQuotes = p.quoted || v.utf8.contains { $0 == 0x3A || $0 == 0x3B || $0 == 0x2C || $0 < 0x20 }
            let encoded = v.contains("\"") ? ParameterEscaping.encode(v) : v
            if needsQuotes { bytes.append(0x22) }
            bytes.append(contentsOf: encoded.utf8)
            if needsQuotes { bytes.append(0x22) }
        }
    }

    /// True when the name is an IANA token or x-name: letters, digits and '-' only (RFC 5545 §3.1).
    public var hasStrictName: Bool {
        // The name's bytes as written (`name` may differ in length: invalid UTF-8 decodes to U+FFFD).
        var nameEnd = nameStart
        while nameEnd < line.bytes.count, line.bytes[nameEnd] != 0x3B, line.bytes[nameEnd] != 0x3A { nameEnd += 1 }
        let nameBytes = line.bytes[nameStart..<nameEnd]
        return !nameBytes.isEmpty && nameBytes.allSatisfy { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}

/// Folding of logical lines into physical lines (RFC 5545 §3.1): at most `limit` octets per physical
/// line excluding the CRLF, continuation lines start with one space, a UTF-8 sequence is never split,
/// and a backslash (or `=`) is kept on the same physical line as the character it escapes.
public enum Folding {
    public static func fold<C: Collection>(_ logical: C, into out: inout [UInt8], limit: Int = 75)
    where C.Element == UInt8 {
        precondition(limit >= 6, "a fold limit below 6 octets cannot hold every UTF-8 sequence")
        var used = 0
        var i = logical.startIndex
        let end = logical.endIndex
        while i < end {
            // The unit to place: one UTF-8 sequence, or a backslash with the sequence it escapes.
            var unitEnd = logical.index(after: i)
            let lead = logical[i]
            // `=` too stays with what follows: a physical line ending in `=` is a quoted-printable soft
            // break to readers of vCard 2.1 / vCalendar 1.0 properties that declare that encoding.
            if lead == 0x5C || lead == 0x3D, unitEnd < end {
                unitEnd = sequenceEnd(logical, from: unitEnd)
            } else if lead >= 0xC0 {
                unitEnd = sequenceEnd(logical, from: i)
            }
            let length = logical.distance(from: i, to: unitEnd)
            if used + length > limit && used > 1 {
                out.append(0x0D); out.append(0x0A); out.append(0x20)
                used = 1
            }
            out.append(contentsOf: logical[i..<unitEnd])
            used += length
            i = unitEnd
        }
        out.append(0x0D); out.append(0x0A)
    }

    /// End of the UTF-8 sequence starting at `i` (a lone or malformed byte is a sequence of one).
    @inline(__always)
    static func sequenceEnd<C: Collection>(_ bytes: C, from i: C.Index) -> C.Index where C.Element == UInt8 {
        let lead = bytes[i]
        var j = bytes.index(after: i)
        let want: Int = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0
        var k = 0
        while k < want, j < bytes.endIndex, bytes[j] & 0xC0 == 0x80 {
            j = bytes.index(after: j)
            k += 1
        }
        return j
    }

    /// Folds a string; returns the physical text (CRLF line ends, including the last).
    public static func fold(_ logical: String, limit: Int = 75) -> String {
        var out: [UInt8] = []
        fold(Array(logical.utf8), into: &out, limit: limit)
        return String(decoding: out, as: UTF8.self)
    }
}

/// TEXT escaping (RFC 5545 §3.3.11, RFC 6350 §3.4): `\\`, `\;`, `\,`, `\n`/`\N`.
public enum TextEscaping {
    /// Unescapes a TEXT value. Unknown escapes (`\x`) are kept as written; a lone trailing backslash too.
    public static func unescape<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        guard bytes.contains(0x5C) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let c = bytes[i]
            let next = bytes.index(after: i)
            if c == 0x5C, next < bytes.endIndex {
                let e = bytes[next]
                switch e {
                case 0x6E, 0x4E: out.append(0x0A)
                case 0x5C, 0x3B, 0x2C: out.append(e)
                default: out.append(c); out.append(e)
                }
                i = bytes.index(after: next)
            } else {
                out.append(c)
                i = next
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func unescape(_ text: String) -> String { unescape(Array(text.utf8)) }

    /// Escapes a string as TEXT: backslash, semicolon, comma and line breaks (CRLF, CR, LF → `\n`).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previousCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousCR { out += "\\n" }
            default: out.unicodeScalars.append(scalar)
            }
            previousCR = scalar == "\r"
        }
        return out
    }

    /// Index of the first backslash that starts an escape TEXT does not define (`\t`, `\:`), or of a
    /// trailing lone backslash; nil when all escapes are valid.
    public static func firstInvalidEscape<C: Collection>(_ bytes: C) -> C.Index? where C.Element == UInt8 {
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 0x5C {
                let next = bytes.index(after: i)
                guard next < bytes.endIndex else { return i }
                switch bytes[next] {
                case 0x6E, 0x4E, 0x5C, 0x3B, 0x2C: i = bytes.index(after: next); continue
                default: return i
                }
            }
            i = bytes.index(after: i)
        }
        return nil
    }

    /// Splits a value at every `separator` not preceded by a backslash (list and structured values:
    /// `N:Doe;Jane;;;`, `CATEGORIES:a,b\,c`). Parts keep their escapes.
    public static func split<C: Collection>(_ bytes: C, separator: UInt8) -> [C.SubSequence] where C.Element == UInt8 {
        var parts: [C.SubSequence] = []
        var start = bytes.startIndex
        var i = start
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == 0x5C {
                i = bytes.index(after: i)
                if i < bytes.endIndex { i = bytes.index(after: i) }
                continue
            }
            if c == separator {
                parts.append(bytes[start..<i])
                start = bytes.index(after: i)
            }
            i = bytes.index(after: i)
        }
        parts.append(bytes[start..<bytes.endIndex])
        return parts
    }
}

/// RFC 6868 parameter value escaping: `^n` newline, `^^` caret, `^'` double quote.
public enum ParameterEscaping {
    public static func decode(_ value: String) -> String {
        guard value.contains("^") else { return value }
        var out = ""
        var iterator = value.unicodeScalars.makeIterator()
        while let c = iterator.next() {
            guard c == "^" else { out.unicodeScalars.append(c); continue }
            guard let e = iterator.next() else { out += "^"; break }
            switch e {
            case "n": out += "\n"
            case "^": out += "^"
            case "'": out += "\""
            default: out += "^"; out.unicodeScalars.append(e)
            }
        }
        return out
    }

    public static func encode(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "^": out += "^^"
            case "\"": out += "^'"
            case "\n": out += "^n"
            case "\r": continue
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
