/// TEXT value escaping shared by iCalendar and vCard (RFC 5545 §3.3.11, RFC 6350 §3.4).
public enum TextValue {
    /// `\\` `\;` `\,` and newlines (as `\n`).
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

    /// Undoes `escape`: `\n`/`\N` → newline, `\\` `\;` `\,` `\:` → the character; any other
    /// backslash is kept as written (real files contain stray ones).
    public static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var out = ""
        var it = text.unicodeScalars.makeIterator()
        while let scalar = it.next() {
            guard scalar == "\\" else { out.unicodeScalars.append(scalar); continue }
            guard let next = it.next() else { out += "\\"; break }
            switch next {
            case "n", "N": out += "\n"
            case "\\", ";", ",", ":", "\"": out.unicodeScalars.append(next)
            default:
                out += "\\"
                out.unicodeScalars.append(next)
            }
        }
        return out
    }

    /// Splits at separators not preceded by a backslash (structured values such as N, ADR, or
    /// multi-valued TEXT lists), keeping each component escaped.
    public static func splitUnescaped(_ text: String, separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for c in text {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                current.append(c)
                escaped = true
            } else if c == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current)
        return parts
    }
}
