/// Streaming UTF-8 validation that passes valid input through unchanged.
///
/// An incomplete sequence at the end of a chunk is carried into the next one. Invalid sequences
/// are replaced by one U+FFFD per maximal subpart (Unicode's recommended practice) under the
/// `replace` policy, or reported by offset under `strict`.
public struct UTF8Validator: Sendable {
    private var carry: [UInt8] = []

    public init() {}

    public struct Result {
        /// Offset (in this chunk's input) of the first invalid byte, under the strict policy; negative
        /// when the bad sequence began in the previous chunk.
        public var invalidAt: Int?
        public var invalidBytes: [UInt8] = []
        public var replacements = 0
    }

    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    public mutating func process(_ input: UnsafeRawBufferPointer, final: Bool, policy: CharsetPolicy,
                                 into output: inout [UInt8]) -> Result {
        process(input, final: final, policy: policy) { output.append(contentsOf: $0) }
    }

    /// Validates `input`, handing valid runs to `emit` straight from the input (no copy) and
    /// replacements as U+FFFD.
    public mutating func process(_ input: UnsafeRawBufferPointer, final: Bool, policy: CharsetPolicy,
                                 emit: (UnsafeRawBufferPointer) -> Void) -> Result {
        var result = Result()
        var position = 0
        // Finish a sequence carried over from the previous chunk.
        if !carry.isEmpty {
            var joined = carry
            let take = min(4 - carry.count, input.count)
            joined.append(contentsOf: input.prefix(take))
            let (length, complete) = UTF8Validator.sequence(joined, 0, joined.count)
            if complete && length > 0 {
                joined.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0[..<length])) }
                position = length - carry.count
                carry = []
            } else if !complete && length == joined.count && !final {
                carry = joined  // still incomplete (tiny chunks)
                return result
            } else {
                // Invalid (or truncated at the very end): the carried bytes form the bad subpart.
                let bad = max(length, 1)
                if policy == .strict {
                    result.invalidAt = -carry.count  // the sequence began in the previous chunk
                    result.invalidBytes = Array(joined.prefix(bad))
                    carry = []
                    return result
                }
                UTF8Validator.replacement.withUnsafeBytes { emit($0) }
                result.replacements += 1
                position = max(0, bad - carry.count)
                carry = []
            }
        }
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return result }
        let count = input.count
        var runStart = position
        while position < count {
            // ASCII fast path, 8 bytes at a time.
            while position + 8 <= count {
                let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                position += 8
            }
            if position >= count { break }
            let lead = base[position]
            if lead < 0x80 { position += 1; continue }
            // Complete, valid 2-, 3- and 4-byte sequences inline; anything else takes the careful path.
            if lead >= 0xC2 {
                if lead <= 0xDF {
                    if position + 1 < count, base[position + 1] & 0xC0 == 0x80 { position += 2; continue }
                } else if lead <= 0xEF {
                    if position + 2 < count {
                        let b1 = base[position + 1]
                        let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80
                        let high: UInt8 = lead == 0xED ? 0x9F : 0xBF
                        if b1 >= low && b1 <= high && base[position + 2] & 0xC0 == 0x80 { position += 3; continue }
                    }
                } else if lead <= 0xF4 {
                    if position + 3 < count {
                        let b1 = base[position + 1]
                        let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80
                        let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF
                        if b1 >= low && b1 <= high && base[position + 2] & 0xC0 == 0x80
                            && base[position + 3] & 0xC0 == 0x80 { position += 4; continue }
                    }
                }
            }
            let (length, complete) = UTF8Validator.sequence(base, position, count)
            if complete {
                position += length
                continue
            }
            if length == count - position && !final {
                // Incomplete at the end of the chunk: carry it.
                flush(base, runStart, position, emit)
                carry = Array(UnsafeBufferPointer(start: base + position, count: length))
                return result
            }
            flush(base, runStart, position, emit)
            let bad = max(length, 1)
            if policy == .strict {
                result.invalidAt = position
                result.invalidBytes = Array(UnsafeBufferPointer(start: base + position, count: bad))
                return result
            }
            UTF8Validator.replacement.withUnsafeBytes { emit($0) }
            result.replacements += 1
            position += bad
            runStart = position
        }
        flush(base, runStart, count, emit)
        return result
    }

    @inline(__always)
    private func flush(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int,
                       _ emit: (UnsafeRawBufferPointer) -> Void) {
        if to > from { emit(UnsafeRawBufferPointer(start: base + from, count: to - from)) }
    }

    /// Examines the sequence at `i`: returns (bytes that form a valid prefix, whether it is complete).
    @inline(__always)
    static func sequence<C: RandomAccessCollection>(_ bytes: C, _ i: C.Index, _ end: C.Index) -> (Int, Bool)
    where C.Element == UInt8, C.Index == Int {
        let lead = bytes[i]
        let need: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F: return (1, true)
        case 0xC2...0xDF: need = 2
        case 0xE0: need = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 3
        case 0xED: need = 3; high = 0x9F
        case 0xF0: need = 4; low = 0x90
        case 0xF1...0xF3: need = 4
        case 0xF4: need = 4; high = 0x8F
        default: return (0, false)
        }
        var k = 1
        while k < need {
            if i + k >= end { return (k, false) }
            let b = bytes[i + k]
            let lo: UInt8 = k == 1 ? low : 0x80
            let hi: UInt8 = k == 1 ? high : 0xBF
            if b < lo || b > hi { return (k, false) }
            k += 1
        }
        return (need, true)
    }

    static func sequence(_ bytes: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (Int, Bool) {
        sequence(UnsafeBufferPointer(start: bytes, count: end), i, end)
    }
}

extension UTF8Validator {
    /// True when `bytes` is entirely valid UTF-8 (an incomplete last sequence counts as valid when
    /// `allowTruncatedEnd`, for samples cut from a longer input).
    public static func isValid(_ bytes: [UInt8], allowTruncatedEnd: Bool = false) -> Bool {
        var i = 0
        while i < bytes.count {
            if bytes[i] < 0x80 { i += 1; continue }
            let (length, complete) = sequence(bytes, i, bytes.count)
            if complete { i += length; continue }
            return allowTruncatedEnd && length > 0 && i + length == bytes.count
        }
        return true
    }
}
