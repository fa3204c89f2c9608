import FerryCore
import Testing
@testable import FerryContacts

@Suite struct RoundTripTests {
    func write(_ contacts: [Contact], dialect: String, locale: String? = nil, charset: String? = nil,
               log: DiagnosticLog = DiagnosticLog()) throws -> [UInt8] {
        var options = WriteOptions()
        options.csvFormat = dialect
        options.locale = locale
        options.charset = try charset.map { try Charset($0) }
        let sink = MemorySink()
        let writer = try ContactCSVWriter(sink: sink, options: options, log: log)
        for c in contacts { _ = try writer.write(Item(c)) }
        try writer.finish()
        return sink.bytes
    }

    func read(_ bytes: [UInt8], dialect: String? = nil) throws -> [Contact] {
        var options = ReadOptions()
        options.csvFormat = dialect
        let reader = try ContactCSVReader(source: MemorySource(bytes, name: "rt.csv", maxChunk: 777), options: options,
                                          log: DiagnosticLog())
        var out: [Contact] = []
        while let item = try reader.next() { out.append(item.payload as! Contact) }
        return out
    }

    /// Attributes as a case-insensitive dictionary, for comparisons independent of order.
    func attributes(_ c: Contact) -> [String: String] {
        Dictionary(c.fields.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    static let alphabet = ["a", "Z", "é", "ß", "日本", " ", ",", ";", "\"", "\\", "'", "x-y", "ü", "😀"]

    func randomText(_ rng: inout SplitMix, lines: Bool = false) -> String {
        var s = (0..<(1 + rng.next(8))).map { _ in Self.alphabet[rng.next(Self.alphabet.count)] }.joined()
        if lines && rng.next(3) == 0 { s += "\n" + randomText(&rng) }
        return s.trimming(" ").isEmpty ? "v" : s.trimming(" ")
    }

    /// Random contacts over the attributes a dialect can hold (plus custom ones, which become extra columns).
    func randomContacts(_ rng: inout SplitMix, fields: [String], count: Int) -> [Contact] {
        (0..<count).map { i in
            var c = Contact()
            for f in fields where rng.next(3) == 0 {
                let multiline = f.hasSuffix("Street") || f == "notes"
                c[f] = randomText(&rng, lines: multiline)
            }
            if rng.next(2) == 0 { c["Custom Column \(rng.next(3))"] = randomText(&rng) }
            c["email"] = "person\(i)@example.org"  // never an empty row
            return c
        }
    }

    /// CSV → model → CSV → model keeps every value, in every dialect, including columns the dialect lacks.
    @Test(arguments: ["zimbra-csv", "yahoo-csv", "thunderbird-csv", "outlook-2003-csv", "outlook-2000-csv",
                      "outlook-csv", "windows-live-mail-csv"])
    func everyValueSurvives(dialect: String) throws {
        var rng = SplitMix(seed: UInt64(dialect.utf8.count) * 7919)
        let d = DialectCatalog.standard.dialect(named: dialect)!
        var fields = d.columns.filter { $0.kind == .simple || $0.kind == .multivalue }.compactMap(\.field)
        if d.allFields { fields = ["firstName", "lastName", "company", "homeStreet", "notes", "workPhone", "email2"] }
        fields = Array(Set(fields.filter { $0 != "birthday" && $0 != "anniversary" && $0 != "email" })).sorted()
        let contacts = randomContacts(&rng, fields: fields, count: 40)
        let bytes = try write(contacts, dialect: dialect, charset: "UTF-8")
        let back = try read(bytes, dialect: dialect)
        #expect(back.count == contacts.count)
        for (a, b) in zip(contacts, back) {
            #expect(attributes(a) == attributes(b))
        }
    }

    @Test func tagsDatesAndPhotosSurvive() throws {
        var c = Contact([("firstName", "Ann"), ("birthday", "1980-02-29"), ("anniversary", "--06-01")])
        c.tags = ["Friends", "a,b", "back\\slash"]
        c.photo = ContactPhoto(data: [0xFF, 0xD8, 0xFF, 0xE0, 0x00], mediaType: "image/jpeg")
        for dialect in ["zimbra-csv", "outlook-csv", "thunderbird-csv", "yahoo-csv", "google-csv"] {
            let back = try read(try write([c], dialect: dialect), dialect: dialect)
            #expect(back.first?.tags == c.tags, "\(dialect)")
            #expect(back.first?["birthday"] == "1980-02-29", "\(dialect)")
            #expect(back.first?.photo == c.photo, "\(dialect)")
        }
    }

    @Test func googleGroupsRoundTrip() throws {
        let (_, contacts) = try Fixture.readCSV("google.csv")
        let back = try read(try write(contacts, dialect: "google-csv"))
        for (a, b) in zip(contacts, back) {
            #expect(attributes(a) == attributes(b))
            #expect(a.tags == b.tags)
        }
    }

    @Test func outlookFrenchWritesSemicolonsAndAllQuoted() throws {
        let (_, contacts) = try Fixture.readCSV("outlook-fr.csv")
        let bytes = try write(contacts, dialect: "outlook-2003-csv", locale: "fr")
        let text = try CharsetDecoder("windows-1252").decode(bytes)
        #expect(text.hasPrefix("\"Titre\";\"Prénom\";\"Deuxième prénom\";\"Nom\";"))
        #expect(text.contains("\r\n\"M.\";\"François\";\"\";\"Lefèvre\";"))
        // The producer's code page by default: é is one byte.
        #expect(bytes.contains(0xE9))
        let back = try read(bytes)
        for (a, b) in zip(contacts, back) { #expect(attributes(a) == attributes(b)) }
    }

    @Test func unmappableCharactersAreCountedAndReported() throws {
        let log = DiagnosticLog()
        let c = Contact([("firstName", "太郎"), ("lastName", "Müller")])
        let bytes = try write([c], dialect: "outlook-csv", log: log)
        #expect(String(decoding: bytes, as: UTF8.self).contains("\"??\",\"\",\"M"))
        #expect(log.diagnostics.contains { $0.code == "charset.unmappable" && $0.message.hasPrefix("2 characters") })
        // Japanese Outlook keeps them in Windows-31J.
        let ja = try write([c], dialect: "outlook-2003-csv", locale: "ja")
        #expect(try CharsetDecoder("Windows-31J").decode(ja).contains("\"太郎\""))
    }

    @Test func valuesWithoutAColumnAreWarnedAndKept() throws {
        let log = DiagnosticLog()
        var c = Contact([("firstName", "Ann"), ("assistantName", "Bo"), ("Shoe Size", "42")])
        c.properties = [ContactProperty(group: "item1", name: "X-ABLabel", rawValue: "_$!<Friend>!$_")]
        let bytes = try write([c], dialect: "thunderbird-csv", log: log)
        let warned = Set(log.diagnostics.filter { $0.code == "csv.no-column" }.map(\.message))
        #expect(warned.count == 3)
        let back = try read(bytes)[0]
        #expect(back["assistantName"] == "Bo" && back["Shoe Size"] == "42")
        #expect(back.properties == c.properties)
    }
}
