import CICU

/// A charset guess with how sure it is and how it was reached.
public struct CharsetGuess: Sendable, Equatable, Codable {
    public enum Method: String, Sendable, Codable {
        case declared   // named by the user or the input
        case bom        // byte-order mark
        case ascii      // only 7-bit bytes in the sample
        case utf8       // valid UTF-8 with non-ASCII bytes
        case detector   // statistical detection (uchardet and ICU), verified by decoding
    }

    public var charset: String
    /// 0...100. Below `CharsetDetector.confidenceThreshold` the guess is a guess: say so and ask for
    /// `--charset`.
    public var confidence: Int
    public var method: Method
    /// Language the detector saw, when it says (`de`, `ru`, `ja`).
    public var language: String?
    /// Length of a BOM at the start of the sample, to be skipped.
    public var bomLength: Int = 0
    /// Other charsets that decode the sample cleanly but differently, best first (for messages such
    /// as "windows-1250? or ISO-8859-2").
    public var alternatives: [String]?

    public init(charset: String, confidence: Int, method: Method, language: String? = nil, bomLength: Int = 0,
                alternatives: [String]? = nil) {
        self.charset = charset
        self.confidence = confidence
        self.method = method
        self.language = language
        self.bomLength = bomLength
        self.alternatives = alternatives
    }

    /// True when the guess should not be trusted without confirmation (`--charset`).
    public var isLowConfidence: Bool { confidence < CharsetDetector.confidenceThreshold }
}

/// Finds the charset of undeclared text: BOM, then strict UTF-8, then statistical detectors whose
/// candidates are verified by decoding.
///
/// The statistical step follows the pipeline of the reference (§2.6): uchardet and ICU's `ucsdet`
/// propose; every proposal plus the plausible legacy code pages (windows-1252/1250/1251, ISO-8859-2,
/// KOI8-R, …) decode the sample; a candidate that yields U+FFFD, C1 controls or private-use
/// characters is dropped; the rest are scored by how well their text fits a language (letters of the
/// language's alphabet, no symbols inside words, no `иВАНОВ` case patterns). Multi-byte (CJK)
/// proposals are kept when they decode cleanly into CJK text: the detectors are reliable there.
/// Candidates that decode to the same text are one answer; the confidence is the margin between the
/// best answer and the next different one.
public enum CharsetDetector {
    /// How many bytes of an input are worth sampling.
    public static let sampleSize = 64 * 1024
    /// Guesses below this confidence are reported as low-confidence.
    public static let confidenceThreshold = 60

