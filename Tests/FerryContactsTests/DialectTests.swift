import FerryCore
import Foundation
import Testing
@testable import FerryContacts

enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/contacts")

    static func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    static func readCSV(_ name: String, options: ReadOptions = ReadOptions(),
                        log: DiagnosticLog = DiagnosticLog()) throws -> (ContactCSVReader, [Contact]) {
        let reader = try ContactCSVReader(source: FileSource(path: path(name)), options: options, log: log)
        var contacts: [Contact] = []
        while let item = try reader.next() { contacts.append(item.payload as! Contact) }
        return (reader, contacts)
    }
}

@Suite struct DialectTests {
    @Test func catalogLoadsZimbraTableAndAdditions() {
        let c = DialectCatalog.standard
        #expect(c.wellKnownFields.count == 58)
        for name in ["zimbra-csv", "yahoo-csv", "thunderbird-csv", "outlook-2000-csv", "outlook-2003-csv",
                     "outlook-unknown-csv", "windows-live-mail-csv", "outlook-csv", "google-csv", "google-legacy-csv"] {
            #expect(c.dialect(named: name) != nil, "\(name)")
        }
        #expect(c.locales(of: "thunderbird-csv").count == 16)
        #expect(c.locales(of: "outlook-2003-csv").count == 13)
        #expect(c.dialect(named: "outlook-2003-csv", locale: "fr")?.delimiter == UInt8(ascii: ";"))
        #expect(c.dialect(named: "outlook-2003-csv", locale: "de_DE")?.locale == "de")
        #expect(c.dialect(named: "outlook-2003-csv", locale: "ja")?.charset == "Windows-31J")
        #expect(c.dialect(named: "yahoo-csv")?.dateOrder == "mdy")
        #expect(c.dialect(named: "outlook-2000-csv")?.columns.count == 83)
    }

    @Test func germanOutlookInWindows1252() throws {
        let (reader, contacts) = try Fixture.readCSV("outlook-de.csv")
        #expect(reader.dialect.id == "outlook-2003-csv/de")
        #expect(reader.sniff.charset.charset == "windows-1252")
        #expect(contacts.count == 3)
        let j = contacts[0]
        #expect(j["namePrefix"] == "Herr" && j["firstName"] == "Jürgen" && j["lastName"] == "Müller")
        #expect(j["company"] == "Müller & Söhne GmbH" && j["jobTitle"] == "Geschäftsführer")
        #expect(j["workStreet"] == "Königsallee 12\nHinterhaus")
        #expect(j["workCity"] == "Düsseldorf" && j["workCountry"] == "Deutschland")
        #expect(j["birthday"] == "1968-03-14")
        #expect(j["notes"] == "Größter Kunde im Rheinland.\r\nBitte „persönlich“ ansprechen – nicht per Fax.")
        #expect(contacts[1]["homeStreet"] == "Schloßstraße 5" && contacts[1]["email2"] == "weiss@firma.example")
        #expect(contacts[2]["lastName"] == "Øster")
    }

    @Test func frenchOutlookWithSemicolonsAndRepeatedHeaders() throws {
        let (reader, contacts) = try Fixture.readCSV("outlook-fr.csv")
        #expect(reader.dialect.id == "outlook-2003-csv/fr")
        #expect(reader.delimiter == UInt8(ascii: ";"))
        // "Titre" twice: the first is the name prefix, the second the job title.
        #expect(contacts[0]["namePrefix"] == "M." && contacts[0]["jobTitle"] == "Éditeur en chef")
        #expect(contacts[0]["workStreet"] == "12, rue de l’Église")
        #expect(contacts[0]["notes"] == "Rencontré au salon; très « sympathique ».")
        #expect(contacts[1]["lastName"] == "Cœur" && contacts[1]["homeCity"] == "Saint-Étienne")
    }

    @Test func japaneseOutlookInWindows31J() throws {
        let (reader, contacts) = try Fixture.readCSV("outlook-ja.csv")
        #expect(reader.dialect.id == "outlook-2003-csv/ja")
        #expect(reader.sniff.charset.charset == "Windows-31J")
        #expect(contacts[0]["lastName"] == "山田" && contacts[0]["firstName"] == "太郎")
        #expect(contacts[0]["phoneticLastName"] == "ヤマダ")
        #expect(contacts[0]["workState"] == "東京都" && contacts[0]["workStreet"] == "丸の内１－２－３")
        // Windows-31J's FULLWIDTH TILDE (0x8160), not the JIS WAVE DASH.
        #expect(contacts[0]["notes"] == "\u{FF5E}よろしくお願いします\u{FF5E}")
    }

    @Test func modernEnglishOutlook() throws {
        let (reader, contacts) = try Fixture.readCSV("outlook-en.csv")
        #expect(reader.dialect.name == "outlook-csv")
        #expect(reader.sniff.charset.charset == "windows-1252")
        let c = contacts[0]
        #expect(c["firstName"] == "José" && c["company"] == "Café Olé, Inc.")
        #expect(c["workStreet"] == "1 Main St\nSuite 200" && c["workCountry"] == "United States of America")
        #expect(c["birthday"] == "1975-07-04")  // Outlook (en) writes month first
        #expect(c.tags == ["Customers", "VIP"])
        // Columns Zimbra discards are kept under their header.
        #expect(c["E-mail Display Name"] == "José Ramírez (jose@cafeole.example)")
        // Outlook's "0/0/00" means no date.
        #expect(contacts[1]["birthday"] == nil && contacts[1]["anniversary"] == nil)
    }

