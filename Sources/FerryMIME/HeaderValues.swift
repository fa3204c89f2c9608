import Foundation
import FerryCore

/// A MIME parameter after RFC 2231 reassembly and decoding.
public struct MIMEParameter: Sendable, Equatable {
    /// Lower-cased name without `*` sections.
    public var name: String
    public var value: String
}

/// `Content-Type` (RFC 2045) with parameters.
public struct ContentType: Sendable, Equatable {
    public var type: String
    public var subtype: String
    public var parameters: [MIMEParameter]
    /// False when the field was missing or unreadable and a default was used.
    public var isExplicit: Bool

    public init(type: String, subtype: String, parameters: [MIMEParameter] = [], isExplicit: Bool = true) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
        self.isExplicit = isExplicit
    }

    public static let textPlain = ContentType(type: "text", subtype: "plain", isExplicit: false)
    public static let messageRFC822 = ContentType(type: "message", subtype: "rfc822", isExplicit: false)

    public var mimeType: String { "\(type)/\(subtype)" }
    public func parameter(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
    public var charset: String? { parameter("charset") }
    public var boundary: String? { parameter("boundary") }
    public var isMultipart: Bool { type == "multipart" }
    /// `message/rfc822` and `message/global`: a whole message inside.
    public var isEmbeddedMessage: Bool { type == "message" && (subtype == "rfc822" || subtype == "global") }

    /// Parses a field value (unfolded bytes). Unreadable values give nil.
    public static func parse(_ value: [UInt8], fallback: Charset? = nil) -> ContentType? {
        var i = 0
        let type = token(value, &i)
        skipSpaceAndComments(value, &i)
        guard !type.isEmpty else { return nil }
        var subtype = ""
        if i < value.count && value[i] == 0x2F {
            i += 1
            skipSpaceAndComments(value, &i)
            subtype = token(value, &i)
        }
        if subtype.isEmpty {
            // `text` alone (seen in old mail): the RFC 1049 style.
            if type == "text" { subtype = "plain" } else { return nil }
        }
        let parameters = MIMEParameters.parse(value, from: i, fallback: fallback)
        return ContentType(type: type, subtype: subtype, parameters: parameters)
    }

    static func token(_ b: [UInt8], _ i: inout Int) -> String {
        skipSpaceAndComments(b, &i)
        let start = i
        while i < b.count {
            let c = b[i]
            if c <= 0x20 || c >= 0x7F || c == 0x2F || c == 0x3B || c == 0x3D || c == 0x28 || c == 0x22 { break }
            i += 1
        }
        return String(decoding: b[start..<i], as: UTF8.self).lowercased()
    }
}

/// `Content-Disposition` (RFC 2183).
public struct ContentDisposition: Sendable, Equatable {
    /// `inline`, `attachment`, … (lower-cased).
    public var value: String
    public var parameters: [MIMEParameter]

