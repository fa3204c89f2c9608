import Foundation
import FoundationXML
import Testing

/// End to end: CSV → vCard → CSV, and vCard fixtures through the built `ferry`.
@Suite struct VCardCLITests {
    func fixture(_ name: String) -> String { FerryCLI.fixtures.appendingPathComponent("contacts/\(name)").path }

    @Test func outlookCSVToVCardToThunderbird() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let vcf = dir.appendingPathComponent("x.vcf").path
        let r1 = try FerryCLI.run(["convert", fixture("outlook-de.csv"), "-o", vcf])
        #expect(r1.status == 0, "\(r1.stderr)")
        let card = try String(contentsOfFile: vcf, encoding: .utf8)
        #expect(card.hasPrefix("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:"))
        #expect(card.contains("\r\nN:Müller;Jürgen;;Herr;\r\n"))
        #expect(card.contains("\r\nTEL;TYPE=cell,voice:+49 171 9876543\r\n"))
        #expect(card.contains("\r\nEMAIL;TYPE=internet:juergen.mueller@example.de\r\n"))
        #expect(card.contains("\r\nORG:Müller & Söhne GmbH;Vertrieb\r\n"))

        let csv = dir.appendingPathComponent("tb.csv").path
        let r2 = try FerryCLI.run(["convert", vcf, "--to", "thunderbird-csv", "-o", csv])
        #expect(r2.status == 0, "\(r2.stderr)")
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("First Name,Last Name,Display Name,Nickname,Primary Email,"))
        #expect(lines[1].hasPrefix("Jürgen,Müller,"))
        #expect(lines[1].contains("juergen.mueller@example.de"))
        #expect(lines[1].contains("+49 171 9876543") && lines[1].contains("+49 211 123456"))
    }

    @Test func vcfToVcfKeepsUnknownProperties() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out.vcf").path
        // A named version rewrites the cards (unchanged ones are otherwise copied, see below).
        let r = try FerryCLI.run(["convert", fixture("nextcloud-4.0.vcf"), "--vcard-version", "3.0", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.components(separatedBy: "BEGIN:VCARD").count == 3)
        #expect(text.contains("\r\nGEO:geo:35.6812,139.7671\r\n"))
        #expect(text.contains("\r\nX-CUSTOM-FIELD;X-PARAM=a,b:keep\\, me\r\n"))
        #expect(text.contains("\r\nTEL;TYPE=cell,voice:+81-90-1234-5678\r\n"))

        let apple = dir.appendingPathComponent("apple.vcf").path
        let r2 = try FerryCLI.run(["convert", fixture("apple-3.0.vcf"), "--vcard-version", "4.0", "-o", apple])
        #expect(r2.status == 0, "\(r2.stderr)")
        let a = try String(contentsOfFile: apple, encoding: .utf8)
        #expect(a.contains("\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n"))
        // The grouped e-mail and address keep their group (once, not also ungrouped).
        #expect(a.contains("\r\nitem1.EMAIL;TYPE=INTERNET;TYPE=pref:amelie@atelier.example\r\nitem1.X-ABLabel:")
                || a.contains("\r\nitem1.EMAIL;type=INTERNET;type=pref:amelie@atelier.example\r\n"))
        #expect(a.components(separatedBy: "amelie@atelier.example").count == 2)
        #expect(a.contains("\r\nitem2.ADR;") && !a.contains("\r\nADR;"))
        #expect(a.contains("\r\nIMPP;X-SERVICE-TYPE=Skype;TYPE=pref:skype:amelie.lefevre\r\n"))
    }

    @Test func vcfToVcfIsByteIdentical() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let names = try FileManager.default.contentsOfDirectory(atPath: FerryCLI.fixtures.appendingPathComponent("contacts").path)
            .filter { $0.hasSuffix(".vcf") }
        #expect(names.count >= 3)
        for name in names {
            let out = dir.appendingPathComponent(name).path
            let r = try FerryCLI.run(["convert", fixture(name), "--to", "vcf", "-o", out])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(FileManager.default.contentsEqual(atPath: out, andPath: fixture(name)), "\(name)")
        }
    }

    @Test func writesVCard40OnRequest() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let out = dir.appendingPathComponent("v4.vcf").path
        let r = try FerryCLI.run(["convert", fixture("outlook-2.1.vcf"), "--vcard-version", "4.0", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasPrefix("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jürgen Müller\r\n"))
        #expect(text.contains("\r\nTEL;TYPE=\"cell,voice\":+49 171 9876543\r\n"))
        #expect(text.contains("\r\nPHOTO:data:image/png;base64,iVBOR"))
        let bad = try FerryCLI.run(["convert", fixture("outlook-2.1.vcf"), "--vcard-version", "2.1", "-o", out.replacingOccurrences(of: "v4.vcf", with: "v21.vcf")])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("vcf.version"), "\(bad.stderr)")
    }
}

/// `ferry validate` on vCards: directories, every report style, exit codes.
@Suite struct VCardValidateCLITests {
    static let contacts = FerryCLI.fixtures.appendingPathComponent("contacts")
    static func path(_ name: String) -> String { contacts.appendingPathComponent(name).path }

