import Foundation
import FerryCalendar
import FerryCore
import FerryMIME

/// Escaping for the XML Ferry writes: `&`, `<`, `>` (and `"` in attributes); characters XML 1.0
/// forbids (C0 controls other than tab and line feed, U+FFFE/U+FFFF) become U+FFFD; CR LF and lone
/// CR become LF (an XML parser would normalise them anyway).
enum XMLEscape {
    static func append(_ text: String, to out: inout [UInt8], attribute: Bool = false) {
        var previousCR = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v == 0x0D { out.append(0x0A); previousCR = true; continue }
            if v == 0x0A { if !previousCR { out.append(0x0A) }; previousCR = false; continue }
            previousCR = false
            switch v {
            case 0x26: out.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])              // &amp;
            case 0x3C: out.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])                    // &lt;
            case 0x3E: out.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])                    // &gt;
            case 0x22 where attribute: out.append(contentsOf: Array("&quot;".utf8))
            case 0x09 where attribute, 0x0A where attribute: out.append(contentsOf: Array("&#\(v);".utf8))
            case 0x09: out.append(0x09)
            case 0..<0x20, 0xFFFE, 0xFFFF: out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            case 0..<0x80: out.append(UInt8(v))
            default: out.append(contentsOf: Array(String(scalar).utf8))
            }
        }
    }

    static func escaped(_ text: String, attribute: Bool = false) -> String {
        var out: [UInt8] = []
        append(text, to: &out, attribute: attribute)
        return String(decoding: out, as: UTF8.self)
    }
}