    public func parameter(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
    public var filename: String? { parameter("filename") }

    public static func parse(_ value: [UInt8], fallback: Charset? = nil) -> ContentDisposition? {
        var i = 0
        let kind = ContentType.token(value, &i)
        let parameters = MIMEParameters.parse(value, from: i, fallback: fallback)
        if kind.isEmpty && parameters.isEmpty { return nil }
        return ContentDisposition(value: kind, parameters: parameters)
    }
}

func skipSpaceAndComments(_ b: [UInt8], _ i: inout Int) {
    while i < b.count {
        let c = b[i]
        if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A {
            i += 1
        } else if c == 0x28 {
            skipComment(b, &i)
        } else {
            return
        }
    }
}

/// Skips a (possibly nested) comment starting at `(`; an unterminated comment runs to the end.
func skipComment(_ b: [UInt8], _ i: inout Int) {
    var depth = 0
    while i < b.count {
        let c = b[i]
        if c == 0x5C { i += 2; continue }
        if c == 0x28 { depth += 1 }
        if c == 0x29 {
            depth -= 1
            if depth == 0 { i += 1; return }
        }
        i += 1
    }
}

/// The `; name=value` list: quoted strings, RFC 2231 continuations (`name*0*=UTF-8''…`) and
/// charsets, RFC 2047 words inside values (as Outlook and Thunderbird write them), unquoted values
/// with spaces, raw 8-bit values.
public enum MIMEParameters {
    public static func parse(_ b: [UInt8], from start: Int, fallback: Charset?) -> [MIMEParameter] {
        var plain: [(name: String, value: [UInt8], quoted: Bool)] = []
        // name → [(section, extended, raw value)]
        var sections: [String: [(index: Int, extended: Bool, value: [UInt8])]] = [:]
        var order: [String] = []
        var i = start
        while i < b.count {
            // Find the next `;` (parameters start after one; tolerate missing ones).
            skipSpaceAndComments(b, &i)
            if i < b.count && b[i] == 0x3B { i += 1; continue }
            guard i < b.count else { break }
            let nameStart = i
            while i < b.count && b[i] != 0x3D && b[i] != 0x3B && b[i] > 0x20 { i += 1 }
            let rawName = String(decoding: b[nameStart..<i], as: UTF8.self).lowercased()
            skipSpaceAndComments(b, &i)
            guard i < b.count, b[i] == 0x3D, !rawName.isEmpty else {
                // Not a parameter: skip to the next `;`.
                while i < b.count && b[i] != 0x3B { i += 1 }
                continue
            }
            i += 1
            while i < b.count && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
            var value: [UInt8] = []
            var quoted = false
            if i < b.count && b[i] == 0x22 {
                quoted = true
                i += 1
                while i < b.count && b[i] != 0x22 {
                    if b[i] == 0x5C && i + 1 < b.count { i += 1 }
                    value.append(b[i])
                    i += 1
                }
                i += 1
            } else {
                let valueStart = i
                while i < b.count && b[i] != 0x3B { i += 1 }
                var valueEnd = i
                while valueEnd > valueStart && (b[valueEnd - 1] == 0x20 || b[valueEnd - 1] == 0x09) { valueEnd -= 1 }
                value = Array(b[valueStart..<valueEnd])
            }
            // RFC 2231: name*, name*N, name*N*
            if let star = rawName.firstIndex(of: "*") {
                let base = String(rawName[..<star])
                let rest = rawName[rawName.index(after: star)...]
                var index = 0
                var extended = false
                if rest.isEmpty {
                    extended = true
                } else {
                    let digits = rest.hasSuffix("*") ? rest.dropLast() : rest[...]
                    extended = rest.hasSuffix("*")
                    guard let n = Int(digits), n >= 0, n < 10_000 else { continue }
                    index = n
                }
                if sections[base] == nil { order.append(base) }
                sections[base, default: []].append((index, extended, value))
            } else {
                plain.append((rawName, value, quoted))
                order.append(rawName)
            }
        }
        var result: [MIMEParameter] = []
        var seen = Set<String>()
        for name in order where !seen.contains(name) {
            seen.insert(name)
            if let parts = sections[name] {
                result.append(MIMEParameter(name: name, value: assemble(parts, fallback: fallback)))
            } else if let p = plain.first(where: { $0.name == name }) {
                result.append(MIMEParameter(name: name, value: EncodedWords.decode(p.value, fallback: fallback)))
            }
        }
        return result
    }

    static func assemble(_ parts: [(index: Int, extended: Bool, value: [UInt8])], fallback: Charset?) -> String {
        let sorted = parts.sorted { $0.index < $1.index }
        var charset: String?
        var bytes: [UInt8] = []
        for (n, part) in sorted.enumerated() {
            var value = part.value[...]
            if part.extended {
                if n == 0 {
                    // charset'language'value
                    if let q1 = value.firstIndex(of: 0x27), let q2 = value[(q1 + 1)...].firstIndex(of: 0x27) {
                        let label = String(decoding: value[value.startIndex..<q1], as: UTF8.self)
                        if !label.isEmpty { charset = label }
                        value = value[(q2 + 1)...]
                    }
                }
                bytes.append(contentsOf: percentDecode(value))
            } else {
                bytes.append(contentsOf: value)
            }
        }
        if let charset { return EncodedWords.decodeCharset(bytes, label: charset, fallback: fallback) }
        return EncodedWords.decode(bytes, fallback: fallback)
    }

