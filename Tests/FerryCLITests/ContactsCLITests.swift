import Foundation
import Testing

/// End to end: the built `ferry` on the contact fixtures.
@Suite struct ContactsCLITests {
    func fixture(_ name: String) -> String { FerryCLI.fixtures.appendingPathComponent("contacts/\(name)").path }

    @Test func germanOutlookToThunderbird() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let out = dir.appendingPathComponent("tb.csv").path
        let r = try FerryCLI.run(["convert", fixture("outlook-de.csv"), "--to", "thunderbird-csv", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)  // Thunderbird writes UTF-8
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("First Name,Last Name,Display Name,Nickname,Primary Email,"))
        #expect(lines[1].hasPrefix("Jürgen,Müller,,,juergen.mueller@example.de,"))
        #expect(text.contains(",Düsseldorf,,40212,Deutschland,Geschäftsführer,Vertrieb,Müller & Söhne GmbH,"))
        // Birth Month, Day, Year from the German date 14.03.1968.
        #expect(text.contains(",3,14,1968,"))
        // Anrede has no Thunderbird column: warned, and carried in an extra column.
        #expect(r.stderr.contains("'namePrefix' has no column in thunderbird-csv"))
        let table = try CSVTable(path: out, encoding: .utf8)
        #expect(table.header.last == "namePrefix" && table.rows[0].last == "Herr")
        #expect(table.rows[0][table.header.firstIndex(of: "Notes")!]
                == "Größter Kunde im Rheinland.\r\nBitte „persönlich“ ansprechen – nicht per Fax.")
    }

    @Test func thunderbirdToOutlookInTheProducersCodePage() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let out = dir.appendingPathComponent("outlook.csv").path
        let r = try FerryCLI.run(["convert", fixture("thunderbird-fr.csv"), "--to", "outlook-2003-csv", "--locale", "fr",
                                  "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(bytes.contains(0xE9))  // é in windows-1252
        #expect(!text.contains("é"))   // not UTF-8
        let latin = String(bytes.map { Character(Unicode.Scalar($0)) })
        #expect(latin.hasPrefix("\"Titre\";\"Pr\u{E9}nom\";"))
        #expect(latin.contains("\"Am\u{E9}lie\""))

        // --output-charset overrides the producer's code page.
        let utf8 = dir.appendingPathComponent("outlook-utf8.csv").path
        let r2 = try FerryCLI.run(["convert", fixture("thunderbird-fr.csv"), "--to", "outlook-2003-csv", "--locale", "fr",
                                   "--output-charset", "UTF-8", "-o", utf8])
        #expect(r2.status == 0)
        #expect(try String(contentsOfFile: utf8, encoding: .utf8).contains("\"Amélie\""))
    }

    @Test func inspectShowsDialectAndCharsetWithEvidence() throws {
        let r = try FerryCLI.run(["inspect", fixture("outlook-ja.csv")])
        #expect(r.status == 0)
        #expect(r.out.contains("format:   csv"))
        #expect(r.out.contains("charset:  Windows-31J"))
        #expect(r.out.contains("dialect:  outlook-2003-csv/ja"))
        #expect(r.out.contains("items:    2 contact"))
        let g = try FerryCLI.run(["inspect", "--json", fixture("google-legacy-utf16.csv")])
        let object = try JSONSerialization.jsonObject(with: g.stdout) as! [String: Any]
        #expect((object["charset"] as? [String: Any])?["name"] as? String == "UTF-16LE")
        #expect(((object["details"] as? [String: String])?["dialect"] ?? "").hasPrefix("google-legacy-csv"))
    }

    @Test func malformedRowsGiveDiagnosticsAndExitOne() throws {
        let r = try FerryCLI.run(["convert", fixture("malformed.csv"), "--to", "csv", "-o", "-"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("malformed.csv:4:2: error: text after the closing quote"))
        #expect(r.stderr.contains("opened on line 3"))
        #expect(r.stderr.contains("2 malformed rows skipped"))
        // The good rows still convert (zimbra-csv by default).
        #expect(r.out.contains("\"good1@example.com\"") && r.out.contains("\"good2@example.com\"")
                && r.out.contains("\"good3@example.com\""))
        // --lenient reads it like Excel instead.
        let l = try FerryCLI.run(["convert", fixture("malformed.csv"), "--lenient", "--to", "csv", "-o", "-"])
        #expect(!l.stderr.contains("error:"))
    }

    @Test func csvRoundTripThroughZimbraKeepsUnknownColumns() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let z = dir.appendingPathComponent("z.csv").path
        let back = dir.appendingPathComponent("back.csv").path
        #expect(try FerryCLI.run(["convert", fixture("outlook-en.csv"), "-o", z]).status == 0)
        let r = try FerryCLI.run(["convert", z, "--to", "outlook-csv", "-o", back])
        #expect(r.status == 0, "\(r.stderr)")
        let original = try CSVTable(path: fixture("outlook-en.csv"), encoding: .windowsCP1252)
        let result = try CSVTable(path: back, encoding: .windowsCP1252)
        #expect(result.header == original.header)
        for (a, b) in zip(original.rows, result.rows) {
            for (i, h) in original.header.enumerated() {
                // Outlook's "0/0/00" means no date; ISO dates are what Ferry stores.
                if a[i] == "0/0/00" { #expect(b[i] == "", "\(h)"); continue }
                if h == "Birthday" && a[i] == "7/4/1975" { #expect(b[i] == "1975-07-04"); continue }
                #expect(a[i] == b[i], "\(h)")
            }
        }
    }

    @Test func formatsListsTheDialects() throws {
        let r = try FerryCLI.run(["formats"])
        #expect(r.status == 0)
        for name in ["csv", "outlook-2003-csv", "thunderbird-csv", "google-csv", "zimbra-csv"] {
            #expect(r.out.contains("\n\(name) "), "\(name)")
        }
    }
}

/// A tiny CSV reader for checking outputs (quotes, doubled quotes, CRLF inside quotes).
struct CSVTable {
    var header: [String]
    var rows: [[String]]

    init(path: String, encoding: String.Encoding) throws {
        let text = try String(contentsOfFile: path, encoding: encoding)
        var records: [[String]] = []
        var field = "", record: [String] = []
        var quoted = false, i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if quoted {
                if c == "\"" {
                    let n = text.index(after: i)
                    if n < text.endIndex && text[n] == "\"" { field.append("\""); i = n } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," || c == ";" { record.append(field); field = "" }
            else if c == "\r\n" || c == "\n" { record.append(field); records.append(record); record = []; field = "" }
            else { field.append(c) }
            i = text.index(after: i)
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        header = records.first ?? []
        rows = Array(records.dropFirst())
    }
}
