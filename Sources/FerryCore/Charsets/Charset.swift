import Foundation
import CICU

/// What to do with bytes that are invalid in the source charset, or characters the target cannot hold.
public enum CharsetPolicy: String, Sendable, CaseIterable {
    /// Stop with an error naming the byte offset.
    case strict
    /// U+FFFD when decoding, `?` when encoding (as Zimbra does); every replacement is counted.
    case replace
}

/// A resolved charset: the label the user gave and the ICU converter that implements it.
///
/// Labels resolve through ICU's alias table (every ICU converter name and alias works), with two
/// layers of our own:
/// - **reading with supersets**, as the WHATWG Encoding Standard and real mail clients do: files
///   labelled ISO-8859-1 or US-ASCII are read as windows-1252, EUC-KR as windows-949 (UHC), GB2312 as
///   GBK;
/// - **Shift_JIS vs Windows-31J**: ICU maps both to Microsoft's table; Ferry's `Shift_JIS` uses the
///   JIS X 0208 mapping for the seven characters where the two differ (0x815F REVERSE SOLIDUS,
///   0x8160 WAVE DASH, …), as Java (and so Zimbra) does, while `Windows-31J`/`cp932` keep
///   Microsoft's (FULLWIDTH REVERSE SOLIDUS, FULLWIDTH TILDE, …).
public struct Charset: Sendable, Hashable, CustomStringConvertible {
    /// The label as given (normalised only in case).
    public let label: String
    /// The ICU converter name used for decoding.
    public let decoderName: String
    /// The ICU converter name used for encoding.
    public let encoderName: String
    /// Scalar remapping applied on top of ICU (only Shift_JIS has one).
    let remap: Remap?

    enum Remap: Sendable, Hashable { case jisX0208 }

    public var description: String { label }

    public static let utf8 = try! Charset("UTF-8")

    /// Resolves a label; throws a usage error for unknown names.
    public init(_ label: String) throws {
        let trimmed = label.trimmingASCIIWhitespace
        let key = trimmed.lowercased().replacingOccurrences(of: "_", with: "-")
        guard ferry_conv_canonical(trimmed) != nil || Charset.readingSupersets[key] != nil else {
            throw FerryError.usage("charset.unknown",
                                   "unknown charset '\(label)' (try UTF-8, Windows-1252, Windows-31J, GBK, …; "
                                   + "`ferry formats --charsets` lists all)")
        }
        // The alias table can name converters whose data this ICU build lacks: open one to be sure.
        guard let probe = try? openConverter(Charset.readingSupersets[key] ?? trimmed, direction: FERRY_DECODE,
                                             policy: .strict) else {
            throw FerryError.usage("charset.unavailable", "charset '\(label)' is known but not available in this ICU build")
        }
        ferry_conv_close(probe)
        self.label = trimmed
        self.decoderName = Charset.readingSupersets[key] ?? trimmed
        self.encoderName = trimmed
        self.remap = ["shift-jis", "shift-jis", "sjis", "x-sjis", "ms-kanji", "csshiftjis"].contains(key)
            ? .jisX0208 : nil
    }

    /// True for UTF-8 (any spelling): bytes are validated and passed through.
    public var isUTF8: Bool {
        let key = label.lowercased()
        return key == "utf-8" || key == "utf8" || key == "unicode-1-1-utf-8" || key == "x-unicode20utf8"
    }

    /// The ICU canonical converter name (for reports).
    public var canonicalName: String {
        ferry_conv_canonical(decoderName).map { String(cString: $0) } ?? decoderName
    }

    static let readingSupersets: [String: String] = [
        "iso-8859-1": "windows-1252", "iso8859-1": "windows-1252", "latin1": "windows-1252",
        "l1": "windows-1252", "us-ascii": "windows-1252", "ascii": "windows-1252", "iso-ir-100": "windows-1252",
        "euc-kr": "windows-949", "ks-c-5601-1987": "windows-949", "cseuckr": "windows-949",
        "gb2312": "GBK", "csgb2312": "GBK", "x-gbk": "GBK",
        "shift-jis": "windows-31j", "sjis": "windows-31j", "x-sjis": "windows-31j", "ms-kanji": "windows-31j",
        "csshiftjis": "windows-31j",
    ]

    /// Every converter ICU offers, with its aliases (for `ferry formats --charsets`).
    public static func availableConverters() -> [(name: String, aliases: [String])] {
        (0..<Int(ferry_conv_count_available())).compactMap { index in
            guard let cName = ferry_conv_available_name(Int32(index)) else { return nil }
            let name = String(cString: cName)
            let aliases = (0..<Int(ferry_conv_count_aliases(cName))).compactMap { i in
                ferry_conv_alias(cName, Int32(i)).map { String(cString: $0) }
            }
            return (name, aliases)
        }
    }
}

