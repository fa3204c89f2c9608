/// Serialises content lines: parameter quoting, folding at 75 octets without splitting a UTF-8
/// sequence, CRLF line ends (RFC 5545 §3.1, RFC 6350 §3.2).
public enum ContentLineWriter {
    /// The line's bytes: its original `raw` bytes when it has them (unchanged lines round-trip
    /// byte-identical), else freshly serialised and folded.
    public static func bytes(_ line: ContentLine, foldAt width: Int = 75) -> [UInt8] {
        if let raw = line.raw { return raw }
        return fold(unfolded(line), width: width)
    }

    /// `[group.]NAME;PARAM=value:value` without folding or line end.
    public static func unfolded(_ line: ContentLine) -> [UInt8] {
        var out: [UInt8] = []
        if let group = line.group, !group.isEmpty {
            out += Array(group.utf8)
            out.append(UInt8(ascii: "."))
        }
        out += Array(line.name.utf8)
        for parameter in line.parameters {
            out.append(UInt8(ascii: ";"))
            out += Array(parameter.name.utf8)
            guard parameter.hasValue else { continue }
            out.append(UInt8(ascii: "="))
            for (k, value) in parameter.values.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out += quoteParameterValue(value)
            }
        }
        out.append(UInt8(ascii: ":"))
        out += line.valueBytes
        return out
    }

    /// Quotes a parameter value when it holds `:`, `;` or `,`; encodes newlines, carets and double
    /// quotes with RFC 6868's `^` escapes (the only way to carry them).
    public static func quoteParameterValue(_ value: String) -> [UInt8] {
        var needsQuotes = false
        var body: [UInt8] = []
        for b in value.utf8 {
            switch b {
            case UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: ","):
                needsQuotes = true
                body.append(b)
            case UInt8(ascii: "\""):
                body += Array("^'".utf8)
            case UInt8(ascii: "^"):
                body += Array("^^".utf8)
            case 0x0A:
                body += Array("^n".utf8)
            case 0x0D:
                break
            default:
                body.append(b)
            }
        }
        return needsQuotes ? [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")] : body
    }

    /// Folds a logical line: at most `width` octets per physical line (the continuation's leading
    /// space counts), never inside a UTF-8 sequence, CRLF after each.
    public static func fold(_ bytes: [UInt8], width: Int = 75) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / max(width - 1, 1) * 3 + 2)
        var i = 0
        var limit = width
        var first = true
        while i < bytes.count {
            var end = min(bytes.count, i + limit)
            if end < bytes.count {
                // Back off to the start of a UTF-8 sequence.
                while end > i && (bytes[end] & 0xC0) == 0x80 { end -= 1 }
                if end == i { end = min(bytes.count, i + limit) }  // not UTF-8: cut anyway
            }
            if !first { out.append(0x20) }
            out += bytes[i..<end]
            out += [0x0D, 0x0A]
            i = end
            if first { first = false; limit = width - 1 }
        }
        if bytes.isEmpty { out += [0x0D, 0x0A] }
        return out
    }
}
