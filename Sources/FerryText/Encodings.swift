/// Quoted-printable (RFC 2045 §6.7), as vCard 2.1 and MIME use it.
public enum QuotedPrintable {
    /// Decodes `=XX` escapes and soft line breaks (`=` before CRLF, LF or CR). Tolerant: lower-case
    /// hex is accepted, and an `=` not followed by two hex digits is kept literally.
    public static func decode<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
        let bytes = Array(input)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: "=") else { out.append(b); i += 1; continue }
            // Soft line break, possibly with trailing whitespace before it.
            var j = i + 1
            while j < bytes.count && (bytes[j] == 0x20 || bytes[j] == 0x09) { j += 1 }
            if j < bytes.count && (bytes[j] == 0x0D || bytes[j] == 0x0A) {
                if bytes[j] == 0x0D && j + 1 < bytes.count && bytes[j + 1] == 0x0A { j += 1 }
                i = j + 1
                continue
            }
            if j == bytes.count {
                i = j  // "=" (and whitespace) at the very end: a soft break before the end of input
                continue
            }
            if i + 2 < bytes.count, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b)
                i += 1
            }
        }
        return out
    }

    /// Encodes for vCard 2.1 / MIME bodies: printable ASCII except `=` stays, everything else is
    /// `=XX`; lines are kept under 76 characters with soft breaks; CRLF in the input stays a hard break.
    public static func encode(_ bytes: [UInt8], lineLength: Int = 76) -> [UInt8] {
        var out: [UInt8] = []
        var column = 0
        let digits = Array("0123456789ABCDEF".utf8)
        func put(_ chunk: [UInt8]) {
            if column + chunk.count > lineLength - 1 {
                out += [UInt8(ascii: "="), 0x0D, 0x0A]
                column = 0
            }
            out += chunk
            column += chunk.count
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A {
                out += [0x0D, 0x0A]
                column = 0
                i += 2
                continue
            }
            let trailingSpace = (b == 0x20 || b == 0x09) && (i + 1 == bytes.count || bytes[i + 1] == 0x0D)
            if (b >= 33 && b <= 126 && b != UInt8(ascii: "=")) || ((b == 0x20 || b == 0x09) && !trailingSpace) {
                put([b])
            } else {
                put([UInt8(ascii: "="), digits[Int(b >> 4)], digits[Int(b & 15)]])
            }
            i += 1
        }
        return out
    }

    @inline(__always)
    static func hex(_ b: UInt8?) -> UInt8? {
        guard let b else { return nil }
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

/// Base64 (RFC 4648), tolerant on input as real files need: whitespace and any other stray
/// characters are skipped, missing padding is accepted, and the URL-safe alphabet is understood.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        t[Int(UInt8(ascii: "-"))] = 62
        t[Int(UInt8(ascii: "_"))] = 63
        return t
    }()

    /// Decodes, skipping non-alphabet bytes; stops at the first `=` padding. Returns the bytes and
    /// how many non-alphabet, non-whitespace bytes were skipped (for diagnostics).
    public static func decode<C: Collection>(_ input: C) -> (bytes: [UInt8], skipped: Int) where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var skipped = 0
        for c in input {
            if c == UInt8(ascii: "=") { break }
            let v = table[Int(c)]
            if v == 0xFF {
                if !(c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A) { skipped += 1 }
                continue
            }
            accumulator = accumulator << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return (out, skipped)
    }

    /// Encodes; `lineLength` > 0 inserts CRLF every that many characters.
    public static func encode(_ bytes: [UInt8], lineLength: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4 + (lineLength > 0 ? bytes.count / lineLength * 2 : 0))
        var column = 0
        func put(_ c: UInt8) {
            if lineLength > 0 && column == lineLength { out += [0x0D, 0x0A]; column = 0 }
            out.append(c)
            column += 1
        }
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            put(alphabet[Int(n >> 18 & 63)]); put(alphabet[Int(n >> 12 & 63)])
            put(alphabet[Int(n >> 6 & 63)]); put(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            put(alphabet[Int(n >> 18 & 63)]); put(alphabet[Int(n >> 12 & 63)]); put(UInt8(ascii: "=")); put(UInt8(ascii: "="))
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            put(alphabet[Int(n >> 18 & 63)]); put(alphabet[Int(n >> 12 & 63)]); put(alphabet[Int(n >> 6 & 63)]); put(UInt8(ascii: "="))
        }
        return out
    }
}