/// JIS X 0208 vs Microsoft mapping for the seven Shift_JIS code points where they differ.
enum JISRemap {
    /// (Microsoft scalar, JIS scalar)
    static let pairs: [(UInt32, UInt32)] = [
        (0xFF3C, 0x005C),  // 0x815F REVERSE SOLIDUS
        (0xFF5E, 0x301C),  // 0x8160 WAVE DASH
        (0x2225, 0x2016),  // 0x8161 DOUBLE VERTICAL LINE
        (0xFF0D, 0x2212),  // 0x817C MINUS SIGN
        (0xFFE0, 0x00A2),  // 0x8191 CENT SIGN
        (0xFFE1, 0x00A3),  // 0x8192 POUND SIGN
        (0xFFE2, 0x00AC),  // 0x81CA NOT SIGN
    ]
    static let microsoftToJIS: [UInt32: UInt32] = Dictionary(uniqueKeysWithValues: pairs)
    /// U+005C stays ASCII when encoding; the other six JIS scalars go back to their double-byte codes.
    static let jisToMicrosoft: [UInt32: UInt32] =
        Dictionary(uniqueKeysWithValues: pairs.filter { $0.1 != 0x5C }.map { ($0.1, $0.0) })

    /// Rewrites the scalars of complete UTF-8 text in `bytes[from...]` through `table`.
    static func apply(_ table: [UInt32: UInt32], to bytes: inout [UInt8], from: Int) {
        // Only 2- and 3-byte sequences are involved; skip quickly when there are none.
        var i = from
        var needs = false
        while i < bytes.count {
            if bytes[i] >= 0xC2 { needs = true; break }
            i += 1
        }
        guard needs else { return }
        var out: [UInt8] = Array(bytes[from..<i])
        out.reserveCapacity(bytes.count - from)
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            guard i + length <= bytes.count else { out.append(contentsOf: bytes[i...]); break }
            if length == 2 || length == 3 {
                let scalar: UInt32 = length == 2
                    ? (UInt32(b & 0x1F) << 6) | UInt32(bytes[i + 1] & 0x3F)
                    : (UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F)
                if let mapped = table[scalar], let s = Unicode.Scalar(mapped) {
                    out.append(contentsOf: Array(String(Character(s)).utf8))
                    i += length
                    continue
                }
            }
            out.append(contentsOf: bytes[i..<(i + length)])
            i += length
        }
        bytes.replaceSubrange(from..., with: out)
    }
}

extension String {
    var trimmingASCIIWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}

/// ICU's IBM-derived tables (ibm-943 behind Windows-31J and Shift_JIS, the IBM PC code pages) swap
/// three ASCII controls as IBM host conventions do: 0x1A ↔ U+001C, 0x1C ↔ U+007F, 0x7F ↔ U+001A.
/// Windows, Java, glibc iconv and the WHATWG Encoding Standard map them to themselves, and so does
/// Ferry: decoded text and encoded bytes are corrected around ICU.
enum ControlSwap {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Bool] = [:]

    /// True when ICU's converter `name` decodes 0x1A, 0x1C and 0x7F as U+001C, U+007F and U+001A.
    static func applies(to name: String) -> Bool {
        lock.lock()
        if let known = cache[name] { lock.unlock(); return known }
        lock.unlock()
        var swapped = false
        if let conv = try? openConverter(name, direction: FERRY_DECODE, policy: .replace) {
            defer { ferry_conv_close(conv) }
            let input: [UInt8] = [0x1A, 0x1C, 0x7F]
            var out = [CChar](repeating: 0, count: 16)
            var produced = 0
            input.withUnsafeBytes { raw in
                out.withUnsafeMutableBufferPointer { buffer in
                    let src = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
                    var source: UnsafePointer<CChar>? = src
                    var target: UnsafeMutablePointer<CChar>? = buffer.baseAddress
                    _ = ferry_conv_run(conv, &source, src + 3, &target, buffer.baseAddress! + 16, 1)
                    produced = target! - buffer.baseAddress!
                }
            }
            swapped = produced == 3 && out[0] == 0x1C && out[1] == 0x7F && out[2] == 0x1A
        }
        lock.lock()
        cache[name] = swapped
        lock.unlock()
        return swapped
    }

    /// ICU's UTF-8 output → what the bytes mean on Windows (bytes below 0x80 are whole characters).
    static func fixDecoded(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) {
        for i in 0..<count {
            switch bytes[i] {
            case 0x1C: bytes[i] = 0x1A
            case 0x7F: bytes[i] = 0x1C
            case 0x1A: bytes[i] = 0x7F
            default: break
            }
        }
    }

    /// UTF-8 input → what ICU must see to write the Windows bytes.
    static func fixForEncoding(_ bytes: inout [UInt8]) {
        for i in bytes.indices {
            switch bytes[i] {
            case 0x1A: bytes[i] = 0x1C
            case 0x1C: bytes[i] = 0x7F
            case 0x7F: bytes[i] = 0x1A
            default: break
            }
        }
    }
}
