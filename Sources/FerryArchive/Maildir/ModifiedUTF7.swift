import Foundation

/// IMAP's modified UTF-7 (RFC 3501 §5.1.3), which Maildir++ folder names use. `.` (the Maildir++
/// hierarchy separator) is encoded too, so a folder named `v1.2` survives.
public enum ModifiedUTF7 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    public static func encode(_ text: String) -> String {
        var out = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for u in pending { bytes += [UInt8(u >> 8), UInt8(u & 0xff)] }
            var bits = 0
            var value = 0
            out += "&"
            for b in bytes {
                value = (value << 8) | Int(b)
                bits += 8
                while bits >= 6 {
                    bits -= 6
                    out.unicodeScalars.append(Unicode.Scalar(alphabet[(value >> bits) & 63]))
                }
            }
            if bits > 0 { out.unicodeScalars.append(Unicode.Scalar(alphabet[(value << (6 - bits)) & 63])) }
            out += "-"
            pending = []
        }
        for scalar in text.unicodeScalars {
            if scalar == "&" {
                flush()
                out += "&-"
            } else if scalar.value >= 0x20 && scalar.value <= 0x7E && scalar != "." && scalar != "/" {
                flush()
                out.unicodeScalars.append(scalar)
            } else {
                pending += Array(String(scalar).utf16)
            }
        }
        flush()
        return out
    }

    public static func decode(_ text: String) -> String {
        var out = ""
        var chars = Substring(text)
        while let amp = chars.firstIndex(of: "&") {
            out += chars[..<amp]
            let rest = chars[chars.index(after: amp)...]
            guard let dash = rest.firstIndex(of: "-") else { out += chars[amp...]; return out }
            let encoded = rest[..<dash]
            if encoded.isEmpty {
                out += "&"
            } else {
                var bits = 0
                var value = 0
                var bytes: [UInt8] = []
                for c in encoded.utf8 {
                    guard let v = alphabet.firstIndex(of: c) else { continue }
                    value = (value << 6) | v
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        bytes.append(UInt8((value >> bits) & 0xff))
                    }
                }
                var units: [UInt16] = []
                var i = 0
                while i + 1 < bytes.count { units.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])); i += 2 }
                out += String(decoding: units, as: UTF16.self)
            }
            chars = rest[rest.index(after: dash)...]
        }
        out += chars
        return out
    }
}
