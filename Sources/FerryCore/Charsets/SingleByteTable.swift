import CICU
import Foundation

/// Decoding tables for code pages, built once from ICU's own converter so that they agree with ICU
/// exactly, then used without calling ICU: the fast path for single-byte code pages (windows-125x,
/// ISO-8859-x, KOI8-R, …) and for the double-byte Asian code pages (Windows-31J, GBK, Big5, EUC-KR,
/// windows-949).
///
/// An entry is the character's UTF-8 packed little-endian in the low three bytes and its length in
/// the high byte, so a decoder stores four bytes and advances by the length; 0 means "not a
/// character by itself" (unassigned byte, lead byte, invalid pair).
enum PackedUTF8 {
    @inline(__always)
    static func pack(_ utf8: [UInt8]) -> UInt32 {
        guard (1...3).contains(utf8.count) else { return 0 }
        var value = UInt32(utf8.count) << 24
        for (k, b) in utf8.enumerated() { value |= UInt32(b) << (8 * k) }
        return value
    }

    static func unpack(_ value: UInt32) -> [UInt8] {
        (0..<Int(value >> 24)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

/// Converts `bytes` with a fresh strict decoder; returns the status and the UTF-8 produced.
private func convertOnce(_ conv: OpaquePointer, _ bytes: [UInt8]) -> (Int32, [UInt8]) {
    ferry_conv_reset(conv)
    var out = [CChar](repeating: 0, count: 32)
    var produced = 0
    let status: Int32 = bytes.withUnsafeBytes { raw in
        out.withUnsafeMutableBufferPointer { buffer in
            let src = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var source: UnsafePointer<CChar>? = src
            var target: UnsafeMutablePointer<CChar>? = buffer.baseAddress
            let status = ferry_conv_run(conv, &source, src + bytes.count, &target, buffer.baseAddress! + 32, 1)
            produced = target! - buffer.baseAddress!
            return status
        }
    }
    return (status, out.prefix(produced).map { UInt8(bitPattern: $0) })
}

private let tableLock = NSLock()
nonisolated(unsafe) private var singleByteCache: [String: SingleByteTable?] = [:]
nonisolated(unsafe) private var doubleByteCache: [String: DoubleByteTable?] = [:]

final class SingleByteTable: @unchecked Sendable {
    private let entries: UnsafeMutablePointer<UInt32>
    /// True when 0x00–0x7F decode to themselves (then ASCII runs are copied in bulk).
    private(set) var asciiCompatible = true

    private init() {
        entries = .allocate(capacity: 256)
        entries.initialize(repeating: 0, count: 256)
    }

    deinit { entries.deallocate() }

    /// The table for `name`, or nil when the charset is not a single-byte code page.
    static func table(for name: String) -> SingleByteTable? {
        tableLock.lock()
        defer { tableLock.unlock() }
        if let cached = singleByteCache[name] { return cached }
        let table = build(name)
        singleByteCache[name] = .some(table)
        return table
    }

    private static func build(_ name: String) -> SingleByteTable? {
        guard let conv = try? openConverter(name, direction: FERRY_DECODE, policy: .strict) else { return nil }
        defer { ferry_conv_close(conv) }
        guard ferry_conv_max_char_size(conv) == 1, ferry_conv_min_char_size(conv) == 1 else { return nil }
        let table = SingleByteTable()
        let swap = ControlSwap.applies(to: name)
        for byte in 0..<256 {
            let (status, utf8) = convertOnce(conv, [UInt8(byte)])
            if status == Int32(FERRY_CONV_OK.rawValue) { table.entries[byte] = PackedUTF8.pack(utf8) }
            if swap && (byte == 0x1A || byte == 0x1C || byte == 0x7F) { table.entries[byte] = 1 << 24 | UInt32(byte) }
            if byte < 0x80 && table.entries[byte] != (1 << 24 | UInt32(byte)) { table.asciiCompatible = false }
        }
        return table
    }

    struct Result {
        var invalidAt: Int?
        var replacements = 0
    }

    /// Decodes all of `input`, appending UTF-8 to `output`. Unassigned bytes become U+FFFD (replace)
    /// or stop the decoding (strict; `invalidAt` names the byte, output holds what came before).
    func decode(_ input: UnsafeRawBufferPointer, policy: CharsetPolicy, into output: ScratchBuffer) -> Result {
        var result = Result()
        let count = input.count
        guard count > 0, let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return result }
        output.reserve(count * 3 + 8)
        let dst = output.base + output.count
        let entries = self.entries
        var written = 0
        var i = 0
        while i < count {
            if asciiCompatible {
                copyASCIIRun(src, count, &i, dst, &written)
                if i >= count { break }
                let b = src[i]
                if b < 0x80 {
                    dst[written] = b
                    written &+= 1
                    i &+= 1
                    continue
                }
            }
            let entry = entries[Int(src[i])]
            if entry != 0 {
                UnsafeMutableRawPointer(dst + written).storeBytes(of: entry.littleEndian, as: UInt32.self)
                written &+= Int(entry >> 24)
            } else if policy == .strict {
                result.invalidAt = i
                break
            } else {
                dst[written] = 0xEF; dst[written + 1] = 0xBF; dst[written + 2] = 0xBD
                written &+= 3
                result.replacements += 1
            }
            i &+= 1
        }
        output.count += written
        return result
    }
}

/// Lead byte + trail byte tables for stateless double-byte code pages (ICU MBCS converters with at
/// most two bytes per character).
final class DoubleByteTable: @unchecked Sendable {
    /// Entries for single bytes (0 for lead bytes and unassigned bytes).
    let single: UnsafeMutablePointer<UInt32>
    /// Lead bytes (a character needs a second byte).
    let lead: UnsafeMutablePointer<Bool>
    /// Entries for `lead << 8 | trail` (0: not a valid pair, ICU decides what it is).
    let pairs: UnsafeMutablePointer<UInt32>

    private init() {
        single = .allocate(capacity: 256)
        single.initialize(repeating: 0, count: 256)
        lead = .allocate(capacity: 256)
        lead.initialize(repeating: false, count: 256)
        pairs = .allocate(capacity: 65536)
        pairs.initialize(repeating: 0, count: 65536)
    }

    deinit {
        single.deallocate()
        lead.deallocate()
        pairs.deallocate()
    }

    /// The table for `name` (with the JIS X 0208 remapping for Ferry's Shift_JIS), or nil when the
    /// charset is not a stateless ASCII-compatible double-byte code page.
    static func table(for name: String, remap: Charset.Remap?) -> DoubleByteTable? {
        let key = remap == nil ? name : name + "+jis"
        tableLock.lock()
        defer { tableLock.unlock() }
        if let cached = doubleByteCache[key] { return cached }
        let table = build(name, remap: remap)
        doubleByteCache[key] = .some(table)
        return table
    }

    private static func build(_ name: String, remap: Charset.Remap?) -> DoubleByteTable? {
        guard let conv = try? openConverter(name, direction: FERRY_DECODE, policy: .strict) else { return nil }
        defer { ferry_conv_close(conv) }
        // 2 = UCNV_MBCS; stateful EBCDIC and ISO-2022 converters are other types.
        guard ferry_conv_type(conv) == 2, ferry_conv_max_char_size(conv) == 2,
              ferry_conv_min_char_size(conv) == 1 else { return nil }
        let table = DoubleByteTable()
        let ok = Int32(FERRY_CONV_OK.rawValue)
        let swap = ControlSwap.applies(to: name)
        for byte in 0..<256 {
            let (status, utf8) = convertOnce(conv, [UInt8(byte)])
            if status == ok {
                table.single[byte] = PackedUTF8.pack(utf8)
            } else if status == Int32(FERRY_CONV_TRUNCATED.rawValue) {
                table.lead[byte] = true
            }
            if swap && (byte == 0x1A || byte == 0x1C || byte == 0x7F) { table.single[byte] = 1 << 24 | UInt32(byte) }
            if byte < 0x80 && table.single[byte] != (1 << 24 | UInt32(byte)) { return nil }
        }
        for l in 0x80..<256 where table.lead[l] {
            for t in 0..<256 {
                let (status, utf8) = convertOnce(conv, [UInt8(l), UInt8(t)])
                guard status == ok, !utf8.isEmpty, var scalar = singleScalar(utf8) else { continue }
                if remap == .jisX0208, let mapped = JISRemap.microsoftToJIS[scalar] { scalar = mapped }
                table.pairs[l << 8 | t] = PackedUTF8.pack(Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            }
        }
        return table
    }

    /// The scalar when `utf8` is exactly one BMP scalar (a supplementary or a two-scalar mapping is
    /// left to ICU).
    private static func singleScalar(_ utf8: [UInt8]) -> UInt32? {
        let scalars = Array(String(decoding: utf8, as: UTF8.self).unicodeScalars)
        guard scalars.count == 1, scalars[0].value < 0x10000 else { return nil }
        return scalars[0].value
    }
}

/// Copies 8-byte words of pure ASCII from `src[i...]` to `dst[written...]` (the bulk fast path of
/// the table decoders); stops before the first word holding a byte ≥ 0x80 or at the last partial word.
@inline(__always)
func copyASCIIRun(_ src: UnsafePointer<UInt8>, _ count: Int, _ i: inout Int,
                  _ dst: UnsafeMutablePointer<UInt8>, _ written: inout Int) {
    while i + 8 <= count {
        let word = UnsafeRawPointer(src + i).loadUnaligned(as: UInt64.self)
        if word & 0x8080_8080_8080_8080 != 0 { return }
        UnsafeMutableRawPointer(dst + written).storeBytes(of: word, as: UInt64.self)
        i &+= 8
        written &+= 8
    }
}