    @Test func producerCardsAreValid() throws {
        let r = try FerryCLI.run(["validate", Self.path("apple-3.0.vcf"), Self.path("nextcloud-4.0.vcf"), Self.path("outlook-2.1.vcf")])
        #expect(r.status == 0, "\(r.out)\(r.stderr)")
        #expect(r.out.contains("3 files checked: 3 valid, 0 invalid"))
    }

    @Test func directoryOfCardsWithEveryReport() throws {
        let dir = Self.contacts.appendingPathComponent("invalid").path
        let count = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".vcf") }.count
        let text = try FerryCLI.run(["validate", dir])
        #expect(text.status == 1)
        #expect(text.out.contains("\(count) files checked"))
        #expect(text.out.contains("invalid/bad-date.vcf:5:6: error: BDAY '1985-02-30' is not a valid date: day 30 does not exist in month 2 [vcf.bad-date]"))

        let json = try FerryCLI.run(["validate", "--report", "json", Self.path("invalid/bad-geo.vcf"), Self.path("apple-3.0.vcf")])
        #expect(json.status == 1)
        let files = (try JSONSerialization.jsonObject(with: json.stdout) as! [String: Any])["files"] as! [[String: Any]]
        #expect(files.count == 2 && files[0]["format"] as? String == "vcf")
        #expect(files[0]["valid"] as? Bool == false && files[1]["valid"] as? Bool == true)
        let d = (files[0]["diagnostics"] as! [[String: Any]])[0]
        #expect(d["code"] as? String == "vcf.bad-geo" && d["line"] as? Int == 5 && d["column"] as? Int == 5)

        let junit = try FerryCLI.run(["validate", "--report", "junit", Self.path("invalid/bad-tz.vcf"), Self.path("apple-3.0.vcf")])
        let root = try #require(try XMLDocument(data: junit.stdout).rootElement())
        #expect(root.attribute(forName: "tests")?.stringValue == "2" && root.attribute(forName: "failures")?.stringValue == "1")

        let sarif = try FerryCLI.run(["validate", "--report", "sarif", Self.path("invalid/bad-uid.vcf")])
        #expect(sarif.status == 0)  // a warning only
        #expect(sarif.out.contains("\"ruleId\" : \"vcf.bad-uid\""))

        let github = try FerryCLI.run(["validate", "--report", "github", Self.path("invalid/unterminated.vcf")])
        #expect(github.status == 1)
        #expect(github.out.contains("::error file=") && github.out.contains("title=vcf.unterminated::"))

        let strict = try FerryCLI.run(["validate", "--strict", Self.path("invalid/bad-email.vcf")])
        #expect(strict.status == 1)
    }
}

/// `ferry convert contacts --to json`: JSON Lines through the generic writer.
@Suite struct ContactJSONCLITests {
    func fixture(_ name: String) -> String { FerryCLI.fixtures.appendingPathComponent("contacts/\(name)").path }

    func jsonLines(_ args: [String]) throws -> [[String: Any]] {
        let r = try FerryCLI.run(args)
        #expect(r.status == 0, "\(r.stderr)")
        return try r.out.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test func csvToJSON() throws {
        let objects = try jsonLines(["convert", fixture("outlook-de.csv"), "--to", "json", "-o", "-"])
        let rows = try String(contentsOfFile: fixture("outlook-de.csv"), encoding: .windowsCP1252)
            .components(separatedBy: "\r\n").filter { $0.hasPrefix("\"") }.count - 1
        #expect(objects.count == rows && rows >= 1)
        let first = try #require(objects.first)
        #expect(first["kind"] as? String == "contact")
        #expect((first["origin"] as? String)?.hasSuffix("outlook-de.csv:2") == true)
        let fields = try #require(first["fields"] as? [String: String])
        #expect(fields["firstName"] == "Jürgen" && fields["lastName"] == "Müller")
        #expect(fields["company"] == "Müller & Söhne GmbH" && fields["mobilePhone"] == "+49 171 9876543")
        #expect(fields["birthday"] == "1968-03-14")
        #expect(fields["notes"]?.contains("„persönlich“") == true)

        // Tags and custom columns too (Thunderbird's "First programmer." note, Google's labels).
        let google = try jsonLines(["convert", fixture("google.csv"), "--to", "json", "-o", "-"])
        #expect((google.first?["tags"] as? [String]) == ["myContacts", "Friends"])
        #expect((google.first?["fields"] as? [String: String])?["Favourite tea"] == "Longjing")
    }

    @Test func vcfToJSONKeepsPropertiesAndPhoto() throws {
        let objects = try jsonLines(["convert", fixture("apple-3.0.vcf"), "--to", "json", "-o", "-"])
        let c = try #require(objects.first)
        #expect((c["fields"] as? [String: String])?["email"] == "amelie@atelier.example")
        #expect((c["photo"] as? [String: Any])?["bytes"] as? Int == 66)
        #expect((c["properties"] as? [String])?.contains("item1.X-ABLabel:_$!<Other>!$_") == true)
    }
}