    static func percentDecode(_ s: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == 0x25, i + 2 < s.endIndex, let h = hexValue(s[i + 1]), let l = hexValue(s[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }
}

/// One mailbox: a display name and an address.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    public var description: String {
        guard let name, !name.isEmpty else { return address }
        return "\(name) <\(address)>"
    }
}

/// An entry of an address list: a mailbox or a named group of mailboxes.
public enum AddressEntry: Sendable, Equatable {
    case mailbox(MailAddress)
    case group(name: String, members: [MailAddress])

    /// Every mailbox, groups flattened.
    public var mailboxes: [MailAddress] {
        switch self {
        case .mailbox(let m): [m]
        case .group(_, let members): members
        }
    }
}

/// RFC 5322 address lists, tolerant: groups, quoted names, comments (a comment names a bare
/// address), encoded words in names, unquoted commas in names (`Doe, John <j@x>`), missing `>`.
public enum AddressList {
    enum Token: Equatable {
        case word([UInt8])            // atom or dot-atom run
        case quoted([UInt8])
        case comment([UInt8])
        case angle([UInt8])           // <…> contents
        case special(UInt8)           // , ; : @
    }

    static func tokenize(_ b: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x20, 0x09, 0x0D, 0x0A:
                i += 1
            case 0x22:
                var v: [UInt8] = []
                i += 1
                while i < b.count && b[i] != 0x22 {
                    if b[i] == 0x5C && i + 1 < b.count { i += 1 }
                    if b[i] != 0x0D && b[i] != 0x0A { v.append(b[i]) }
                    i += 1
                }
                i += 1
                tokens.append(.quoted(v))
            case 0x28:
                let start = i
                skipComment(b, &i)
                i = min(i, b.count)
                let close = (i > start + 1 && b[i - 1] == 0x29) ? i - 1 : i
                tokens.append(.comment(Array(b[min(start + 1, close)..<close])))
            case 0x3C:
                var v: [UInt8] = []
                i += 1
                while i < b.count && b[i] != 0x3E {
                    if b[i] != 0x20 && b[i] != 0x09 && b[i] != 0x0D && b[i] != 0x0A { v.append(b[i]) }
                    i += 1
                }
                i += 1
                tokens.append(.angle(v))
            case 0x2C, 0x3B, 0x3A:
                tokens.append(.special(c))
                i += 1
            default:
                let start = i
                while i < b.count {
                    let d = b[i]
                    if d == 0x20 || d == 0x09 || d == 0x0D || d == 0x0A || d == 0x22 || d == 0x28 || d == 0x3C
                        || d == 0x2C || d == 0x3B || d == 0x3A { break }
                    i += 1
                }
                tokens.append(.word(Array(b[start..<i])))
            }
        }
        return tokens
    }

    public static func parse(_ value: [UInt8], fallback: Charset? = nil) -> [AddressEntry] {
        let tokens = tokenize(value)
        var entries: [AddressEntry] = []
        var groupName: String?
        var groupMembers: [MailAddress] = []
        var phrase: [Token] = []
        var i = 0

        func text(_ bytes: [UInt8]) -> String { EncodedWords.decode(bytes, fallback: fallback) }

        func phraseText(_ tokens: [Token]) -> String? {
            var parts: [[UInt8]] = []
            for t in tokens {
                switch t {
                case .word(let w), .quoted(let w): parts.append(w)
                case .special(let c): parts.append([c])
                default: break
                }
            }
            if parts.isEmpty { return nil }
            var joined: [UInt8] = []
            for (n, part) in parts.enumerated() {
                if n > 0 && part != [0x2C] { joined.append(0x20) }
                joined.append(contentsOf: part)
            }
            let name = text(joined).trimmingCharacters(in: .whitespaces)
            return name.isEmpty ? nil : name
        }

        func emit(_ m: MailAddress) {
            if groupName != nil { groupMembers.append(m) } else { entries.append(.mailbox(m)) }
        }

        /// A mailbox from tokens without an angle address: the words are the address, a comment the name.
        func flushBare() {
            defer { phrase = [] }
            guard !phrase.isEmpty else { return }
            var address: [UInt8] = []
            var comment: [UInt8]?
            for t in phrase {
                switch t {
                case .word(let w): address.append(contentsOf: w)
                case .quoted(let w): address.append(0x22); address.append(contentsOf: w); address.append(0x22)
                case .comment(let c): if comment == nil { comment = c }
                case .special(let c): address.append(c)
                default: break
                }
            }
            guard !address.isEmpty else { return }
            let name = comment.map { text($0).trimmingCharacters(in: .whitespaces) }
            emit(MailAddress(name: name?.isEmpty == false ? name : nil, address: text(address)))
        }

        while i < tokens.count {
            let t = tokens[i]
            switch t {
            case .angle(let addr):
                var name = phraseText(phrase)
                if name == nil, i + 1 < tokens.count, case .comment(let c) = tokens[i + 1] {
                    let n = text(c).trimmingCharacters(in: .whitespaces)
                    name = n.isEmpty ? nil : n
                }
                emit(MailAddress(name: name, address: text(addr)))
                phrase = []
            case .special(0x3A) where groupName == nil && !phrase.isEmpty:
                groupName = phraseText(phrase) ?? ""
                groupMembers = []
                phrase = []
            case .special(0x3B):
                flushBare()
                if let name = groupName {
                    entries.append(.group(name: name, members: groupMembers))
                    groupName = nil
                    groupMembers = []
                }
            case .special(0x2C):
                // `Doe, John <j@x>`: a comma inside an unquoted name, when no `@` came yet and an angle
                // address follows before the next comma.
                let hasAt = phrase.contains { if case .word(let w) = $0 { return w.contains(0x40) } else { return false } }
                if !phrase.isEmpty && !hasAt {
                    var j = i + 1
                    var angleAhead = false
                    while j < tokens.count {
                        if case .special(let c) = tokens[j], c == 0x2C || c == 0x3B { break }
                        if case .angle = tokens[j] { angleAhead = true; break }
                        j += 1
                    }
                    if angleAhead {
                        phrase.append(.special(0x2C))
                        break
                    }
                }
                flushBare()
            default:
                phrase.append(t)
            }
            i += 1
        }
        flushBare()
        if let name = groupName { entries.append(.group(name: name, members: groupMembers)) }
        return entries
    }
}

