import CICU
import Foundation

/// A 256-entry decoding table for a single-byte code page, built once from ICU's own converter so
/// that it agrees with ICU exactly, then used without calling ICU (the fast path for windows-125x,
/// ISO-8859-x, KOI8-R and friends).
final class SingleByteTable: @unchecked Sendable {
    /// UTF-8 of each byte: up to 4 bytes, packed; `lengths[b] == 0` means the byte is unassigned.
    private var utf8 = [UInt8](repeating: 0, count: 256 * 4)
    private var lengths = [UInt8](repeating: 0, count: 256)
    /// True when 0x00–0x7F decode to themselves (then ASCII runs are copied in bulk).
    private(set) var asciiCompatible = true

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: SingleByteTable?] = [:]

    /// The table for `name`, or nil when the charset is not a single-byte code page.
    static func table(for name: String) -> SingleByteTable? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[name] { return cached }
        let table = build(name)
        cache[name] = .some(table)
        return table
    }

    private static func build(_ name: String) -> SingleByteTable? {
        guard let conv = try? openConverter(name, direction: FERRY_DECODE, policy: .strict) else { return nil }
        defer { ferry_conv_close(conv) }
        guard ferry_conv_max_char_size(conv) == 1, ferry_conv_min_char_size(conv) == 1 else { return nil }
        let table = SingleByteTable()
        var out = [CChar](repeating: 0, count: 16)
        for byte in 0..<256 {
            ferry_conv_reset(conv)
            var input = CChar(bitPattern: UInt8(byte))
            let status: Int32 = withUnsafePointer(to: &input) { pointer in
                out.withUnsafeMutableBufferPointer { buffer in
                    var source: UnsafePointer<CChar>? = pointer
                    var target: UnsafeMutablePointer<CChar>? = buffer.baseAddress
                    let status = ferry_conv_run(conv, &source, pointer + 1, &target, buffer.baseAddress! + 16, 1)
                    let produced = target! - buffer.baseAddress!
                    if status == Int32(FERRY_CONV_OK.rawValue), produced > 0, produced <= 4 {
                        table.lengths[byte] = UInt8(produced)
                        for k in 0..<produced { table.utf8[byte * 4 + k] = UInt8(bitPattern: buffer[k]) }
                    }
                    return status
                }
            }
            _ = status
            if byte < 0x80 && (table.lengths[byte] != 1 || table.utf8[byte * 4] != UInt8(byte)) {
                table.asciiCompatible = false
            }
        }
        return table
    }

    struct Result {
        var invalidAt: Int?
        var replacements = 0
    }

    func decode(_ input: UnsafeRawBufferPointer, policy: CharsetPolicy, into output: inout [UInt8]) -> Result {
        var result = Result()
        let count = input.count
        guard count > 0, let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return result }
        let before = output.count
        output.append(contentsOf: repeatElement(0, count: count * 4))
        var written = 0
        utf8.withUnsafeBufferPointer { table in
            lengths.withUnsafeBufferPointer { lengths in
                output.withUnsafeMutableBufferPointer { out in
                    let dst = out.baseAddress! + before
                    var i = 0
                    while i < count {
                        if asciiCompatible {
                            while i + 8 <= count {
                                let word = UnsafeRawPointer(src + i).loadUnaligned(as: UInt64.self)
                                if word & 0x8080_8080_8080_8080 != 0 { break }
                                UnsafeMutableRawPointer(dst + written).storeBytes(of: word, as: UInt64.self)
                                i += 8
                                written += 8
                            }
                            if i >= count { break }
                        }
                        let b = Int(src[i])
                        let n = Int(lengths[b])
                        if n == 1 {
                            dst[written] = table[b &* 4]
                            written += 1
                        } else if n > 0 {
                            for k in 0..<n { dst[written + k] = table[b &* 4 &+ k] }
                            written += n
                        } else if policy == .strict {
                            result.invalidAt = i
                            return
                        } else {
                            dst[written] = 0xEF; dst[written + 1] = 0xBF; dst[written + 2] = 0xBD
                            written += 3
                            result.replacements += 1
                        }
                        i += 1
                    }
                }
            }
        }
        output.removeSubrange((before + written)...)
        return result
    }
}
