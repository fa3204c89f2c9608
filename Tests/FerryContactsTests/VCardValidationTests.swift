import FerryCore
import Foundation
import Testing
@testable import FerryContacts

struct ExpectedVCardDiagnostic: Sendable, CustomStringConvertible {
    let file: String
    let code: String
    let line: Int
    var description: String { "\(file) \(code)@\(line)" }
}

/// `Fixtures/contacts/invalid/expected.txt`: one invalid card file per rule, with its code and line.
let invalidVCards: [ExpectedVCardDiagnostic] = {
    let text = (try? String(contentsOf: Fixture.root.appendingPathComponent("invalid/expected.txt"), encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { line in
        let f = line.split(separator: " ")
        guard f.count == 3, !line.hasPrefix("#"), let n = Int(f[2]) else { return nil }
        return ExpectedVCardDiagnostic(file: String(f[0]), code: String(f[1]), line: n)
    }
}()

@Suite struct VCardValidationTests {
    func validate(_ path: String) throws -> (cards: Int, diagnostics: [Diagnostic]) {
        let log = DiagnosticLog()
        let n = try VCardValidator().validate(try FileSource(path: path), log: log)
        return (n, log.diagnostics)
    }

    func validate(text: String) throws -> [Diagnostic] {
        let log = DiagnosticLog()
        _ = try VCardValidator().validate(MemorySource(Array(text.utf8), name: "t.vcf", maxChunk: 19), log: log)
        return log.diagnostics
    }

    @Test func everyRuleHasAnInvalidFixture() {
        #expect(Set(invalidVCards.map(\.code)) == Set(VCardRules.rules.map(\.code)))
        #expect(Set(VCardRules.rules.map(\.code)).count == VCardRules.rules.count)
    }

    @Test(arguments: invalidVCards)
    func invalidFixtureReportsItsCodeOnItsLine(_ expected: ExpectedVCardDiagnostic) throws {
        let (_, diagnostics) = try validate(Fixture.path("invalid/" + expected.file))
        let hit = diagnostics.first { $0.code == expected.code && $0.line == expected.line }
        #expect(hit != nil, "\(expected): got \(diagnostics.map { "\($0.code)@\($0.line ?? 0)" })")
        #expect(hit?.column != nil && hit?.file != nil)
        let rule = VCardRules.rules.first { $0.code == expected.code }
        #expect(rule != nil && hit.map { $0.severity <= rule!.severity } != false)
        #expect(diagnostics.allSatisfy { $0.file != nil && ($0.line != nil || $0.severity == .note) })
    }

    @Test(arguments: ["apple-3.0.vcf", "nextcloud-4.0.vcf", "outlook-2.1.vcf"])
    func producerExportsHaveNoErrors(_ name: String) throws {
        let (cards, diagnostics) = try validate(Fixture.path(name))
        #expect(cards >= 1)
        #expect(!diagnostics.contains { $0.severity == .error }, "\(diagnostics.map { "\($0.code)@\($0.line ?? 0): \($0.message)" })")
    }

    @Test func whatFerryWritesIsValid() throws {
        // Every CSV fixture through the vCard writer, in both versions: no errors, no warnings.
        for fixture in NoDataDroppedTests.csvFixtures {
            let (_, contacts) = try Fixture.readCSV(fixture)
            for version in ["3.0", "4.0"] {
                let bytes = try NoDataDroppedTests().toVCard(contacts, version: version)
                let log = DiagnosticLog()
                let n = try VCardValidator().validate(MemorySource(bytes, name: "\(fixture).vcf"), log: log)
                #expect(n == contacts.count)
                #expect(log.diagnostics.isEmpty, "\(fixture) \(version): \(log.diagnostics.map { "\($0.code)@\($0.line ?? 0): \($0.message)" })")
            }
        }
    }

    @Test func versionsDecideTheRules() throws {
        // N is required in 3.0, optional in 4.0; GENDER is 4.0 only.
        let v3 = try validate(text: "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nGENDER:F\r\nEND:VCARD\r\n")
        #expect(v3.contains { $0.code == "vcf.missing-property" && $0.severity == .error })
        #expect(v3.contains { $0.code == "vcf.unknown-property" && $0.message.contains("4.0") })
        let v4 = try validate(text: "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nGENDER:F\r\nBDAY:--0412\r\nEND:VCARD\r\n")
        #expect(v4.isEmpty, "\(v4)")
        // 2.1: lenient — missing N is a warning, bare parameters and QUOTED-PRINTABLE are fine.
        let v21 = try validate(text: "BEGIN:VCARD\r\nVERSION:2.1\r\nTEL;WORK;VOICE:+1 555\r\n"
                               + "NOTE;ENCODING=QUOTED-PRINTABLE:a=3Db\r\nEND:VCARD\r\n")
        #expect(v21.map(\.code) == ["vcf.missing-property"] && v21[0].severity == .warning, "\(v21)")
        // A column points at the value for value errors.
        let bad = try validate(text: "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nN:A;;;;\r\nBDAY:1985-13-01\r\nEND:VCARD\r\n")
        #expect(bad.first { $0.code == "vcf.bad-date" }?.column == 6)
    }

    @Test func theRestOfTheFileIsCheckedAfterABadCard() throws {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nN:A;;;;\r\nBDAY:nope\r\nEND:VCARD\r\n"
            + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:B\r\nN:B;;;;\r\nGEO:1;500\r\nEND:VCARD\r\n"
        let d = try validate(text: text)
        #expect(d.map { "\($0.code)@\($0.line!)" } == ["vcf.bad-date@5", "vcf.bad-geo@11"])
    }

    @Test func dateSyntax() {
        for ok in ["19850412", "1985-04-12", "--0412", "--04-12", "1985-04-12T10:00:00Z", "19850412T100000+0200"] {
            #expect(VCardValues.checkDate(ok, version: "3.0") == .valid, "\(ok)")
        }
        for ok in ["19850412", "1985", "--0412", "---12", "--04", "T1030", "19850412T103000Z"] {
            #expect(VCardValues.checkDate(ok, version: "4.0") == .valid, "\(ok)")
        }
        #expect(VCardValues.checkDate("1985-04-12", version: "4.0") == .extendedIn4)
        for bad in ["1985-02-29", "1984-02-30", "12.04.1985", "19851301", "19850412T250000", "April 12"] {
            #expect(VCardValues.checkDate(bad, version: "3.0") != .valid, "\(bad)")
        }
        #expect(VCardValues.checkDate("2000-02-29", version: "3.0") == .valid)
        #expect(VCardValues.isUTCOffset("-05:00") && VCardValues.isUTCOffset("+0530") && !VCardValues.isUTCOffset("+25:00"))
        #expect(VCardValues.checkGeo("geo:37.386013,-122.082932", version: "4.0") == nil)
        #expect(VCardValues.checkGeo("37.386013;-122.082932", version: "3.0") == nil)
        #expect(VCardValues.checkGeo("37.386013;-122.082932", version: "4.0") != nil)
    }
}
