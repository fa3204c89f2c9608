import Foundation

/// Quoted-printable (RFC 2045 §6.7) as vCard 2.1 and vCalendar 1.0 use it.
public enum QuotedPrintable {
    /// Decodes quoted-printable bytes. Soft line breaks (`=` before CRLF, LF or CR) are removed; a
    /// malformed `=` sequence is kept literally (and `firstError` says where), so nothing is lost.
    public static func decode<C: Collection>(_ bytes: C) -> (bytes: [UInt8], firstError: Int?) where C.Element == UInt8 {
        let b = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var firstError: Int?
        var i = 0
        while i < b.count {
            let c = b[i]
            if c != 0x3D {
                out.append(c)
                i += 1
                continue
            }
            // '='
            if i + 1 < b.count, b[i + 1] == 0x0D {
                i += (i + 2 < b.count && b[i + 2] == 0x0A) ? 3 : 2
                continue
            }
            if i + 1 < b.count, b[i + 1] == 0x0A {
                i += 2
                continue
            }
            if let hi = hex(b, i + 1), let lo = hex(b, i + 2) {
                out.append(hi << 4 | lo)
                i += 3
                continue
            }
            if i + 1 == b.count {
                // A trailing '=' is a soft break at the end of the value.
                i += 1
                continue
            }
            if firstError == nil { firstError = i }
            out.append(c)
            i += 1
        }
        return (out, firstError)
    }

    @inline(__always)
    private static func hex(_ b: [UInt8], _ i: Int) -> UInt8? {
        guard i < b.count else { return nil }
        let c = b[i]
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10  // lower case: not canonical, accepted
        default: return nil
        }
    }

    /// Encodes bytes as quoted-printable for a vCard 2.1 value: `=`, control bytes, non-ASCII bytes and
    /// trailing whitespace are encoded; soft line breaks (`=` CRLF) keep physical lines at most
    /// `lineLength` octets (counting `firstLineUsed` octets already on the first line). Line breaks in the
    /// data are encoded (`=0D=0A`), as vCard 2.1 writers do.
    public static func encode<C: Collection>(_ bytes: C, lineLength: Int = 76, firstLineUsed: Int = 0) -> [UInt8]
    where C.Element == UInt8 {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        var used = firstLineUsed
        let b = Array(bytes)
        for (k, c) in b.enumerated() {
            let isLast = k == b.count - 1
            let literal = (c >= 0x21 && c <= 0x7E && c != 0x3D) || ((c == 0x20 || c == 0x09) && !isLast)
            let width = literal ? 1 : 3
            // Leave room for the '=' of a soft break.
            if used + width > lineLength - 1 {
                out.append(0x3D); out.append(0x0D); out.append(0x0A)
                used = 0
            }
            if literal {
                out.append(c)
            } else {
                out.append(0x3D); out.append(digits[Int(c >> 4)]); out.append(digits[Int(c & 0x0F)])
            }
            used += width
        }
        return out
    }
}

/// Base64 (RFC 4648) for BINARY values and vCard `ENCODING=b`/`BASE64`.
public enum Base64 {
    /// Decodes base64, ignoring whitespace and line breaks (folded 2.1 PHOTOs). Nil when malformed.
    public static func decode<C: Collection>(_ bytes: C) -> [UInt8]? where C.Element == UInt8 {
        var clean: [UInt8] = []
        clean.reserveCapacity(bytes.count)
        for c in bytes where c != 0x20 && c != 0x09 && c != 0x0D && c != 0x0A { clean.append(c) }
        // Accept missing padding.
        while clean.count % 4 != 0 { clean.append(0x3D) }
        guard let data = Data(base64Encoded: Data(clean)) else { return nil }
        return [UInt8](data)
    }

    /// Encodes bytes as one unbroken base64 string (content-line folding breaks it when written).
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        Data(bytes).base64EncodedString()
    }

    /// True when `bytes` are syntactically base64 (letters, digits, `+`, `/`, up to two `=` at the end;
    /// whitespace ignored) and of a length a decoder accepts.
    public static func isValid<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var count = 0
        var padding = 0
        for c in bytes {
            switch c {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2B, 0x2F:
                if padding > 0 { return false }
                count += 1
            case 0x3D:
                padding += 1
                if padding > 2 { return false }
                count += 1
            case 0x20, 0x09, 0x0D, 0x0A: continue
            default: return false
            }
        }
        return count % 4 == 0
    }
}