/// The dates feeds carry: RFC 3339 (Atom) and RFC 822 (RSS), written in UTC, read tolerantly.
public enum FeedDate {
    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func pad(_ v: Int, _ width: Int = 2) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `2026-11-23T11:22:45Z` (RFC 3339, UTC, whole seconds).
    public static func rfc3339(_ date: Date) -> String {
        rfc3339(seconds: Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    public static func rfc3339(seconds: Int64, offset: Int = 0, dateOnly: Bool = false) -> String {
        let local = seconds + Int64(offset)
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let secs = Int(local - days * 86400)
        let (y, m, d) = civilFromDays(Int(days))
        let date = "\(pad(Int(y), 4))-\(pad(m))-\(pad(d))"
        if dateOnly { return date }
        var out = date + "T\(pad(secs / 3600)):\(pad(secs / 60 % 60)):\(pad(secs % 60))"
        if offset == 0 {
            out += "Z"
        } else {
            let a = abs(offset) / 60
            out += (offset < 0 ? "-" : "+") + pad(a / 60) + ":" + pad(a % 60)
        }
        return out
    }

    /// `Mon, 23 Nov 2026 11:22:45 +0000` (RFC 822 with a four-digit year, as RSS 2.0 asks; UTC).
    public static func rfc822(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secs = Int(seconds - days * 86400)
        let (y, m, d) = civilFromDays(Int(days))
        let weekday = Int(((days % 7) + 11) % 7)   // 1970-01-01 was a Thursday
        return "\(Self.days[weekday]), \(pad(d)) \(months[m - 1]) \(pad(Int(y), 4)) "
            + "\(pad(secs / 3600)):\(pad(secs / 60 % 60)):\(pad(secs % 60)) +0000"
    }

    /// How a date was read.
    public enum Form: Sendable { case rfc3339, rfc822, other }

    /// Reads RFC 3339 / ISO 8601 / W3C-DTF (`2024-01-05`, `2024-01-05T10:00`, `… 10:00:00.5+01:00`),
    /// RFC 822 / 2822 in their real-world variants (two-digit years, named zones, no day name, no
    /// seconds) and a few common others (`2024/01/05 10:00:00`, Unix seconds). Nil when nothing fits.
    public static func parse(_ text: String) -> (date: Date, form: Form)? {
        // Printable ASCII at both ends (the usual case) cannot be white space: no Character checks.
        let asciiEnds = text.utf8.first.map { $0 > 0x20 && $0 < 0x7F } == true && text.utf8.last.map { $0 > 0x20 && $0 < 0x7F } == true
        let t = !asciiEnds && (text.first?.isWhitespace == true || text.last?.isWhitespace == true)
            ? text.trimmingCharacters(in: .whitespacesAndNewlines) : text
        guard !t.isEmpty else { return nil }
        if let d = iso8601(t) { return (d, .rfc3339) }
        if let d = MailDate.parse(t) { return (d, .rfc822) }
        if let d = iso8601(t.replacingOccurrences(of: "/", with: "-")) { return (d, .other) }
        // Localised or decorated RFC 822 forms: drop a leading day name and retry.
        if let comma = t.firstIndex(of: ","), let d = MailDate.parse(String(t[t.index(after: comma)...])) { return (d, .other) }
        if t.allSatisfy(\.isNumber), t.count >= 9, t.count <= 11, let s = Double(t) {
            return (Date(timeIntervalSince1970: s), .other)
        }
        return nil
    }

    /// ISO 8601 profile: `YYYY-MM-DD` then optionally `T` or space, `hh:mm[:ss[.frac]]`, then `Z`,
    /// `±hh:mm`, `±hhmm`, `±hh` or nothing (read as UTC).
    static func iso8601(_ s: String) -> Date? {
        var s = s
        return s.withUTF8 { iso8601($0) }
    }

    private static func iso8601(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2) ?? digits(1) else { return nil }
        var day = 1
        if expect(0x2D) { guard let d = digits(2) ?? digits(1) else { return nil }; day = d }
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds: Double = 0
        var offset = 0
        if i < b.count, b[i] == 0x54 || b[i] == 0x74 || b[i] == 0x20 {
            i += 1
            guard let h = digits(2), expect(0x3A), let mi = digits(2) else { return nil }
            var sec = 0.0
            if expect(0x3A) {
                guard let s2 = digits(2) else { return nil }
                sec = Double(s2)
                if i < b.count, b[i] == 0x2E || b[i] == 0x2C {
                    i += 1
                    var scale = 0.1
                    while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { sec += Double(b[i] - 0x30) * scale; scale /= 10; i += 1 }
                }
            }
            guard h <= 24, mi < 60, sec < 61 else { return nil }
            seconds = Double(h * 3600 + mi * 60) + sec
            while i < b.count, b[i] == 0x20 { i += 1 }
            if i < b.count {
                if b[i] == 0x5A || b[i] == 0x7A {
                    i += 1
                } else if b[i] == 0x2B || b[i] == 0x2D {
                    let sign = b[i] == 0x2D ? -1 : 1
                    i += 1
                    guard let oh = digits(2) else { return nil }
                    var om = 0
                    if expect(0x3A) { guard let m2 = digits(2) else { return nil }; om = m2 } else if let m2 = digits(2) { om = m2 }
                    offset = sign * (oh * 3600 + om * 60)
                }
            }
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year, month, day)
        return Date(timeIntervalSince1970: Double(days * 86400) + seconds - Double(offset))
    }
}

/// Name-based UUIDs (RFC 4122 version 5, SHA-1): the stable `urn:uuid:` ids of generated entries.
public enum StableID {
    /// Ferry's namespace for feed ids (a fixed random UUID).
    static let namespace: [UInt8] = [0x6f, 0x1c, 0x9b, 0x52, 0x3e, 0x0a, 0x4c, 0x8e, 0x9d, 0x41, 0x7a, 0x22, 0xc5, 0x90, 0x13, 0xe8]

    public static func urn(_ name: String) -> String { "urn:uuid:" + uuid(name) }