    public static func detect(_ sample: [UInt8]) -> CharsetGuess {
        if let bom = byteOrderMark(sample) { return bom }
        if sample.allSatisfy({ $0 < 0x80 }) {
            if sample.contains(0x1B), let stateful = iso2022(sample) { return stateful }
            if let utf16 = unmarkedUTF16(sample) { return utf16 }
            return CharsetGuess(charset: "UTF-8", confidence: 100, method: .ascii)
        }
        if UTF8Validator.isValid(sample, allowTruncatedEnd: sample.count >= sampleSize) {
            return CharsetGuess(charset: "UTF-8", confidence: 100, method: .utf8)
        }
        if let utf16 = unmarkedUTF16(sample) { return utf16 }
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

    // MARK: - The detectors on their own (also for measuring them)

    /// uchardet's answer as a Ferry charset label (nil when it has none or names something ICU lacks).
    public static func uchardet(_ sample: [UInt8]) -> String? {
        var name = [CChar](repeating: 0, count: 64)
        let answer: String? = sample.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                ferry_detect_uchardet(chars.baseAddress, chars.count, &name, 64) == 0
                    ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
            }
        }
        guard let answer, !answer.isEmpty else { return nil }
        return label(forDetectorName: answer)
    }

    /// ICU's answers, best first, as (Ferry charset label, language, confidence 0–100).
    public static func icu(_ sample: [UInt8]) -> [(charset: String, language: String, confidence: Int)] {
        var guesses = [ferry_guess](repeating: ferry_guess(), count: 12)
        let found = sample.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                ferry_detect_icu(chars.baseAddress, Int32(chars.count), &guesses, 12)
            }
        }
        return (0..<max(0, Int(found))).compactMap { i in
            var g = guesses[i]
            let n = withUnsafeBytes(of: &g.name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            let l = withUnsafeBytes(of: &g.language) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            guard let label = label(forDetectorName: n) else { return nil }
            return (label, l, Int(g.confidence))
        }
    }

    /// Maps detector spellings onto labels Ferry reads with: Shift_JIS files are read as Windows-31J
    /// (what Windows writes), UHC as windows-949, names ICU does not know are dropped.
    static func label(forDetectorName name: String) -> String? {
        let key = name.uppercased()
        let mapped: String
        switch key {
        case "ASCII", "US-ASCII": mapped = "UTF-8"
        case "SHIFT_JIS", "SJIS", "SHIFT-JIS", "CP932": mapped = "Windows-31J"
        case "UHC", "CP949": mapped = "windows-949"
        case "MAC-CENTRALEUROPE": mapped = "x-mac-centraleurroman"
        case "MAC-CYRILLIC": mapped = "x-mac-cyrillic"
        case "IBM852", "IBM855", "IBM866": mapped = "ibm-" + key.dropFirst(3)
        case "BIG5": mapped = "Big5"
        case "GB18030": mapped = "GB18030"
        default:
            mapped = key.hasPrefix("WINDOWS-") ? "windows-" + key.dropFirst(8) : name
        }
        return (try? Charset(mapped)) != nil ? mapped : nil
    }

    // MARK: - Detection

    struct Candidate {
        var label: String
        var canonical: String
        var prior: Double
        var votes: Double = 0
        var multiByte: Bool
    }

    /// Single-byte code pages always tried, with a prior that breaks ties by how common they are.
    static let legacyCandidates: [(String, Double)] = [
        ("windows-1252", 0.6), ("windows-1250", 0.5), ("ISO-8859-2", 0.3), ("ISO-8859-15", 0.1),
        ("windows-1251", 0.5), ("KOI8-R", 0.4), ("KOI8-U", 0.05), ("ISO-8859-5", 0.0), ("ibm-866", 0.0),
        ("windows-1253", 0.1), ("windows-1254", 0.1), ("windows-1257", 0.1),
    ]

    static func statistical(_ fullSample: [UInt8]) -> CharsetGuess {
        // A sample cut from a longer input may end inside a character: verify up to the last line break.
        var sample = fullSample
        if sample.count >= sampleSize, let lastLF = sample.lastIndex(of: 0x0A), lastLF > sample.count / 2 {
            sample.removeSubrange((lastLF + 1)...)
        }
        let fromUchardet = uchardet(fullSample)
        let fromICU = icu(fullSample)

        var candidates: [Candidate] = []
        func add(_ label: String, prior: Double = 0, votes: Double = 0) {
            let charset = try? Charset(label)
            let canonical = charset?.canonicalName ?? label
            if let i = candidates.firstIndex(where: { $0.canonical == canonical }) {
                candidates[i].votes += votes
                candidates[i].prior = max(candidates[i].prior, prior)
                return
            }
            let multiByte = charset.map { SingleByteTable.table(for: $0.decoderName) == nil } ?? true
            candidates.append(Candidate(label: label, canonical: canonical, prior: prior, votes: votes,
                                        multiByte: multiByte))
        }
        if let u = fromUchardet, u != "UTF-8" { add(u, votes: 3) }
        for (rank, g) in fromICU.enumerated() where g.charset != "UTF-8" && !g.charset.hasPrefix("UTF-") {
            add(g.charset, votes: rank == 0 ? 1.5 : 0.25)
        }

        // CJK: keep the detectors' multi-byte decision when it decodes cleanly into CJK text.
        // Only a detector's first answer counts as a proposal: GB18030 and Big5 take ASCII letters as
        // trail bytes, so tiny Latin text often decodes "cleanly" into stray ideographs
        // (`J` + 乱 + `gen`); those are also rejected by their shape (ideographs glued to Latin letters).
        var cjk: [(Candidate, String)] = []
        for c in candidates where c.multiByte && c.votes >= 1 {
            guard let text = cleanDecode(sample, c.label), cjkShare(text) >= 0.9, !gluedToLatin(text) else { continue }
            cjk.append((c, text))
        }
        if let best = cjk.max(by: { $0.0.votes < $1.0.votes }) {
            // GB18030 decodes most Shift_JIS and EUC-KR byte pairs into valid ideographs, so a clean
            // decode by another candidate is no doubt in itself: the detectors' votes decide.
            let agreeing = cjk.filter { $0.1.utf8.elementsEqual(best.1.utf8) }.reduce(0) { $0 + $1.0.votes }
            let others = cjk.filter { !$0.1.utf8.elementsEqual(best.1.utf8) }
            let margin = agreeing - (others.map(\.0.votes).max() ?? 0)
            let confidence = margin >= 4 ? 95 : margin >= 2.5 ? 85 : margin >= 1 ? 70 : 45
            return CharsetGuess(charset: best.0.label, confidence: confidence,
                                method: .detector, language: cjkLanguage(best.1),
                                alternatives: others.isEmpty ? nil : others.map(\.0.label))
        }

        for (label, prior) in legacyCandidates { add(label, prior: prior) }

        // Decode with every single-byte candidate; group identical results.
        struct Answer {
            var text: String
            var members: [Candidate]
            var fit: Fit
            var score: Double { fit.score + members.map(\.prior).max()! + members.reduce(0) { $0 + $1.votes } }
            var label: String { members.max { ($0.prior + $0.votes) < ($1.prior + $1.votes) }!.label }
        }
        var answers: [Answer] = []
        for c in candidates where !c.multiByte {
            guard let text = cleanDecode(sample, c.label) else { continue }
            if let i = answers.firstIndex(where: { $0.text.utf8.elementsEqual(text.utf8) }) {
                answers[i].members.append(c)
            } else {
                answers.append(Answer(text: text, members: [c], fit: fit(text)))
            }
        }
        answers.sort { $0.score > $1.score }
        guard let best = answers.first else {
            // Nothing decodes cleanly: windows-1252 never fails on more than five bytes; say we do not know.
            return CharsetGuess(charset: fromUchardet ?? fromICU.first?.charset ?? "windows-1252", confidence: 10,
                                method: .detector)
        }
        let confidence: Int
        if answers.count == 1 {
            confidence = best.fit.evidence >= 3 ? 95 : 75
        } else {
            // The margin over the next different reading, capped by how much there was to read: one
            // accented letter cannot make anyone sure.
            let margin = best.score - answers[1].score
            let cap = best.fit.evidence >= 6 ? 95 : 35 + 10 * best.fit.evidence
            confidence = min(cap, Int((50 + 45 * (1 - exp(-margin / 4))).rounded()))
        }
        return CharsetGuess(charset: best.label, confidence: confidence, method: .detector,
                            language: best.fit.language,
                            alternatives: answers.count > 1 ? Array(answers.dropFirst().prefix(3).map(\.label)) : nil)
    }

    static func isSingleByte(_ label: String) -> Bool {
        guard let charset = try? Charset(label) else { return false }
        return SingleByteTable.table(for: charset.decoderName) != nil
    }

    /// The sample decoded with `label`, or nil when that produces replacement characters, C1
    /// controls or private-use characters (signs of the wrong charset).
    static func cleanDecode(_ sample: [UInt8], _ label: String) -> String? {
        guard let decoder = try? CharsetDecoder(label, policy: .strict),
              let text = try? decoder.decode(sample) else { return nil }
        for s in text.unicodeScalars {
            let v = s.value
            if (0x80...0x9F).contains(v) || v == 0xFFFD || (0xE000...0xF8FF).contains(v) { return nil }
        }
        return text
    }

    /// Share of the non-ASCII characters that belong to CJK scripts (Han, kana, Hangul, CJK
    /// punctuation and full-width forms).
    static func cjkShare(_ text: String) -> Double {
        var total = 0
        var cjk = 0
        for s in text.unicodeScalars where s.value >= 0x80 {
            total += 1
            switch s.value {
            case 0x3000...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0x1100...0x11FF,
                 0x3130...0x318F, 0xF900...0xFAFF, 0xFF00...0xFFEF, 0x2000...0x206F, 0x2460...0x27BF,
                 0x0391...0x03C9, 0x0401...0x0451, 0x20000...0x2FFFF, 0x00A7, 0x00B0, 0x00B1, 0x00D7, 0x00F7:
                cjk += 1
            default: break
            }
        }
        return total == 0 ? 0 : Double(cjk) / Double(total)
    }

    /// True when most CJK characters of `text` sit between ASCII letters: the shape of Latin text
    /// read with a double-byte charset, never of real CJK names and addresses.
    static func gluedToLatin(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var cjk = 0, glued = 0
        func asciiLetter(_ i: Int) -> Bool {
            i >= 0 && i < scalars.count && scalars[i].isASCII && scalars[i].properties.isAlphabetic
        }
        for (i, s) in scalars.enumerated() where s.value >= 0x2E80 {
            cjk += 1
            if asciiLetter(i - 1) || asciiLetter(i + 1) { glued += 1 }
        }
        return cjk > 0 && glued * 2 > cjk
    }

    static func cjkLanguage(_ text: String) -> String? {
        var kana = 0, hangul = 0, han = 0
        for s in text.unicodeScalars {
            switch s.value {
            case 0x3040...0x30FF: kana += 1
            case 0xAC00...0xD7AF: hangul += 1
            case 0x4E00...0x9FFF: han += 1
            default: break
            }
        }
        if hangul > kana && hangul > 0 { return "ko" }
        if kana > 0 { return "ja" }
        return han > 0 ? "zh" : nil
    }

    // MARK: - Language fit of a decoded text

    struct Fit {
        var score: Double
        var evidence: Int
        var language: String?
    }

    /// Typographic punctuation that is normal next to letters in real text.
    static let typographic: Set<UInt32> = [
        0x00A0, 0x00AB, 0x00BB, 0x2013, 0x2014, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2026,
        0x00B7, 0x2022, 0x00A1, 0x00BF, 0x2039, 0x203A,
    ]

    /// How plausible `text` is as natural-language text: the best language's score, with penalties
    /// (language-independent) for symbols inside words, mixed scripts and inverted case.
    static func fit(_ text: String) -> Fit {
        var penalties = 0.0
        var evidence = 0
        var letterCounts: [Unicode.Scalar: Int] = [:]   // lowercase non-ASCII letters
        var asciiCounts: [Unicode.Scalar: Int] = [:]

        var word: [Unicode.Scalar] = []
        var previous: Unicode.Scalar = " "
        func isLetter(_ s: Unicode.Scalar) -> Bool {
            if s.value < 0x80 { return (s.value | 0x20) >= 0x61 && (s.value | 0x20) <= 0x7A }
            return s.properties.isAlphabetic
        }
        func endWord() {
            defer { word.removeAll(keepingCapacity: true) }
            guard word.contains(where: { $0.value >= 0x80 }) else {
                for s in word where s.isASCII { asciiCounts[Unicode.Scalar(UInt8(s.value) | 0x20), default: 0] += 1 }
                return
            }
            var latin = 0, other = 0
            var inverted = false
            var previousLower = false
            for (i, s) in word.enumerated() {
                let v = s.value
                if v < 0x250 { latin += 1 } else { other += 1 }
                let lower = s.value < 0x80 ? s.value >= 0x61 : s.properties.isLowercase
                let upper = s.value < 0x80 ? s.value <= 0x5A : s.properties.isUppercase
                if i > 0 && previousLower && upper && (v >= 0x80 || word[i - 1].value >= 0x80) { inverted = true }
                previousLower = lower
                if v >= 0x80 {
                    evidence += 1
                    let l = s.properties.lowercaseMapping.unicodeScalars
                    letterCounts[l.count == 1 ? l.first! : s, default: 0] += 1
                }
            }
            if latin > 0 && other > 0 { penalties -= 3 }
            if inverted { penalties -= 2.5 }
        }

        for s in text.unicodeScalars {
            if isLetter(s) {
                word.append(s)
            } else {
                endWord()
                if s.value >= 0x80 && !typographic.contains(s.value) && !s.properties.isWhitespace {
                    evidence += 1
                    // A symbol glued to a letter (`Wi¶niewski`, `±ódź`) is the mark of a wrong code page.
                    penalties -= isLetter(previous) ? 3 : 0.5
                }
            }
            previous = s
        }
        endWord()
        // A symbol followed by a letter (`¶wiat`) is checked on a second, cheap pass.
        var last: Unicode.Scalar = " "
        for s in text.unicodeScalars {
            if last.value >= 0x80 && isLetter(s) && !isLetter(last) && !typographic.contains(last.value)
                && !last.properties.isWhitespace {
                penalties -= 2.5
            }
            last = s
        }

        var best: (Double, String?) = (letterCounts.isEmpty ? 0 : -.infinity, nil)
        for profile in LanguageProfile.all {
            var score = 0.0
            for (letter, count) in letterCounts {
                score += Double(count) * (profile.weight(letter) ?? -2.5)
            }
            if !profile.nonLatin {
                var ascii = 0.0
                for (letter, count) in asciiCounts where profile.asciiCommon.contains(letter) { ascii += Double(count) }
                score += min(1.0, ascii / 200)
            }
            if score > best.0 { best = (score, profile.code) }
        }
        return Fit(score: best.0 + penalties, evidence: evidence, language: letterCounts.isEmpty ? nil : best.1)
    }

    // MARK: - 7-bit and UTF-16 special cases

    /// ISO-2022-JP/KR/CN: 7-bit text with escape sequences.
    static func iso2022(_ sample: [UInt8]) -> CharsetGuess? {
        func has(_ seq: [UInt8]) -> Bool {
            guard sample.count >= seq.count else { return false }
            for i in 0...(sample.count - seq.count) where sample[i] == seq[0] {
                if Array(sample[i..<(i + seq.count)]) == seq { return true }
            }
            return false
        }
        let label: String
        if has([0x1B, 0x24, 0x42]) || has([0x1B, 0x24, 0x40]) || has([0x1B, 0x28, 0x4A]) {
            label = "ISO-2022-JP"
        } else if has([0x1B, 0x24, 0x29, 0x43]) {
            label = "ISO-2022-KR"
        } else if has([0x1B, 0x24, 0x29, 0x41]) || has([0x1B, 0x24, 0x2A, 0x48]) {
            label = "ISO-2022-CN"
        } else {
            return nil
        }
        guard cleanDecode(sample, label) != nil else { return nil }
        return CharsetGuess(charset: label, confidence: 95, method: .detector,
                            language: label == "ISO-2022-JP" ? "ja" : label == "ISO-2022-KR" ? "ko" : "zh")
    }

    /// UTF-16 without a BOM: mostly-ASCII text has a zero byte in every other position.
    static func unmarkedUTF16(_ sample: [UInt8]) -> CharsetGuess? {
        let n = min(sample.count, 4096) & ~1
        guard n >= 16 else { return nil }
        var evenZeros = 0, oddZeros = 0
        for i in stride(from: 0, to: n, by: 2) {
            if sample[i] == 0 { evenZeros += 1 }
            if sample[i + 1] == 0 { oddZeros += 1 }
        }
        let pairs = n / 2
        if oddZeros * 10 >= pairs * 7 && evenZeros * 10 <= pairs { return CharsetGuess(charset: "UTF-16LE", confidence: 80, method: .detector) }
        if evenZeros * 10 >= pairs * 7 && oddZeros * 10 <= pairs { return CharsetGuess(charset: "UTF-16BE", confidence: 80, method: .detector) }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
