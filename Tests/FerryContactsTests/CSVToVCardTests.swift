import FerryCore
import Foundation
import Testing
@testable import FerryContacts
import FerryTestSupport

/// csv → vcf has two ways: `next()` + `VCardWriter.write` (a `Contact` per row) and
/// `ContactCSVReader.writeVCards` (per-header plan, cells as byte ranges). They must give the same
/// bytes, the same diagnostics and the same error, on every fixture and on generated rows.
@Suite struct CSVToVCardTests {
    static let csvFixtures: [String] = (try? FileManager.default.contentsOfDirectory(atPath: Fixture.root.path))?
        .filter { $0.hasSuffix(".csv") }.sorted() ?? []

    struct Outcome: Equatable {
        var bytes: [UInt8]
        var diagnostics: [String]
        var error: String?
        var cards: Int
    }

    static func convert(_ bytes: [UInt8], options: ReadOptions = ReadOptions(), version: String? = nil,
                        fast: Bool, chunk: Int = .max) -> (Outcome, planned: Int) {
        let log = DiagnosticLog()
        let sink = MemorySink()
        var cards = 0
        var planned = 0
        var failure: String?
        do {
            let reader = try ContactCSVReader(source: MemorySource(bytes, name: "in.csv", maxChunk: chunk),
                                              options: options, log: log)
            var writeOptions = WriteOptions()
            if let version { writeOptions.formatOptions["vcard-version"] = version }
            let writer = try VCardFormat().makeWriter(.stream(sink), options: writeOptions, log: log) as! VCardWriter
            do {
                if fast {
                    cards = try reader.writeVCards(to: writer)
                } else {
                    while let item = try reader.next() {
                        if case .written = try writer.write(item) { cards += 1 }
                    }
                }
                try writer.finish()
            } catch {
                failure = "\(error)"
            }
            planned = reader.plannedRows
        } catch {
            failure = "\(error)"
        }
        let outcome = Outcome(bytes: sink.bytes, diagnostics: log.diagnostics.map(\.description), error: failure,
                              cards: cards)
        return (outcome, planned)
    }

    /// Both ways over `bytes`; the planned-row count of the fast one.
    @discardableResult
    static func expectSame(_ bytes: [UInt8], options: ReadOptions = ReadOptions(), version: String? = nil,
                           _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        let (general, _) = convert(bytes, options: options, version: version, fast: false)
        let (fast, planned) = convert(bytes, options: options, version: version, fast: true, chunk: 997)
        #expect(fast.cards == general.cards, "\(what): cards", sourceLocation: sourceLocation)
        #expect(fast.error == general.error, "\(what): error", sourceLocation: sourceLocation)
        #expect(fast.diagnostics == general.diagnostics, "\(what): diagnostics", sourceLocation: sourceLocation)
        if fast.bytes != general.bytes {
            let a = String(decoding: general.bytes, as: UTF8.self).components(separatedBy: "\r\n")
            let b = String(decoding: fast.bytes, as: UTF8.self).components(separatedBy: "\r\n")
            let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            let left = i < a.count ? a[i] : "<end>", right = i < b.count ? b[i] : "<end>"
            Issue.record("\(what): bytes differ at line \(i + 1): general \(left) | fast \(right)",
                         sourceLocation: sourceLocation)
        }
        return planned
    }

    @Test func fixturesAreThere() {
        #expect(Self.csvFixtures.count >= 10)
    }

