import FerryCore

/// Decides the charset of a contact CSV from its first bytes: BOM, UTF-16 without BOM, strict UTF-8,
/// then the header itself (a header that only makes sense in one code page, or a dialect whose
/// producer writes a known code page), then the statistical detector.
public struct CSVSniffer {
    public struct Result: Sendable {
        public var charset: CharsetGuess
        /// Why this charset: for `ferry inspect` and warnings.
        public var evidence: String
        /// The dialect the header suggests (in the chosen charset).
        public var dialect: DialectGuess?
    }

    /// Code pages tried on a non-UTF-8 header, in preference order for ties.
    static let candidates = ["windows-1252", "windows-1250", "windows-1251", "windows-1253", "windows-1254",
                             "windows-1256", "Windows-31J", "GBK", "Big5", "windows-949"]

    public static func sniff(_ prefix: [UInt8], declared: Charset?, catalog: DialectCatalog = .standard,
                             locale: String? = nil, complete: Bool) -> Result {
        func dialect(_ charset: String) -> DialectGuess? {
            guard let headers = headerFields(prefix, charset: charset) else { return nil }
            return catalog.detect(headers: headers, preferredLocale: locale)
        }
        if let declared {
            return Result(charset: CharsetGuess(charset: declared.label, confidence: 100, method: .declared),
                          evidence: "named with --charset", dialect: dialect(declared.label))
        }
        if let bom = CharsetDetector.byteOrderMark(prefix) {
            return Result(charset: bom, evidence: "byte-order mark", dialect: dialect(bom.charset))
        }
        if let utf16 = utf16WithoutBOM(prefix) {
            return Result(charset: CharsetGuess(charset: utf16, confidence: 90, method: .detector),
                          evidence: "NUL bytes in every other position (UTF-16 without BOM)", dialect: dialect(utf16))
        }
        let ascii = prefix.allSatisfy { $0 < 0x80 }
        if ascii || UTF8Validator.isValid(prefix, allowTruncatedEnd: !complete) {
            let guess = dialect("UTF-8")
            if ascii && !complete, let d = guess?.dialect, d.charset != "UTF-8", (guess?.binding.recognised ?? 0) > 0 {
                // Only ASCII so far in a longer file: the producer's code page is the best bet.
                return Result(charset: CharsetGuess(charset: d.charset, confidence: 60, method: .detector),
                              evidence: "first \(prefix.count) bytes are ASCII; \(d.id) is written by \(d.producer) "
                              + "in \(d.charset)", dialect: guess)
            }
            return Result(charset: CharsetGuess(charset: "UTF-8", confidence: 100, method: ascii ? .ascii : .utf8),
                          evidence: ascii ? "only ASCII bytes" : "valid UTF-8", dialect: guess)
        }
        // Legacy code page. Which candidates make the header recognisable?
        let detected = CharsetDetector.detect(prefix)
        let headerBytes = firstLine(prefix)
        let headerIsASCII = headerBytes.allSatisfy { $0 < 0x80 }
        var best: (String, DialectGuess)?
        if !headerIsASCII {
            var order = [detected.charset] + candidates
            if let l = locale, let prior = catalog.dialects.first(where: { $0.locale == l && $0.charset != "UTF-8" }) {
                order.insert(prior.charset, at: 0)
            }
            for c in order {
                guard let g = dialect(c) else { continue }
                if best == nil || g.binding.recognised > best!.1.binding.recognised { best = (c, g) }
            }
            if let (c, g) = best, g.binding.recognised > 0 {
                // Among charsets that read the header equally well, prefer the producer's own.
                let prior = g.dialect.charset
                let chosen = prior != "UTF-8" && (dialect(prior)?.binding.recognised ?? -1) == g.binding.recognised ? prior : c
                let tie = chosen == prior ? " (\(g.dialect.producer) writes \(prior) for this locale)" : ""
                return Result(charset: CharsetGuess(charset: chosen, confidence: 90, method: .detector),
                              evidence: "the header is \(g.dialect.id) only when read as \(chosen)\(tie)",
                              dialect: dialect(chosen))
            }
        }
        let guess = dialect(detected.charset) ?? dialect("windows-1252")
        if let d = guess?.dialect, d.charset != "UTF-8", (guess?.binding.recognised ?? 0) > 0 {
            let sameFamily = ["windows-1252", "iso-8859-1", "iso-8859-15"].contains(detected.charset.lowercased())
                && d.charset.lowercased() == "windows-1252"
            if sameFamily || detected.confidence < 50 || detected.charset.lowercased() == d.charset.lowercased() {
                return Result(charset: CharsetGuess(charset: d.charset, confidence: max(detected.confidence, 70),
                                                    method: .detector),
                              evidence: "\(d.id) header: \(d.producer) writes \(d.charset); detector said "
                              + "\(detected.charset) (\(detected.confidence)%)", dialect: guess)
            }
        }
        return Result(charset: detected, evidence: "statistical detector (\(detected.confidence)%)", dialect: guess)
    }

    /// UTF-16 text without a BOM: mostly-ASCII text has a NUL in every other byte.
    static func utf16WithoutBOM(_ p: [UInt8]) -> String? {
        let n = min(p.count, 1024) & ~1
        guard n >= 8 else { return nil }
        var evenZeros = 0, oddZeros = 0
        for i in stride(from: 0, to: n, by: 2) {
            if p[i] == 0 { evenZeros += 1 }
            if p[i + 1] == 0 { oddZeros += 1 }
        }
        if oddZeros * 10 > n / 2 * 6 && evenZeros * 10 < n / 2 { return "UTF-16LE" }
        if evenZeros * 10 > n / 2 * 6 && oddZeros * 10 < n / 2 { return "UTF-16BE" }
        return nil
    }

    /// The bytes of the first line (not decoded), for the ASCII test.
    static func firstLine(_ p: [UInt8]) -> ArraySlice<UInt8> {
        let end = p.firstIndex { $0 == 0x0A || $0 == 0x0D } ?? p.endIndex
        return p[..<end]
    }

    /// The header fields of `prefix` decoded with `charset` (nil if the charset is unknown).
    static func headerFields(_ prefix: [UInt8], charset: String) -> [String]? {
        guard let decoder = try? CharsetDecoder(charset, policy: .replace) else { return nil }
        var out: [UInt8] = []
        let sample = prefix.prefix(16 * 1024)
        guard (try? Array(sample).withUnsafeBytes({ try decoder.decode($0, final: true, into: &out) })) != nil else {
            return nil
        }
        let reader = CSVReader(source: MemorySource(out), log: DiagnosticLog())
        return (try? reader.next())?.fields
    }
}
