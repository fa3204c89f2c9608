import Testing
@testable import FerryCore
import FerryTestSupport

/// Streaming decode/encode: round trips with real text per charset, known byte sequences checked by
/// hand against the code charts, chunk boundaries, BOMs, error policies, and the fast paths
/// (single- and double-byte tables) against ICU itself.
@Suite struct CharsetTests {
    // MARK: Helpers

    /// Decodes `bytes` fed in chunks of the given sizes (cycled), then a final empty chunk.
    static func decode(_ bytes: [UInt8], _ label: String, chunks: [Int] = [.max], policy: CharsetPolicy = .strict,
                       icuOnly: Bool = false) throws -> (String, Int) {
        let decoder = try CharsetDecoder(Charset(label), policy: policy, sourceName: "t", icuOnly: icuOnly)
        var output: [UInt8] = []
        var i = 0
        var k = 0
        while i < bytes.count {
            let n = min(chunks[k % chunks.count], bytes.count - i)
            try bytes[i..<(i + n)].withUnsafeBytes { try decoder.decode($0, final: false, into: &output) }
            i += n
            k += 1
        }
        try decoder.decode(UnsafeRawBufferPointer(start: nil, count: 0), final: true, into: &output)
        return (String(decoding: output, as: UTF8.self), decoder.replacements)
    }