    @Test(arguments: csvFixtures)
    func fixtureBytesAreTheSame(fixture: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Fixture.root.appendingPathComponent(fixture)))
        for version in [nil, "4.0"] {
            Self.expectSame(bytes, version: version, "\(fixture) \(version ?? "3.0")")
            var lenient = ReadOptions()
            lenient.csvLenient = true
            Self.expectSame(bytes, options: lenient, version: version, "\(fixture) lenient")
        }
    }

    // MARK: Generated rows

    /// Values that make trouble: quotes, line breaks of every kind, delimiters, escapes, tag marks,
    /// names with the delimiter, dates in every shape, non-ASCII (combining marks, CJK, emoji),
    /// long values that fold, data: URIs, spaces only.
    static let pool: [String] = [
        "Anna", "O'Brien", "Müller & Söhne GmbH", "Café Olé, Inc.", "Acme \"Widgets\" Ltd", "line1\nline2",
        "a\r\nb", "x\ry", " padded ", "\t", "a;b;c", "Customers;VIP", "* Home ::: Work", "a\\,b,c", "tag1, tag2",
        "* starred", "e\u{301}", ",\u{301}x", "日本語の名前", "emoji 👍🏽 ok", "1/2/1980", "0/0/00", "12.03.1975",
        "1975-03-12", "--03-12", "3/4/05", "2004-03-04T00:00:00", "13/13/2013", "abc@example.com",
        "http://x.example/?a=b;c", "Mary Ann Van Buren", "Doe, John", "Doe; John", "data:image/png;base64,iVBORw0KGgo=",
        String(repeating: "Straße-", count: 15), String(repeating: "abc,", count: 30), "5", "13", "2001", "C:\\path\\x",
        "\u{FEFF}bom", "   ", "Ω", "¡Hola!", "x\\", "\\", "*", "* ", "**", " ; ", "tel:+1 555", "ÄÖÜäöüß",
    ]

    typealias Random = SplitMix64

    /// A CSV with `headers` and `rows` generated rows: cells empty half of the time, quoted when
    /// needed (or at random), rows sometimes short or long, blank rows, CRLF or LF.
    static func generate(headers: [String], delimiter: Character, rows: Int, seed: UInt64,
                         pool: [String] = pool, malformed: Bool = false) -> String {
        var rnd = Random(state: seed)
        func cell(_ v: String) -> String {
            let needs = v.contains(delimiter) || v.contains("\"") || v.contains("\n") || v.contains("\r")
                || v.unicodeScalars.contains("\r")
            if needs || rnd.below(3) == 0 { return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            return v
        }
        var out = headers.map(cell).joined(separator: String(delimiter)) + "\r\n"
        for _ in 0..<rows {
            var width = headers.count
            switch rnd.below(12) {
            case 0: width -= min(width, 1 + rnd.below(3))
            case 1: width += 1 + rnd.below(2)
            default: break
            }
            if rnd.below(25) == 0 {
                out += String(repeating: " " + String(delimiter), count: max(0, headers.count - 1)) + "\r\n"
                continue
            }
            var cells: [String] = []
            for _ in 0..<width {
                cells.append(rnd.below(2) == 0 ? "" : cell(pool[rnd.below(pool.count)]))
            }
            if malformed && rnd.below(15) == 0 && !cells.isEmpty {
                cells[rnd.below(cells.count)] = rnd.below(2) == 0 ? "ab\"c" : "\"open\"x"
            }
            out += cells.joined(separator: String(delimiter)) + (rnd.below(4) == 0 ? "\n" : "\r\n")
        }
        return out
    }

    /// The fixture's headers as the reader decodes them, and its delimiter.
    static func headers(of fixture: String) throws -> ([String], Character) {
        let reader = try ContactCSVReader(source: FileSource(path: Fixture.path(fixture)), options: ReadOptions(),
                                          log: DiagnosticLog())
        return (reader.binding.headers, Character(UnicodeScalar(reader.delimiter)))
    }

    @Test(arguments: csvFixtures)
    func generatedRowsUnderEachFixtureHeader(fixture: String) throws {
        let (headers, delimiter) = try Self.headers(of: fixture)
        for (k, extra) in [[], ["Shoe Size", "X-FOO", "item1.X-ABLabel", "Photo", "email", "Categories", "fullName"]]
            .enumerated() {
            let text = Self.generate(headers: headers + extra, delimiter: delimiter, rows: 240, seed: UInt64(k + 1) * 7919)
            let bytes = Array(text.utf8)
            var options = ReadOptions()
            options.csvFormat = try Self.dialectName(fixture)
            let planned = Self.expectSame(bytes, options: options, "\(fixture) generated \(k)")
            Self.expectSame(bytes, options: options, version: "4.0", "\(fixture) generated \(k) 4.0")
            // The plan carries most rows (Google's groups and photo columns send theirs the general way).
            if !fixture.hasPrefix("google") && k == 0 { #expect(planned > 100, "\(fixture): \(planned) rows planned") }
        }
    }

    /// The dialect the fixture is read as (named, so the generated file is read the same way).
    static func dialectName(_ fixture: String) throws -> String {
        let reader = try ContactCSVReader(source: FileSource(path: Fixture.path(fixture)), options: ReadOptions(),
                                          log: DiagnosticLog())
        return reader.dialect.name
    }

    @Test func generatedRowsDetectedStrictAndLenient() throws {
        let (headers, delimiter) = try Self.headers(of: "outlook-en.csv")
        let text = Self.generate(headers: headers, delimiter: delimiter, rows: 400, seed: 42, malformed: true)
        let bytes = Array(text.utf8)
        let planned = Self.expectSame(bytes, "outlook strict")
        #expect(planned > 200)
        var lenient = ReadOptions()
        lenient.csvLenient = true
        Self.expectSame(bytes, options: lenient, "outlook lenient")
        // Unterminated quote at the end of the file.
        Self.expectSame(bytes + Array("\"Anna,\"unterminated\r\nmore".utf8), "outlook unterminated")
        Self.expectSame(bytes + Array("\"Anna,\"unterminated\r\nmore".utf8), options: lenient, "outlook unterminated lenient")
    }

    @Test func windows1252AndBrokenBytes() throws {
        let (headers, delimiter) = try Self.headers(of: "outlook-de.csv")
        // Only what Windows-1252 holds, written as Latin-1 bytes (the same code points there).
        let latin1 = Self.pool.filter { $0.unicodeScalars.allSatisfy { $0.value < 0x80 || (0xA0...0xFF).contains($0.value) } }
        let text = Self.generate(headers: headers, delimiter: delimiter, rows: 300, seed: 1252, pool: latin1)
        let bytes = text.unicodeScalars.map { $0.value <= 0xFF ? UInt8($0.value) : 0x3F }
        let planned = Self.expectSame(bytes, "outlook-de windows-1252")
        #expect(planned > 150)
        // Invalid UTF-8 in a UTF-8 file: replaced (and counted) or, strict, an error part-way.
        var utf8 = Array(Self.generate(headers: headers, delimiter: delimiter, rows: 200, seed: 8, pool: Self.pool).utf8)
        utf8.insert(contentsOf: [0xFF, 0xC3], at: utf8.count * 2 / 3)
        var options = ReadOptions()
        options.charset = try Charset("utf-8")
        Self.expectSame(utf8, options: options, "invalid utf-8 replaced")
        options.charsetPolicy = .strict
        Self.expectSame(utf8, options: options, "invalid utf-8 strict")
    }

    @Test func outlookBenchmarkShapeIsPlanned() throws {
        // The benchmark's rows (gen-contacts.py): every one goes through the plan.
        let (headers, _) = try Self.headers(of: "outlook-en.csv")
        var row = [String](repeating: "", count: headers.count)
        func put(_ h: String, _ v: String) { row[headers.firstIndex(of: h)!] = v }
        put("First Name", "Jürgen"); put("Last Name", "Müller"); put("Company", "Acme \"Widgets\" Ltd")
        put("Business Street", "12 Main St"); put("Business City", "Zürich"); put("Birthday", "3/14/1968")
        put("Anniversary", "0/0/00"); put("Categories", "Customers;VIP"); put("E-mail Address", "j@example.com")
        put("Notes", "Prefers \"espresso\", not coffee.\r\nCall after 10am."); put("Gender", "Unspecified")
        let line = row.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
        let text = headers.map { "\"\($0)\"" }.joined(separator: ",") + "\r\n" + line + "\r\n" + line + "\r\n"
        let planned = Self.expectSame(Array(text.utf8), "benchmark shape")
        #expect(planned == 2)
        let card = String(decoding: Self.convert(Array(text.utf8), fast: true).0.bytes, as: UTF8.self)
        #expect(card.contains("\r\nFN:Jürgen Müller\r\n") && card.contains("\r\nBDAY;VALUE=date:1968-03-14\r\n"))
        #expect(card.contains("\r\nCATEGORIES:Customers,VIP\r\n"))
        #expect(card.contains("\r\nNOTE:Prefers \"espresso\"\\, not coffee.\\nCall after 10am.\r\n"))
    }
}