    @Test func thunderbirdEnglishAndOldFrenchWithTrailingDelimiter() throws {
        let (reader, contacts) = try Fixture.readCSV("thunderbird-en.csv")
        #expect(reader.dialect.id == "thunderbird-csv")
        #expect(contacts[0]["fullName"] == "Ada Lovelace" && contacts[0]["company"] == "Analytical Engines, Ltd.")
        #expect(contacts[0]["birthday"] == "1815-12-10")
        #expect(contacts[1]["birthday"] == "--12-09")
        #expect(contacts[0]["notes"] == "First programmer.\nLikes \"notes\" with quotes, commas.")
        let log = DiagnosticLog()
        let (fr, frContacts) = try Fixture.readCSV("thunderbird-fr.csv", log: log)
        #expect(fr.dialect.id == "thunderbird-csv/fr")
        // "Ville" twice: home city, then work city.
        #expect(frContacts[0]["homeCity"] == "Paris" && frContacts[0]["workCity"] == "Lyon")
        #expect(!log.diagnostics.contains { $0.code == "csv.ragged-row" })
    }

    @Test func yahooDatesAreMonthFirstAndCategoriesAreTags() throws {
        let (reader, contacts) = try Fixture.readCSV("yahoo.csv")
        #expect(reader.dialect.id == "yahoo-csv")
        #expect(contacts[0]["birthday"] == "1980-03-04")
        #expect(contacts[0].tags == ["Friends", "Work"])
        #expect(contacts[0]["skypeId"] == "bob.builder" && contacts[0]["email2"] == "bob2@example.com")
        #expect(contacts[1]["anniversary"] == "2001-12-25")
    }

    @Test func googleCurrentShape() throws {
        let (reader, contacts) = try Fixture.readCSV("google.csv")
        #expect(reader.dialect.id == "google-csv")
        let c = contacts[0]
        #expect(c["email"] == "chen.wei@example.cn" && c["email2"] == "wei@example.com")
        #expect(c["workEmail1"] == "chen@company.example")
        #expect(c["mobilePhone"] == "+86 138 0000 0000" && c["workPhone"] == "+86 10 1234 5678")
        #expect(c["homeStreet"] == "朝阳区建国路 1 号" && c["homeCity"] == "北京" && c["homePostalCode"] == "100022")
        #expect(c["otherURL"] == "https://chenwei.example")
        #expect(c["Favourite tea"] == "Longjing")
        #expect(c.tags == ["myContacts", "Friends"])
        #expect(contacts[1]["birthday"] == "--08-21")
    }

    @Test func googleLegacyInUTF16() throws {
        let (reader, contacts) = try Fixture.readCSV("google-legacy-utf16.csv")
        #expect(reader.dialect.id == "google-legacy-csv")
        #expect(reader.sniff.charset.charset == "UTF-16LE")
        let c = contacts[0]
        #expect(c["fullName"] == "Дмитрий Иванов" && c["lastName"] == "Иванов")
        #expect(c["email"] == "dmitry@example.ru" && c["company"] == "ООО «Пример»" && c["jobTitle"] == "Инженер")
        #expect(c.tags == ["My Contacts", "Коллеги"])
    }

    @Test func zimbraCSVKeepsEveryAttribute() throws {
        let (reader, contacts) = try Fixture.readCSV("zimbra.csv")
        #expect(reader.dialect.id == "zimbra-csv")
        #expect(contacts[0]["homeStreet"] == "1 Infinite Loop\nBuilding 2")
        #expect(contacts[0]["customerNumber"] == "Z-1001")
        #expect(contacts[1].isGroup && contacts[1]["dlist"] == "alice@zimbra.example, bob@example.com")
    }

    @Test func overridesWin() throws {
        var options = ReadOptions()
        options.csvFormat = "thunderbird-csv"
        let (reader, contacts) = try Fixture.readCSV("yahoo.csv", options: options)
        #expect(reader.dialect.id == "thunderbird-csv")
        // Yahoo's headers are then custom fields: nothing is lost.
        #expect(contacts[0]["First"] == "Bob" && contacts[0]["Email"] == "bob@yahoo.example")
        options = ReadOptions()
        options.charset = try Charset("windows-1251")
        let (wrong, _) = try Fixture.readCSV("outlook-de.csv", options: options)
        #expect(wrong.sniff.charset.method == .declared)
    }