    static func encode(_ text: String, _ label: String, chunks: [Int] = [.max], policy: CharsetPolicy = .strict)
        throws -> ([UInt8], Int) {
        let encoder = try CharsetEncoder(label, policy: policy)
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var i = 0
        var k = 0
        while i < bytes.count {
            let n = min(chunks[k % chunks.count], bytes.count - i)
            try bytes[i..<(i + n)].withUnsafeBytes { try encoder.encode($0, final: false, into: &output) }
            i += n
            k += 1
        }
        try encoder.encode(UnsafeRawBufferPointer(start: nil, count: 0), final: true, into: &output)
        return (output, encoder.replacements)
    }

    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as FerryError { return error.diagnostic.message } catch { return "\(error)" }
        return nil
    }

    // MARK: Round trips with real text

    /// Each charset with text of a language it is made for.
    static let samples: [(String, String)] = [
        ("UTF-8", "Zoë Ünal, 東京都千代田区 — Привет, 😀 𝄞"),
        ("UTF-16", "Grüße aus Köln, 日本語のテキスト, 😀"),
        ("UTF-16LE", "Jürgen Müller; Łódź; 서울특별시"),
        ("UTF-16BE", "Ελληνικά, עברית, 中文"),
        ("UTF-32", "Zoë 😀 Ωμέγα"),
        ("UTF-32LE", "Ärger über Öl"),
        ("UTF-32BE", "Smörgåsbord 😀"),
        ("windows-1250", "Łukasz Wiśniewski, ul. Świętokrzyska 12, Łódź; Jiří Dvořák, Plzeň; Győző Szűcs"),
        ("windows-1251", "Иван Петров, ул. Ленина, д. 12, Москва — «Ёлка»"),
        ("windows-1252", "Hélène Lefèvre, 3 place de l’Église, Besançon — œuvre, 12 €, “quoted” … Ærø"),
        ("windows-1253", "Καλημέρα κόσμε, Αθήνα"),
        ("windows-1254", "İstanbul, Şişli, Çağlayan, Gümüşsuyu, ığdır"),
        ("windows-1255", "שלום עולם, תל אביב"),
        ("windows-1256", "مرحبا بالعالم، القاهرة"),
        ("windows-1257", "Vilnius, Šiaulių g. 5, Rīga, Tallinn, Žemaitė"),
        ("windows-1258", "Tiê\u{301}ng Viê\u{323}t, Ha\u{300} Nô\u{323}i"),
        ("ISO-8859-1", "Jürgen Müller, Königsallee 5, Düsseldorf; Señor Muñoz"),
        ("ISO-8859-2", "Łukasz Wiśniewski, Kraków; Tomáš Černý, Brno; Győr"),
        ("ISO-8859-3", "Ĉu vi parolas Esperanton? Ĝis revido, Ħamrun"),
        ("ISO-8859-4", "Ģirts Ķēniņš, Rīga; Eesti"),
        ("ISO-8859-5", "Сергей Смирнов, Санкт-Петербург"),
        ("ISO-8859-6", "مرحبا بالعالم"),
        ("ISO-8859-7", "Καλημέρα, Θεσσαλονίκη"),
        ("ISO-8859-8", "שלום, ירושלים"),
        ("ISO-8859-9", "İzmir, Şanlıurfa, Ağrı"),
        ("ISO-8859-10", "Tromsø, Reykjavík, Þórshöfn"),
        ("ISO-8859-13", "Šiauliai, Klaipėda, Ventspils"),
        ("ISO-8859-14", "Ŵyn a ŷd, Caerdydd"),
        ("ISO-8859-15", "Cœur de Lœuvre: 12 € - Ÿ, Š, Ž"),
        ("ISO-8859-11", "ภาษาไทย กรุงเทพมหานคร"),
        ("KOI8-R", "Наталья Фёдорова, Новосибирск, Щорса 8"),
        ("Windows-31J", "山田 太郎, 東京都千代田区丸の内1-1-1, ｶﾀｶﾅ, ①②, ～, ＼, ∥"),
        ("Shift_JIS", "山田 花子, 大阪市北区梅田3丁目, ｺｰﾎﾟ, 〜, ‖"),
        ("EUC-JP", "鈴木 誠, 名古屋市中区栄4-1-1, ｱｲｳ, 丂"),
        ("ISO-2022-JP", "佐藤 健, 福岡市博多区, カタカナ"),
        ("GBK", "张伟, 北京市朝阳区建国路88号, 锟斤拷"),
        ("GB18030", "王芳, 上海市浦东新区, € é ß 😀 𠀀"),
        ("Big5", "陳志明, 臺北市信義區信義路五段7號"),
        ("EUC-KR", "김민준, 서울특별시 강남구 테헤란로 152"),
    ]

    @Test(arguments: samples)
    func roundTrip(_ sample: (String, String)) throws {
        let (label, text) = sample
        let (bytes, encodeReplacements) = try Self.encode(text, label)
        #expect(encodeReplacements == 0)
        #expect(bytes != Array(text.utf8) || label == "UTF-8", "\(label) wrote UTF-8")
        for chunks in [[Int.max], [1], [2], [3], [1, 2, 3, 5]] {
            let (decoded, replacements) = try Self.decode(bytes, label, chunks: chunks)
            #expect(decoded == text, "\(label) chunks \(chunks)")
            #expect(replacements == 0)
        }
        // Encoding in small chunks gives the same bytes.
        #expect(try Self.encode(text, label, chunks: [1]).0 == bytes, "\(label) chunked encode")
        #expect(try Self.encode(text, label, chunks: [2, 3]).0 == bytes)
    }

    /// Bytes taken from the code charts by hand (JIS X 0208, GB 2312, Big5, KS X 1001, KOI8-R,
    /// windows-1252), so the round trips above are not only self-consistent.
    @Test func knownByteSequences() throws {
        let cases: [(String, String, [UInt8])] = [
            ("windows-1252", "é€", [0xE9, 0x80]),
            ("ISO-8859-15", "€œ", [0xA4, 0xBD]),
            ("windows-1250", "łś", [0xB3, 0x9C]),
            ("ISO-8859-2", "łś", [0xB3, 0xB6]),
            ("windows-1251", "Жж", [0xC6, 0xE6]),
            ("KOI8-R", "Привет", [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]),
            ("Windows-31J", "日本", [0x93, 0xFA, 0x96, 0x7B]),
            ("Windows-31J", "ｱ", [0xB1]),
            ("EUC-JP", "日本", [0xC6, 0xFC, 0xCB, 0xDC]),
            ("EUC-JP", "ｱ", [0x8E, 0xB1]),
            ("ISO-2022-JP", "日本", [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42]),
            ("GBK", "中文", [0xD6, 0xD0, 0xCE, 0xC4]),
            ("GB18030", "中文", [0xD6, 0xD0, 0xCE, 0xC4]),
            ("Big5", "中文", [0xA4, 0xA4, 0xA4, 0xE5]),
            ("EUC-KR", "한국", [0xC7, 0xD1, 0xB1, 0xB9]),
            ("UTF-16BE", "Aé", [0x00, 0x41, 0x00, 0xE9]),
            ("UTF-16LE", "😀", [0x3D, 0xD8, 0x00, 0xDE]),
        ]
        for (label, text, bytes) in cases {
            #expect(try Self.encode(text, label).0 == bytes, "encode \(label)")
            #expect(try Self.decode(bytes, label).0 == text, "decode \(label)")
        }
        // GB18030's four-byte form (a character outside GBK).
        let gb = try Self.encode("😀", "GB18030").0
        #expect(gb.count == 4 && (0x30...0x39).contains(gb[1]))
        // EUC-JP's three-byte form (JIS X 0212).
        #expect(try Self.encode("丂", "EUC-JP").0.first == 0x8F)
    }

    // MARK: Windows-31J vs Shift_JIS

    @Test func windows31JDiffersFromShiftJIS() throws {
        // (bytes, Windows-31J = Microsoft's table, Shift_JIS = JIS X 0208 as Java and Zimbra read it)
        let cases: [([UInt8], String, String)] = [
            ([0x81, 0x60], "\u{FF5E}", "\u{301C}"),  // FULLWIDTH TILDE vs WAVE DASH
            ([0x81, 0x5F], "\u{FF3C}", "\u{005C}"),  // FULLWIDTH REVERSE SOLIDUS vs REVERSE SOLIDUS
            ([0x81, 0x61], "\u{2225}", "\u{2016}"),  // PARALLEL TO vs DOUBLE VERTICAL LINE
            ([0x81, 0x7C], "\u{FF0D}", "\u{2212}"),  // FULLWIDTH HYPHEN-MINUS vs MINUS SIGN
            ([0x81, 0x91], "\u{FFE0}", "\u{00A2}"),  // cent
            ([0x81, 0x92], "\u{FFE1}", "\u{00A3}"),  // pound
            ([0x81, 0xCA], "\u{FFE2}", "\u{00AC}"),  // not
        ]
        for (bytes, microsoft, jis) in cases {
            for chunks in [[Int.max], [1]] {
                #expect(try Self.decode(bytes, "Windows-31J", chunks: chunks).0 == microsoft)
                #expect(try Self.decode(bytes, "cp932", chunks: chunks).0 == microsoft)
                #expect(try Self.decode(bytes, "Shift_JIS", chunks: chunks).0 == jis)
                #expect(try Self.decode(bytes, "Shift_JIS", chunks: chunks, icuOnly: true).0 == jis)
            }
            #expect(try Self.encode(microsoft, "Windows-31J").0 == bytes)
            if jis != "\\" { #expect(try Self.encode(jis, "Shift_JIS").0 == bytes) }
        }
        // In Shift_JIS the ASCII backslash stays one byte.
        #expect(try Self.encode("C:\\", "Shift_JIS").0 == [0x43, 0x3A, 0x5C])
        // ASCII is ASCII, controls included: ICU's ibm-943 table swaps 0x1A/0x1C/0x7F (IBM host
        // convention); Windows, Java, iconv and WHATWG do not, and neither does Ferry.
        for label in ["Windows-31J", "Shift_JIS"] {
            for chunks in [[Int.max], [1]] {
                #expect(try Self.decode([0x1A, 0x1C, 0x7F, 0x41], label, chunks: chunks).0 == "\u{1A}\u{1C}\u{7F}A")
                #expect(try Self.decode([0x1A, 0x1C, 0x7F, 0x41], label, chunks: chunks, icuOnly: true).0 == "\u{1A}\u{1C}\u{7F}A")
            }
            #expect(try Self.encode("\u{1A}\u{1C}\u{7F}A", label).0 == [0x1A, 0x1C, 0x7F, 0x41])
        }
        #expect(try Self.decode([0x7F], "ibm-437").0 == "\u{7F}")
        // NEC and IBM extensions exist in Windows-31J: ① (0x8740), ⅰ (0xFA40).
        #expect(try Self.decode([0x87, 0x40, 0xFA, 0x40], "Windows-31J").0 == "①ⅰ")
    }

    // MARK: Chunk boundaries

    @Test func statefulISO2022SplitAnywhere() throws {
        let text = "山田 太郎 (Yamada) と 佐藤 健、ｶﾀｶﾅ なし。\n二行目: 東京"
        let (bytes, _) = try Self.encode(text.replacingOccurrences(of: "ｶﾀｶﾅ", with: "カタカナ"), "ISO-2022-JP")
        #expect(bytes.contains(0x1B))
        for size in 1...7 {
            #expect(try Self.decode(bytes, "ISO-2022-JP", chunks: [size]).0
                    == text.replacingOccurrences(of: "ｶﾀｶﾅ", with: "カタカナ"))
        }
    }

    @Test func everySplitPointOfMultiByteText() throws {
        for (label, text) in [("Windows-31J", "日本語ｶﾅ①"), ("GBK", "中文€"), ("GB18030", "中😀文"), ("Big5", "臺灣"),
                              ("EUC-KR", "한국어"), ("EUC-JP", "日本ｱ丂"), ("UTF-8", "é日😀"), ("UTF-16LE", "é😀"),
                              ("Shift_JIS", "〜‖−")] {
            let bytes = try Self.encode(text, label).0
            for split in 0...bytes.count {
                let decoder = try CharsetDecoder(label, policy: .strict)
                var output: [UInt8] = []
                try bytes[..<split].withUnsafeBytes { try decoder.decode($0, final: false, into: &output) }
                try bytes[split...].withUnsafeBytes { try decoder.decode($0, final: true, into: &output) }
                #expect(String(decoding: output, as: UTF8.self) == text, "\(label) split at \(split)")
            }
        }
    }

    // MARK: BOMs

    @Test func byteOrderMarksAreStripped() throws {
        #expect(try Self.decode([0xEF, 0xBB, 0xBF, 0x41, 0x42], "UTF-8").0 == "AB")
        #expect(try Self.decode([0xEF, 0xBB, 0xBF, 0x41, 0x42], "UTF-8", chunks: [1]).0 == "AB")
        #expect(try Self.decode([0xEF, 0xBB, 0xBF], "UTF-8", chunks: [2]).0 == "")
        #expect(try Self.decode([0xFF, 0xFE, 0x41, 0x00], "UTF-16LE").0 == "A")
        #expect(try Self.decode([0xFF, 0xFE, 0x41, 0x00], "UTF-16", chunks: [1]).0 == "A")
        #expect(try Self.decode([0xFE, 0xFF, 0x00, 0x41], "UTF-16").0 == "A")
        #expect(try Self.decode([0xFF, 0xFE, 0, 0, 0x41, 0, 0, 0], "UTF-32LE", chunks: [3]).0 == "A")
        // Only a leading BOM: U+FEFF later in the text is a character (ZERO WIDTH NO-BREAK SPACE).
        #expect(try Self.decode([0x41, 0xEF, 0xBB, 0xBF, 0x42], "UTF-8").0 == "A\u{FEFF}B")
        #expect(try Self.decode([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF], "UTF-8").0 == "\u{FEFF}")
        // Encoding "UTF-16" writes a BOM (and decoding drops it again).
        let (utf16, _) = try Self.encode("A", "UTF-16")
        #expect(utf16.count == 4 && (utf16.starts(with: [0xFE, 0xFF]) || utf16.starts(with: [0xFF, 0xFE])))
        #expect(try Self.decode(utf16, "UTF-16").0 == "A")
    }

    // MARK: Error policies

    @Test func strictErrorsNameTheByteOffset() throws {
        // windows-1253 leaves 0xD2 unassigned: single-byte table path.
        let cp1253 = Self.message { _ = try Self.decode([0xCA, 0xE1, 0xEB, 0xD2, 0x41], "windows-1253") }
        #expect(cp1253?.contains("byte offset 3") == true, "\(cp1253 ?? "no error")")
        #expect(cp1253?.contains("D2") == true)
        // Across chunks the offset is absolute.
        let chunked = Self.message { _ = try Self.decode(Array(repeating: 0x41, count: 10) + [0xFF], "windows-1253", chunks: [3]) }
        #expect(chunked?.contains("byte offset 10") == true, "\(chunked ?? "no error")")
        // UTF-8: invalid byte at offset 5, in 2-byte chunks.
        let utf8 = Self.message { _ = try Self.decode(Array("Zoë ".utf8) + [0xFF] + Array("x".utf8), "UTF-8", chunks: [2]) }
        #expect(utf8?.contains("byte offset 5") == true, "\(utf8 ?? "no error")")
        // UTF-8: a sequence begun in one chunk and broken in the next is reported where it began.
        let split = Self.message { _ = try Self.decode([0x41, 0x42, 0xE2, 0x82, 0x41], "UTF-8", chunks: [3]) }
        #expect(split?.contains("byte offset 2") == true, "\(split ?? "no error")")
        // Windows-31J: lead byte followed by a space (double-byte table falls back to ICU).
        let sjis = try Self.encode("日本", "Windows-31J").0 + [0x81, 0x20, 0x41]
        for chunks in [[Int.max], [1], [2], [3]] {
            let m = Self.message { _ = try Self.decode(sjis, "Windows-31J", chunks: chunks) }
            #expect(m?.contains("byte offset 4") == true, "chunks \(chunks): \(m ?? "no error")")
        }
        // Input ending inside a character.
        let truncated = Self.message { _ = try Self.decode([0x41, 0x93], "Windows-31J") }
        #expect(truncated?.contains("ends inside a character") == true && truncated?.contains("offset 1") == true,
                "\(truncated ?? "no error")")
        // EUC-JP goes through ICU only.
        let euc = Self.message { _ = try Self.decode([0x41, 0x42, 0xC6, 0xFC, 0xC6, 0x41], "EUC-JP", chunks: [1]) }
        #expect(euc?.contains("byte offset 4") == true, "\(euc ?? "no error")")
        // The error names the file and has a stable code.
        do {
            _ = try Self.decode([0xD2], "windows-1253")
            Issue.record("no error")
        } catch let error as FerryError {
            #expect(error.diagnostic.code == "charset.invalid")
            #expect(error.diagnostic.file == "t")
        }
    }

    @Test func replacePolicyCounts() throws {
        let (cp1253, n1253) = try Self.decode([0x41, 0xD2, 0x42, 0xFF], "windows-1253", policy: .replace)
        #expect(cp1253 == "A\u{FFFD}B\u{FFFD}" && n1253 == 2)
        // windows-1252 maps its five holes to C1 controls (as the WHATWG standard does): not errors.
        #expect(try Self.decode([0x81, 0x8D], "windows-1252").0 == "\u{81}\u{8D}")
        let sjis = try Self.encode("日本", "Windows-31J").0 + [0x81, 0x20, 0x78, 0xFF]
        for chunks in [[Int.max], [1], [2]] {
            let (text, n) = try Self.decode(sjis, "Windows-31J", chunks: chunks, policy: .replace)
            #expect(text == "日本\u{FFFD} x\u{FFFD}" && n == 2, "chunks \(chunks): \(text.debugDescription) \(n)")
        }
        let (euc, nEuc) = try Self.decode([0xC6, 0xFC, 0xC6], "EUC-JP", policy: .replace)
        #expect(euc == "日\u{FFFD}" && nEuc == 1)
    }

    @Test func utf8PassThroughValidation() throws {
        // Valid input comes out byte for byte.
        let valid: [UInt8] = Array("ASCII, é, 日本, 😀, \u{10FFFF}".utf8)
        #expect(try Self.decode(valid, "UTF-8", chunks: [1]).0.utf8.elementsEqual(valid))
        // Invalid sequences, one U+FFFD per maximal subpart (Unicode's recommended practice).
        let cases: [([UInt8], String, Int)] = [
            ([0xC0, 0xAF], "\u{FFFD}\u{FFFD}", 2),                         // overlong
            ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}", 3),           // surrogate
            ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}", 4), // above U+10FFFF
            ([0x41, 0xE2, 0x82], "A\u{FFFD}", 1),                           // truncated at the end
            ([0xF0, 0x9F, 0x98, 0x41], "\u{FFFD}A", 1),                     // truncated 4-byte
            ([0x80, 0x41, 0xBF], "\u{FFFD}A\u{FFFD}", 2),                   // stray continuations
            ([0xFE, 0xFF], "\u{FFFD}\u{FFFD}", 2),
        ]
        for (bytes, expected, count) in cases {
            for chunks in [[Int.max], [1], [2], [3]] {
                let (text, n) = try Self.decode(bytes, "UTF-8", chunks: chunks, policy: .replace)
                #expect(text == expected && n == count, "\(bytes) chunks \(chunks): \(text.debugDescription) \(n)")
                // ICU agrees.
                let (icu, nICU) = try Self.decode(bytes, "UTF-8", chunks: chunks, policy: .replace, icuOnly: true)
                #expect(icu == expected && nICU == count, "ICU \(bytes): \(icu.debugDescription) \(nICU)")
            }
        }
    }

    @Test func encoderSubstitutesAndCounts() throws {
        let (bytes, n) = try Self.encode("Zoë 日本 €", "windows-1252", policy: .replace)
        #expect(bytes == [0x5A, 0x6F, 0xEB, 0x20, 0x3F, 0x3F, 0x20, 0x80] && n == 2)
        let (latin1, n1) = try Self.encode("12 € ok", "ISO-8859-1", chunks: [1], policy: .replace)
        #expect(latin1 == Array("12 ? ok".utf8) && n1 == 1)
        let (sjis, n2) = try Self.encode("김 山田", "Windows-31J", policy: .replace)
        #expect(sjis == [0x3F, 0x20, 0x8E, 0x52, 0x93, 0x63] && n2 == 1)
        let strict = Self.message { _ = try Self.encode("Łódź", "windows-1252") }
        #expect(strict?.contains("U+0141") == true, "\(strict ?? "no error")")
        // UTF-8 output validates: invalid input is reported under strict, replaced under replace.
        let encoder = try CharsetEncoder("UTF-8", policy: .replace)
        var out: [UInt8] = []
        try ([0x41, 0xFF, 0x42] as [UInt8]).withUnsafeBytes { try encoder.encode($0, final: true, into: &out) }
        #expect(out == [0x41, 0xEF, 0xBF, 0xBD, 0x42] && encoder.replacements == 1)
    }

    // MARK: Fast paths agree with ICU

    typealias Random = SplitMix64

    @Test(arguments: ["Windows-31J", "Shift_JIS", "GBK", "Big5", "EUC-KR", "windows-949", "windows-1252",
                      "windows-1250", "ISO-8859-2", "KOI8-R", "windows-1251", "ISO-8859-7"])
    func tablesAgreeWithICUOnRandomBytes(_ label: String) throws {
        var random = Random(state: UInt64(label.utf8.reduce(0) { $0 &* 31 &+ Int($1) }))
        for round in 0..<150 {
            // Mostly valid-looking text: high bytes in pairs, some ASCII, some noise.
            var bytes: [UInt8] = []
            for _ in 0..<(random.int(60) + 1) {
                switch random.int(10) {
                case 0...4: bytes += [UInt8(0x81 + random.int(0x7E)), UInt8(0x40 + random.int(0xBF))]
                case 5...7: bytes.append(UInt8(0x20 + random.int(0x5F)))
                default: bytes.append(UInt8(random.int(256)))
                }
            }
            let chunks = [random.int(4) + 1, random.int(7) + 1]
            let fast = try Self.decode(bytes, label, chunks: chunks, policy: .replace)
            let icu = try Self.decode(bytes, label, chunks: [Int.max], policy: .replace, icuOnly: true)
            #expect(fast.0 == icu.0 && fast.1 == icu.1, "\(label) round \(round): \(bytes)")
            // Strict: same verdict, same offset.
            let fastError = Self.message { _ = try Self.decode(bytes, label, chunks: chunks) }
            let icuError = Self.message { _ = try Self.decode(bytes, label, icuOnly: true) }
            #expect(fastError == icuError, "\(label) round \(round): \(bytes)")
        }
    }

    @Test func decoderStreamsIntoAClosureWithoutCopies() throws {
        let decoder = try CharsetDecoder("windows-1252")
        var pieces = 0
        var total: [UInt8] = []
        for chunk in [[0x48, 0xE9], [0x6C, 0xE8, 0x6E, 0x65]] as [[UInt8]] {
            try chunk.withUnsafeBytes { raw in
                try decoder.decode(raw, final: false) { pieces += 1; total += $0 }
            }
        }
        #expect(String(decoding: total, as: UTF8.self) == "Hélène" && pieces == 2 && decoder.offset == 6)
    }

    @Test func labelsResolve() throws {
        #expect(try Charset("latin1").decoderName == "windows-1252")
        #expect(try Charset(" shift_jis ").remap == .jisX0208)
        #expect(try Charset("MS932").remap == nil)
        #expect(try Charset("euc-kr").decoderName == "windows-949")
        #expect(throws: FerryError.self) { try Charset("klingon-8") }
        #expect(Charset.availableConverters().count > 100)
    }
}
