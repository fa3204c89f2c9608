import Foundation
import FerryCore
import Testing
@testable import FerryContacts

@Suite struct VCardTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/contacts")

    func read(_ bytes: [UInt8], log: DiagnosticLog = DiagnosticLog(), chunk: Int = 13) throws -> [Contact] {
        let reader = VCardReader(source: MemorySource(bytes, name: "t.vcf", maxChunk: chunk), log: log)
        var out: [Contact] = []
        while let item = try reader.next() { out.append(item.payload as! Contact) }
        return out
    }

    func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(name)))
    }

    func write(_ contacts: [Contact], version: String = "3.0") throws -> [UInt8] {
        var options = WriteOptions()
        options.formatOptions["vcard-version"] = version
        let sink = MemorySink()
        let writer = try VCardFormat().makeWriter(.stream(sink), options: options, log: DiagnosticLog())
        for c in contacts { _ = try writer.write(Item(c)) }
        try writer.finish()
        return sink.bytes
    }

    /// Same attributes (in any order), tags, photo and raw properties (names compared case-insensitively).
    func same(_ a: Contact, _ b: Contact) -> Bool {
        func attrs(_ c: Contact) -> [String: String] {
            Dictionary(c.fields.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { x, _ in x })
        }
        func props(_ c: Contact) -> [String] { c.properties.map { $0.contentLine.uppercased() }.sorted() }
        return attrs(a) == attrs(b) && a.tags == b.tags && a.photo == b.photo && props(a) == props(b)
    }

    @Test func outlook21QuotedPrintableLatin1() throws {
        let log = DiagnosticLog()
        let cards = try read(try fixture("outlook-2.1.vcf"), log: log)
        #expect(cards.count == 1)
        let c = try #require(cards.first)
        #expect(c["lastName"] == "Müller" && c["firstName"] == "Jürgen" && c["namePrefix"] == "Herr")
        #expect(c["fullName"] == "Jürgen Müller")
        #expect(c["company"] == "Müller & Söhne GmbH" && c["department"] == "Vertrieb")
        #expect(c["jobTitle"] == "Geschäftsführer")
        // QP soft break joins "anspr=" + "echen."; =0D=0A is a real line break.
        #expect(c["notes"] == "Größter Kunde im Rheinland.\nBitte persönlich ansprechen.")
        #expect(c["workPhone"] == "+49 211 123456" && c["homePhone"] == "+49 211 654321")
        #expect(c["mobilePhone"] == "+49 171 9876543" && c["workFax"] == "+49 211 123457")
        #expect(c["workStreet"] == "Königsallee 12" && c["workCity"] == "Düsseldorf")
        #expect(c["workPostalCode"] == "40212" && c["workCountry"] == "Deutschland")
        #expect(c["email"] == "juergen.mueller@example.de" && c["email2"] == "jm@privat.example")
        let photo = try #require(c.photo?.data)
        #expect(photo.count == 66 && Array(photo.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        #expect(c.photo?.mediaType == "image/png")
        // Unknown properties kept raw, LABEL still quoted-printable.
        #expect(c.properties.map(\.name) == ["LABEL", "X-MS-OL-DEFAULT-POSTAL-ADDRESS"])
        #expect(c.properties[0].rawValue == "K=F6nigsallee 12=0D=0A40212 D=FCsseldorf")
        #expect(log.count(.warning) == 0 && log.count(.error) == 0)
    }

    @Test func apple30GroupsAndPhoto() throws {
        let c = try #require(try read(try fixture("apple-3.0.vcf")).first)
        #expect(c["lastName"] == "Lefèvre" && c["firstName"] == "Amélie" && c["namePrefix"] == "Dr.")
        #expect(c["company"] == "Atelier Lefèvre, SARL" && c["department"] == "Design")
        #expect(c["email"] == "amelie@atelier.example" && c["email2"] == "amelie.l@home.example")
        #expect(c["mobilePhone"] == "+33 6 12 34 56 78" && c["workPhone"] == "+33 1 44 55 66 77")
        #expect(c["homeStreet"] == "12 rue de la Paix" && c["homeCity"] == "Paris" && c["homePostalCode"] == "75002")
        #expect(c["notes"] == "Préfère le thé; pas de café.\nAppeler le matin.")
        #expect(c["birthday"] == "1985-04-12")
        #expect(c["vCardUID"] == "8F3C2A1E-5B6D-4E7F-9A0B-1C2D3E4F5A6B")
        #expect(c.tags == ["Clients", "Paris"])
        #expect(c.photo?.data?.count == 66 && c.photo?.mediaType == "image/png")
        let label = try #require(c.properties.first { $0.name == "X-ABLabel" })
        #expect(label.group == "item1" && label.rawValue == "_$!<Other>!$_")
        #expect(c.properties.contains { $0.name == "IMPP" && $0.rawValue == "skype:amelie.lefevre" })
        #expect(c.properties.contains { $0.group == "item2" && $0.name == "X-ABADR" })
    }

    @Test func nextcloud40ManyCards() throws {
        let cards = try read(try fixture("nextcloud-4.0.vcf"))
        #expect(cards.count == 2)
        let c = cards[0]
        #expect(c["fullName"] == "山田 太郎" && c["lastName"] == "山田" && c["firstName"] == "太郎")
        #expect(c["email"] == "taro.yamada@example.jp" && c["email2"] == "taro@home.example.jp")
        #expect(c["mobilePhone"] == "+81-90-1234-5678" && c["workPhone"] == "+81-3-1234-5678")
        #expect(c["workStreet"] == "1-2-3 Marunouchi" && c["workCity"] == "Chiyoda-ku" && c["workState"] == "Tokyo")
        #expect(c["birthday"] == "1979-05-21" && c["anniversary"] == "2005-06-10")
        #expect(c["vCardUID"] == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1")
        #expect(c.photo?.data?.count == 66 && c.photo?.mediaType == "image/png")
        #expect(c.properties.contains { $0.name == "GEO" && $0.rawValue == "geo:35.6812,139.7671" })
        #expect(cards[1]["fullName"] == "Second Card" && cards[1]["email"] == "second@example.org")
    }

    @Test func writes30InZimbraOrder() throws {
        var c = Contact([("firstName", "Anna"), ("lastName", "Berg"), ("email", "a@x.example"),
                         ("workPhone", "1"), ("mobilePhone", "2"), ("company", "ACME; Inc"), ("birthday", "1990-02-03"),
                         ("notes", "line1\nline2")])
        c.tags = ["VIP"]
        let text = String(decoding: try write([c]), as: UTF8.self)
        #expect(text == [
            "BEGIN:VCARD", "VERSION:3.0", "FN:Anna Berg", "N:Berg;Anna;;;", "BDAY;VALUE=date:1990-02-03",
            "TEL;TYPE=cell,voice:2", "TEL;TYPE=work,voice:1", "EMAIL;TYPE=internet:a@x.example",
            "ORG:ACME\\; Inc", "NOTE:line1\\nline2", "CATEGORIES:VIP", "END:VCARD", "",
        ].joined(separator: "\r\n"))
        let v4 = String(decoding: try write([c], version: "4.0"), as: UTF8.self)
        #expect(v4.contains("VERSION:4.0\r\n") && v4.contains("BDAY:19900203\r\n")
                && v4.contains("TEL;TYPE=\"cell,voice\":2\r\n") && v4.contains("EMAIL:a@x.example\r\n"))
    }

    /// Every fixture read, written (3.0 and 4.0) and read again gives the same contacts, unknown
    /// properties included.
    @Test(arguments: ["outlook-2.1.vcf", "apple-3.0.vcf", "nextcloud-4.0.vcf"], ["3.0", "4.0"])
    func vcfRoundTrip(_ name: String, _ version: String) throws {
        let first = try read(try fixture(name))
        let again = try read(try write(first, version: version))
        #expect(again.count == first.count)
        for (a, b) in zip(again, first) { #expect(same(a, b)) }
    }

    @Test func seededRoundTrip() throws {
        var rng = SplitMix(seed: 42)
        let alphabet = ["a", "Z", "é", "日本", ",", ";", "\\", ":", "x y", "😀", "\n"]
        func text(lines: Bool = true) -> String {
            let s = (0..<(1 + rng.next(20))).map { _ in alphabet[rng.next(alphabet.count - (lines ? 0 : 1))] }.joined()
            return s.trimmingSpaces.isEmpty || s.hasSuffix("\n") || s.hasPrefix("\n") ? "v" + s + "v" : s.trimmingSpaces
        }
        let fields = ["firstName", "lastName", "email", "email2", "homePhone", "workPhone", "mobilePhone", "notes",
                      "company", "jobTitle", "homeCity", "workStreet", "nickname"]
        for _ in 0..<100 {
            var c = Contact()
            for f in fields where rng.next(2) == 0 { c[f] = text(lines: f != "workStreet") }
            c["firstName"] = text()
            c["fullName"] = text()
            if c["email"] == nil { c["email2"] = nil }
            let back = try read(try write([c]), chunk: 1 + rng.next(50))
            #expect(back.count == 1 && same(back[0], c))
        }
    }

    @Test func badLineIsReportedAndSkipped() throws {
        let log = DiagnosticLog()
        let cards = try read(Array("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nno colon here\r\nEMAIL:a@b\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:B\r\n".utf8), log: log)
        #expect(cards.map(\.displayName) == ["A", "B"] && cards[0]["email"] == "a@b")
        #expect(log.diagnostics.contains { $0.code == "vcf.bad-line" && $0.line == 4 })
        #expect(log.diagnostics.contains { $0.code == "vcf.unterminated" && $0.line == 7 })
    }

    @Test func csvToVCardAndBack() throws {
        let csvReader = try ContactCSVReader(source: try FileSource(path: Self.fixtures.appendingPathComponent("outlook-de.csv").path),
                                             options: ReadOptions(), log: DiagnosticLog())
        var original: [Contact] = []
        while let item = try csvReader.next() { original.append(item.payload as! Contact) }
        #expect(!original.isEmpty)
        let back = try read(try write(original))
        #expect(back.count == original.count)
        let keys = ["firstName", "lastName", "middleName", "email", "email2", "email3", "workPhone", "homePhone",
                    "mobilePhone", "workFax", "homeFax", "company", "workCity"]
        for (a, b) in zip(original, back) {
            for k in keys { #expect(a[k] == b[k], "\(k)") }
        }
        #expect(back[0]["firstName"] == "Jürgen" && back[0]["email"] == "juergen.mueller@example.de")
    }

    /// The reader's packed-integer property table (`Property.of`) gives the same answer as the general
    /// string match (`Property.named`) for every name it maps, near misses, names it must hand over
    /// (NUL, non-ASCII such as the Kelvin sign, which String compares canonically), and generated names.
    @Test func propertyTableMatchesStringMatch() {
        typealias P = VCardContactBuilder.Property
        var names = ["VERSION", "PRODID", "REV", "FN", "N", "NICKNAME", "TITLE", "NOTE", "ORG", "BDAY",
                     "ANNIVERSARY", "X-ZIMBRA-ANNIVERSARY", "X-ANNIVERSARY", "X-ZIMBRA-MAIDENNAME",
                     "X-ZIMBRA-IMADDRESS", "UID", "EMAIL", "TEL", "URL", "ADR", "CATEGORIES", "PHOTO",
                     "X-FERRY-FIELD", "X-ABLABEL", "IMPP", "GEO", "", "F", "FNN", "NN", "TELE", "EMAIL2",
                     "VERSIONS", "NICKNAMES", "NICKNAM", "fn", "Tel", "N\u{0}", "\u{0}N", "FN\u{0}",
                     "NIC\u{212A}NAME", "T\u{00C9}L", "\u{00C9}MAIL"]
        // Every prefix, suffix and one-byte change of the mapped names.
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ-0".utf8)
        for name in names.prefix(23) {
            let u = Array(name.utf8)
            for k in 0...u.count {
                names.append(String(decoding: u[..<k], as: UTF8.self))
                names.append(String(decoding: u[k...], as: UTF8.self))
            }
            for k in u.indices {
                for c in letters {
                    var v = u
                    v[k] = c
                    names.append(String(decoding: v, as: UTF8.self))
                }
            }
        }
        var mapped = 0
        for name in names {
            #expect(P.of(name) == P.named(name), "\(name.debugDescription)")
            if P.named(name) != .other { mapped += 1 }
        }
        #expect(mapped >= 23)
        #expect(P.of("TEL") == .tel && P.of("EMAIL") == .email && P.of("X-ABLABEL") == .other)
    }
}