    @Test func malformedRowsAreReportedAndTheRestConverts() throws {
        let log = DiagnosticLog()
        let (_, contacts) = try Fixture.readCSV("malformed.csv", log: log)
        #expect(contacts.map { $0["lastName"] } == ["One", "Two", "Three"])
        #expect(contacts[2]["notes"] == "multi\r\nline")
        let errors = log.diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { $0.file?.hasSuffix("malformed.csv") == true && $0.line != nil && $0.column != nil })
        #expect(log.diagnostics.contains { $0.code == "csv.rows-skipped" && $0.message.hasPrefix("2 malformed rows") })
    }

    @Test func detectionScoresAndTies() {
        let c = DialectCatalog.standard
        // English Outlook 2003 headers: the base variant wins over en_GB (identical names) by table order.
        let g = c.detect(headers: ["First Name", "Last Name", "E-mail Address", "E-mail Type", "Business Country"])
        #expect(g.dialect.id == "outlook-2003-csv")
        // Equal scores: the closer fit (fewer of the dialect's headers missing) wins.
        #expect(c.detect(headers: ["First Name", "Last Name", "E-mail Address", "Business Phone"]).dialect.name
                == "windows-live-mail-csv")
        // Nothing recognised → zimbra-csv, every header an attribute.
        #expect(c.detect(headers: ["foo", "bar"]).dialect.id == "zimbra-csv")
        // A preferred locale settles ties between locales sharing names (Thunderbird en and en_GB).
        let tb = ["First Name", "Last Name", "Display Name", "Primary Email"]
        #expect(c.detect(headers: tb).dialect.id == "thunderbird-csv")
        #expect(c.detect(headers: tb, preferredLocale: "en_GB").dialect.id == "thunderbird-csv/en_GB")
    }

    @Test func datesAsZimbraReadsThem() {
        #expect(DateParsing.normalize("1968-03-14", order: nil) == "1968-03-14")
        #expect(DateParsing.normalize("3/14/1968", order: nil) == "1968-03-14")
        #expect(DateParsing.normalize("14/3/1968", order: nil) == "1968-03-14")
        #expect(DateParsing.normalize("3/4/1968", order: nil) == "3/4/1968")   // ambiguous, kept verbatim
        #expect(DateParsing.normalize("3/4/1968", order: "dmy") == "1968-04-03")
        #expect(DateParsing.normalize("04.03.1968", order: nil) == "1968-03-04")
        #expect(DateParsing.normalize("0/0/00", order: "mdy") == "")
        #expect(DateParsing.normalize("31/02/1968", order: nil) == "31/02/1968")
    }
}

/// Dialect detection binds every dialect through indexes the catalog builds once; each binding must be
/// exactly what the general `HeaderBinding(headers:dialect:knownFields:)` gives.
@Suite struct DialectIndexTests {
    static func headerRows() throws -> [[String]] {
        var rows: [[String]] = [
            ["First Name", "Last Name", "E-mail Address", "Business Phone"],
            ["Name", "Given Name", "Family Name", "E-mail 1 - Value", "E-mail 2 - Type", "Phone 3 - Value"],
            ["  Prénom ", "NOM", "Adresse de messagerie", "Titre", "Titre", "\u{FEFF}Société"],
            ["", "email", "firstName", "x-custom", "Custom 1", "Group Membership"],
            [],
        ]
        let catalog = DialectCatalog.standard
        // Each dialect's own headers, in order and reversed.
        for d in catalog.dialects {
            let own = d.columns.flatMap(\.headers)
            rows.append(own)
            rows.append(own.reversed())
        }
        return rows
    }

    @Test func prebuiltIndexesBindLikeTheGeneralPath() throws {
        let catalog = DialectCatalog.standard
        for headers in try Self.headerRows() {
            for d in catalog.dialects {
                let fast = catalog.binding(headers: headers, dialect: d)
                let general = HeaderBinding(headers: headers, dialect: d, knownFields: catalog.knownFields)
                #expect(fast.targets == general.targets, "\(d.id): \(headers)")
                #expect(fast.recognised == general.recognised && fast.missing == general.missing, "\(d.id)")
            }
            let guess = catalog.detect(headers: headers)
            let general = catalog.dialects.map { HeaderBinding(headers: headers, dialect: $0, knownFields: catalog.knownFields) }
            let best = general.map(\.recognised).max() ?? 0
            if best > 0 {
                #expect(guess.binding.recognised == best, "\(headers)")
                #expect(guess.binding.targets == general.first { $0.dialect.id == guess.dialect.id }?.targets)
            } else {
                #expect(guess.dialect.name == "zimbra-csv")
            }
        }
    }

    /// The ASCII shortcut in `normalizedHeader` gives what the Foundation path gives.
    @Test func asciiHeadersNormaliseLikeTheGeneralPath() {
        for header in ["E-mail Address", "  First Name\t", "\u{FEFF}NAME", "Prénom", "Cafe\u{301}", "ＦＵＬＬ", "x\u{A0}", ""] {
            var t = Substring(header)
            while let f = t.first, f == " " || f == "\t" || f == "\u{FEFF}" || f == "\u{A0}" { t.removeFirst() }
            while let l = t.last, l == " " || l == "\t" || l == "\u{A0}" { t.removeLast() }
            #expect(normalizedHeader(header) == t.lowercased().precomposedStringWithCanonicalMapping, "\(header)")
        }
    }
}