    public static func uuid(_ name: String) -> String {
        var hash = SHA1.digest(namespace + Array(name.utf8))
        hash[6] = (hash[6] & 0x0F) | 0x50
        hash[8] = (hash[8] & 0x3F) | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, byte) in hash[0..<16].enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(0x2D) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// SHA-1 (FIPS 180-4), only for name-based UUIDs.
enum SHA1 {
    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
        var m = message
        let bitLength = UInt64(message.count) * 8
        m.append(0x80)
        while m.count % 64 != 56 { m.append(0) }
        for k in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(k) * 8))) }
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: m.count, by: 64) {
            for t in 0..<16 {
                w[t] = UInt32(m[chunk + 4 * t]) << 24 | UInt32(m[chunk + 4 * t + 1]) << 16
                    | UInt32(m[chunk + 4 * t + 2]) << 8 | UInt32(m[chunk + 4 * t + 3])
            }
            for t in 16..<80 {
                let x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
                w[t] = x << 1 | x >> 31
            }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4]
            for t in 0..<80 {
                let f: UInt32, k: UInt32
                switch t {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A827999
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9EBA1
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC
                default: f = b ^ c ^ d; k = 0xCA62C1D6
                }
                let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[t]
                e = d; d = c; c = b << 30 | b >> 2; b = a; a = temp
            }
            h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
    }
}

/// Plain text from HTML for summaries: tags dropped (script/style with their content), block
/// elements as line breaks, the common entities decoded, whitespace collapsed.
enum HTMLText {
    static func plain(_ html: String) -> String {
        var out = ""
        var i = html.startIndex
        var skipUntil: String?
        while i < html.endIndex {
            let c = html[i]
            if c == "<" {
                guard let close = html[i...].firstIndex(of: ">") else { out.append(contentsOf: html[i...]); break }
                let tag = html[html.index(after: i)..<close].lowercased()
                let name = tag.prefix { $0.isLetter || $0.isNumber || $0 == "/" }
                if let s = skipUntil {
                    if name == "/" + s { skipUntil = nil }
                } else if name == "script" || name == "style" {
                    skipUntil = String(name)
                } else if ["br", "p", "/p", "div", "/div", "li", "tr", "h1", "h2", "h3", "/h1", "/h2", "/h3"].contains(String(name)) {
                    out.append(" ")
                }
                i = html.index(after: close)
                continue
            }
            if skipUntil == nil { out.append(c) }
            i = html.index(after: i)
        }
        return collapse(decodeEntities(out))
    }

    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(12).firstIndex(of: ";") {
                let name = String(after[..<semi])
                if let scalar = entityScalar(name) {
                    out.unicodeScalars.append(scalar)
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        return out + rest
    }

    static func entityScalar(_ name: String) -> Unicode.Scalar? {
        if name.hasPrefix("#x") || name.hasPrefix("#X") { return UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
        if name.hasPrefix("#") { return UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init) }
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default: return HTMLEntities.scalar(name)
        }
    }

    /// Runs of white space (ASCII and the Unicode spaces mail and HTML use) as one space, none at the ends.
    static func collapse(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var pendingSpace = false
        for scalar in s.unicodeScalars {
            let v = scalar.value
            let space = v == 0x20 || (v >= 0x09 && v <= 0x0D) || v == 0x85 || v == 0xA0 || v == 0x1680
                || (v >= 0x2000 && v <= 0x200A) || v == 0x2028 || v == 0x2029 || v == 0x202F || v == 0x205F || v == 0x3000
            if space {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(0x20); pendingSpace = false }
            if v < 0x80 { out.append(UInt8(v)) } else { out.append(contentsOf: String(scalar).utf8) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// At most `limit` characters, cut at a word boundary with an ellipsis.
    static func excerpt(_ s: String, limit: Int) -> String {
        guard s.utf8.count > limit, s.count > limit else { return s }
        var cut = String(s.prefix(limit))
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) > limit / 2 {
            cut = String(cut[..<space])
        }
        return cut + "…"
    }
}
