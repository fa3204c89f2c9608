import CICU

/// A charset guess with how sure it is and how it was reached.
public struct CharsetGuess: Sendable, Equatable, Codable {
    public enum Method: String, Sendable, Codable {
        case declared   // named by the user or the input
        case bom        // byte-order mark
        case ascii      // only 7-bit bytes in the sample
        case utf8       // valid UTF-8 with non-ASCII bytes
        case detector   // statistical detection (uchardet and ICU, verified)
    }

    public var charset: String
    /// 0...100.
    public var confidence: Int
    public var method: Method
    /// Language the detector saw, when it says (`de`, `ru`, `ja`).
    public var language: String?
    /// Length of a BOM at the start of the sample, to be skipped.
    public var bomLength: Int = 0

    public init(charset: String, confidence: Int, method: Method, language: String? = nil, bomLength: Int = 0) {
        self.charset = charset
        self.confidence = confidence
        self.method = method
        self.language = language
        self.bomLength = bomLength
    }
}

/// Finds the charset of undeclared text: BOM, then strict UTF-8, then statistical detectors.
public enum CharsetDetector {
    /// How many bytes of an input are worth sampling.
    public static let sampleSize = 64 * 1024

    public static func detect(_ sample: [UInt8]) -> CharsetGuess {
        if let bom = byteOrderMark(sample) { return bom }
        if sample.allSatisfy({ $0 < 0x80 }) {
            return CharsetGuess(charset: "UTF-8", confidence: 100, method: .ascii)
        }
        if UTF8Validator.isValid(sample, allowTruncatedEnd: sample.count >= sampleSize) {
            return CharsetGuess(charset: "UTF-8", confidence: 100, method: .utf8)
        }
        return statistical(sample)
    }

    /// UTF-8, UTF-16 and UTF-32 byte-order marks.
    public static func byteOrderMark(_ s: [UInt8]) -> CharsetGuess? {
        func guess(_ name: String, _ length: Int) -> CharsetGuess {
            CharsetGuess(charset: name, confidence: 100, method: .bom, bomLength: length)
        }
        if s.starts(with: [0xEF, 0xBB, 0xBF]) { return guess("UTF-8", 3) }
        if s.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return guess("UTF-32LE", 4) }
        if s.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return guess("UTF-32BE", 4) }
        if s.starts(with: [0xFF, 0xFE]) { return guess("UTF-16LE", 2) }
        if s.starts(with: [0xFE, 0xFF]) { return guess("UTF-16BE", 2) }
        return nil
    }

    static func statistical(_ sample: [UInt8]) -> CharsetGuess {
        var name = [CChar](repeating: 0, count: 64)
        let uchardet: String? = sample.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                ferry_detect_uchardet(chars.baseAddress, chars.count, &name, 64) == 0
                    ? String(cString: name) : nil
            }
        }
        var guesses = [ferry_guess](repeating: ferry_guess(), count: 8)
        let found = sample.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                ferry_detect_icu(chars.baseAddress, Int32(chars.count), &guesses, 8)
            }
        }
        let icu = (0..<max(0, Int(found))).map { i -> (String, String, Int) in
            var g = guesses[i]
            let n = withUnsafeBytes(of: &g.name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            let l = withUnsafeBytes(of: &g.language) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            return (n, l, Int(g.confidence))
        }
        if let u = uchardet, !u.isEmpty {
            let agreeing = icu.first { $0.0.caseInsensitiveCompare(u) == .orderedSame }
            return CharsetGuess(charset: u, confidence: agreeing.map { max($0.2, 60) } ?? 50, method: .detector,
                                language: agreeing?.1)
        }
        if let best = icu.first {
            return CharsetGuess(charset: best.0, confidence: best.2, method: .detector,
                                language: best.1.isEmpty ? nil : best.1)
        }
        return CharsetGuess(charset: "windows-1252", confidence: 10, method: .detector)
    }
}