/// Dates of RFC 5322 and its obsolete forms (two- and three-digit years, zone names, military zones,
/// missing seconds or zone, comments), plus asctime (`Tue Jul  5 18:44:15 2022`), to instants.
public enum MailDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5 * 60, "edt": -4 * 60, "cst": -6 * 60, "cdt": -5 * 60,
        "mst": -7 * 60, "mdt": -6 * 60, "pst": -8 * 60, "pdt": -7 * 60,
        "cet": 60, "cest": 120, "met": 60, "mest": 120, "bst": 60, "eet": 120, "eest": 180, "jst": 540,
    ]

    public static func parse(_ text: String) -> Date? {
        var text = text
        if let d = text.withUTF8({ common($0) }) { return d }
        return general(Array(text.utf8))
    }

    public static func parse(_ b: [UInt8]) -> Date? {
        if let d = b.withUnsafeBufferPointer({ common($0) }) { return d }
        return general(b)
    }

    /// The month (1–12) of a three-letter English abbreviation (`Jan` … `Dec`, any case) given as bytes;
    /// nil for anything else (only the letters A–Z are lower-cased).
    public static func monthNumber(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        @inline(__always) func lower(_ x: UInt8) -> UInt32 { UInt32(x >= 0x41 && x <= 0x5A ? x | 0x20 : x) }
        switch (lower(a) << 16) | (lower(b) << 8) | lower(c) {
        case 0x6A616E: return 1
        case 0x666562: return 2
        case 0x6D6172: return 3
        case 0x617072: return 4
        case 0x6D6179: return 5
        case 0x6A756E: return 6
        case 0x6A756C: return 7
        case 0x617567: return 8
        case 0x736570: return 9
        case 0x6F6374: return 10
        case 0x6E6F76: return 11
        case 0x646563: return 12
        default: return nil
        }
    }

    /// The common shape only, on bytes: `Mon, 23 Nov 2026 11:22:45 +0000` (a day name with its comma
    /// optional, a one- or two-digit day, a four-digit year, two-digit time fields, a `±hhmm` or
    /// `GMT`/`UT`/`UTC` zone, nothing before or after). Nil for anything else, which `general` reads;
    /// where both read a date they give the same one (tests compare them on generated dates).
    static func common(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        let n = b.count
        guard n >= 24, n <= 33 else { return nil }
        @inline(__always) func digit(_ i: Int) -> Int? {
            let c = b[i] &- 0x30
            return c <= 9 ? Int(c) : nil
        }
        @inline(__always) func lower(_ i: Int) -> UInt8 { b[i] | 0x20 }
        var i = 0
        // Optional day name: three letters, a comma, a space.
        if b[0] | 0x20 >= 0x61 && b[0] | 0x20 <= 0x7A {
            let w = (UInt32(lower(0)) << 16) | (UInt32(lower(1)) << 8) | UInt32(lower(2))
            switch w {
            case 0x6D6F6E, 0x747565, 0x776564, 0x746875, 0x667269, 0x736174, 0x73756E: break  // mon … sun
            default: return nil
            }
            guard b[3] == 0x2C, b[4] == 0x20 else { return nil }
            i = 5
        }
        // Day.
        guard i + 1 < n, let d0 = digit(i) else { return nil }
        var day = d0
        i += 1
        if let d1 = digit(i) { day = d0 * 10 + d1; i += 1 }
        guard day >= 1, day <= 31, i + 4 < n, b[i] == 0x20 else { return nil }
        i += 1
        // Month: three letters, then a space.
        guard let month = monthNumber(b[i], b[i + 1], b[i + 2]) else { return nil }
        i += 3
        // " YYYY hh:mm:ss " is 16 bytes.
        guard i + 16 < n, b[i] == 0x20, b[i + 5] == 0x20, b[i + 8] == 0x3A, b[i + 11] == 0x3A, b[i + 14] == 0x20,
              let y0 = digit(i + 1), let y1 = digit(i + 2), let y2 = digit(i + 3), let y3 = digit(i + 4),
              let h0 = digit(i + 6), let h1 = digit(i + 7), let n0 = digit(i + 9), let n1 = digit(i + 10),
              let s0 = digit(i + 12), let s1 = digit(i + 13) else { return nil }
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
        let hour = h0 * 10 + h1, minute = n0 * 10 + n1, second = s0 * 10 + s1
        guard year >= 1, hour < 24, minute < 60, second <= 60 else { return nil }
        i += 15
        // Zone, up to the end.
        let zone: Int
        let rest = n - i
        if rest == 5, b[i] == 0x2B || b[i] == 0x2D,
           let z0 = digit(i + 1), let z1 = digit(i + 2), let z2 = digit(i + 3), let z3 = digit(i + 4) {
            let minutes = (z0 * 10 + z1) * 60 + z2 * 10 + z3
            zone = b[i] == 0x2D ? -minutes : minutes
        } else if rest == 3, lower(i) == 0x67, lower(i + 1) == 0x6D, lower(i + 2) == 0x74 {  // gmt
            zone = 0
        } else if rest == 3, lower(i) == 0x75, lower(i + 1) == 0x74, lower(i + 2) == 0x63 {  // utc
            zone = 0
        } else if rest == 2, lower(i) == 0x75, lower(i + 1) == 0x74 {  // ut
            zone = 0
        } else {
            return nil
        }
        if rest == 3 || rest == 2 {
            for k in i..<n where !((b[k] >= 0x41 && b[k] <= 0x5A) || (b[k] >= 0x61 && b[k] <= 0x7A)) { return nil }
        }
        if i == 5 {
            for k in 0..<3 where !((b[k] >= 0x41 && b[k] <= 0x5A) || (b[k] >= 0x61 && b[k] <= 0x7A)) { return nil }
        }
        let days = daysFromCivil(year, month, day)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(zone * 60)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Every shape this parser knows (see `common` for the fast one).
    static func general(_ b: [UInt8]) -> Date? {
        // Words, with comments dropped and `,` as a separator.
        var words: [[UInt8]] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x28 { skipComment(b, &i); continue }
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A || c == 0x2C { i += 1; continue }
            let start = i
            while i < b.count, b[i] != 0x20, b[i] != 0x09, b[i] != 0x0D, b[i] != 0x0A, b[i] != 0x2C, b[i] != 0x28 { i += 1 }
            words.append(Array(b[start..<i]))
        }
        var day: Int?, month: Int?, year: Int?
        var hour = 0, minute = 0, second = 0
        var sawTime = false
        var zone: Int?
        var numbers: [(value: Int, digits: Int)] = []
        for w in words {
            let lower = String(decoding: w, as: UTF8.self).lowercased()
            if w.contains(0x3A) && !sawTime, w.first.map({ $0 >= 0x30 && $0 <= 0x39 }) == true {
                let pieces = lower.split(separator: ":", omittingEmptySubsequences: false)
                guard pieces.count >= 2, let h = Int(pieces[0]), let m = Int(pieces[1].prefix { $0.isASCII && $0.isNumber })
                else { return nil }
                hour = h; minute = m
                if pieces.count >= 3 {
                    second = Int(pieces[2].prefix { $0.isASCII && $0.isNumber }) ?? 0
                }
                sawTime = true
                continue
            }
            if (w.first == 0x2B || w.first == 0x2D) && w.count >= 3 {
                let digits = w.dropFirst().filter { $0 != 0x3A }
                if digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(String(decoding: digits, as: UTF8.self)) {
                    let minutes = digits.count <= 2 ? n * 60 : (n / 100) * 60 + n % 100
                    zone = w.first == 0x2D ? -minutes : minutes
                    continue
                }
            }
            if w.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                if let n = Int(String(decoding: w, as: UTF8.self)) { numbers.append((n, w.count)) }
                continue
            }
            if month == nil, lower.count >= 3, let m = months.firstIndex(of: String(lower.prefix(3))) {
                month = m + 1
                continue
            }
            if zone == nil, sawTime {
                if let z = zones[lower] {
                    zone = z
                } else if lower.count == 1, lower.first!.isLetter {
                    zone = 0  // military zones: RFC 5322 says treat as -0000
                } else if lower.hasPrefix("gmt") || lower.hasPrefix("utc") {
                    let rest = Array(w.dropFirst(3))
                    if let d = parse(zoneOffset: rest) { zone = d } else { zone = 0 }
                }
            }
        }
        // Numbers: a 3+ digit number is the year; else the first is the day, the next the year.
        for n in numbers {
            if n.digits >= 3, year == nil {
                year = n.digits == 3 ? n.value + 1900 : n.value
            } else if day == nil, n.value >= 1, n.value <= 31 {
                day = n.value
            } else if year == nil {
                year = n.value < 50 ? n.value + 2000 : n.value + 1900
            }
        }
        guard let d = day, let m = month, let y = year, (1...9999).contains(y), (0..<24).contains(hour),
              (0..<60).contains(minute), (0...60).contains(second) else { return nil }
        let days = daysFromCivil(y, m, d)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64((zone ?? 0) * 60)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    static func parse(zoneOffset w: [UInt8]) -> Int? {
        guard let sign = w.first, sign == 0x2B || sign == 0x2D else { return nil }
        let digits = w.dropFirst().filter { $0 != 0x3A }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let n = Int(String(decoding: digits, as: UTF8.self)) else { return nil }
        let minutes = digits.count <= 2 ? n * 60 : (n / 100) * 60 + n % 100
        return sign == 0x2D ? -minutes : minutes
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
