import FerryCore

/// RFC 2047 encoded words and raw 8-bit header text.
public enum EncodedWords {
    /// The fallback for raw 8-bit header bytes that are not UTF-8 (Latin-1 mail is read as Windows-1252).
    public static let defaultFallback = try! Charset("windows-1252")

    private enum Segment {
        case literal(ArraySlice<UInt8>)
        case word(charset: String, bytes: [UInt8])
    }

    /// Decodes a header value: encoded words in any charset ICU knows (adjacent words lose the white
    /// space between them and are joined before charset decoding, so a character split across two
    /// words survives), `_` as space in Q words, malformed words kept literally; raw bytes as UTF-8
    /// when valid, else in `fallback`.
    public static func decode(_ bytes: [UInt8], fallback: Charset? = nil) -> String {
        // Fast path: nothing to decode.
        if !bytes.contains(0x3D) || !containsEncodedWordStart(bytes) {
            return literalText(bytes[...], fallback: fallback)
        }
        var segments: [Segment] = []
        var literalStart = 0
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 0x3D && bytes[i + 1] == 0x3F, let (charset, decoded, end) = parseWord(bytes, at: i) {
                if literalStart < i {
                    let literal = bytes[literalStart..<i]
                    // White space between two encoded words disappears.
                    if case .word = segments.last, literal.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) {
                    } else {
                        segments.append(.literal(literal))
                    }
                }
                // Words in the same stateless charset are joined before decoding (a character may be
                // split across them); stateful ISO-2022 words are each complete and decode alone
                // (ICU rejects an escape sequence right after another one).
                if case .word(let previousCharset, let previousBytes) = segments.last,
                   previousCharset.caseInsensitiveCompare(charset), !isStateful(charset) {
                    segments[segments.count - 1] = .word(charset: previousCharset, bytes: previousBytes + decoded)
                } else {
                    segments.append(.word(charset: charset, bytes: decoded))
                }
                i = end
                literalStart = end
                continue
            }
            i += 1
        }
        if literalStart < bytes.count { segments.append(.literal(bytes[literalStart...])) }
        var out = ""
        for segment in segments {
            switch segment {
            case .literal(let slice): out += literalText(slice, fallback: fallback)
            case .word(let charset, let decoded): out += decodeCharset(decoded, label: charset, fallback: fallback)
            }
        }
        return out
    }

    static func isStateful(_ charset: String) -> Bool {
        let key = charset.lowercased()
        return key.hasPrefix("iso-2022") || key.hasPrefix("iso2022") || key == "utf-7" || key.hasPrefix("hz")
    }

    static func containsEncodedWordStart(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 0x3D && bytes[i + 1] == 0x3F { return true }
            i += 1
        }
        return false
    }

    /// Parses `=?charset[*lang]?B|Q?text?=` at `start`: (charset, decoded bytes, end index) or nil.
    static func parseWord(_ b: [UInt8], at start: Int) -> (String, [UInt8], Int)? {
        var i = start + 2
        let charsetStart = i
        while i < b.count && b[i] != 0x3F {
            if b[i] <= 0x20 || b[i] >= 0x7F || i - charsetStart > 64 { return nil }
            i += 1
        }
        guard i < b.count, i > charsetStart else { return nil }
        var charsetEnd = i
        if let star = b[charsetStart..<charsetEnd].firstIndex(of: 0x2A) { charsetEnd = star }  // RFC 2231 language
        guard charsetEnd > charsetStart else { return nil }
        let charset = String(decoding: b[charsetStart..<charsetEnd], as: UTF8.self)
        i += 1
        guard i + 1 < b.count, b[i + 1] == 0x3F else { return nil }
        let encoding = asciiLower(b[i])
        guard encoding == 0x62 || encoding == 0x71 else { return nil }
        i += 2
        let textStart = i
        while i + 1 < b.count {
            if b[i] == 0x3F && b[i + 1] == 0x3D { break }
            if b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0D || b[i] == 0x0A { return nil }
            i += 1
        }
        guard i + 1 < b.count else { return nil }
        let text = b[textStart..<i]
        let decoded = encoding == 0x62 ? Base64.decodeTolerant(text) : decodeQ(text)
        return (charset, decoded, i + 2)
    }

    static func decodeQ(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == 0x5F {
                out.append(0x20)
            } else if c == 0x3D, i + 2 < text.endIndex, let h = hexValue(text[i + 1]), let l = hexValue(text[i + 2]) {
                out.append(h << 4 | l)
                i += 3
                continue
            } else {
                out.append(c)
            }
            i += 1
        }
        return out
    }

    /// Raw header bytes: ASCII and valid UTF-8 as they are, anything else through `fallback`.
    static func literalText(_ bytes: ArraySlice<UInt8>, fallback: Charset?) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) || UTF8Validator.isValid(Array(bytes)) {
            return String(decoding: bytes, as: UTF8.self)
        }
        let charset = fallback ?? defaultFallback
        if let decoder = try? CharsetDecoder(charset, policy: .replace), let text = try? decoder.decode(Array(bytes)) {
            return text
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Bytes in a named charset; unknown names fall back to UTF-8 (when valid) or `fallback`.
    public static func decodeCharset(_ bytes: [UInt8], label: String, fallback: Charset?) -> String {
        let key = label.lowercased()
        if key == "utf-8" || key == "utf8" || key == "us-ascii" || key == "ascii" {
            if key == "utf-8" || key == "utf8" || bytes.allSatisfy({ $0 < 0x80 }) {
                return String(decoding: bytes, as: UTF8.self)
            }
        }
        if let charset = try? Charset(label), let decoder = try? CharsetDecoder(charset, policy: .replace),
           let text = try? decoder.decode(bytes) {
            return text
        }
        return literalText(bytes[...], fallback: fallback)
    }
}

@inline(__always) func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: c - 0x30
    case 0x41...0x46: c - 0x41 + 10
    case 0x61...0x66: c - 0x61 + 10
    default: nil
    }
}

extension String {
    func caseInsensitiveCompare(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { asciiLower($0) == asciiLower($1) }
    }
}
