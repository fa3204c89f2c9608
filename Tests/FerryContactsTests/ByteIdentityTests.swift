import FerryCore
import Foundation
import Testing
@testable import FerryContacts

/// vcf → vcf copies unchanged cards byte for byte (like the calendar module's components).
@Suite struct ByteIdentityTests {
    static let vcfFixtures: [String] = (try? FileManager.default.contentsOfDirectory(atPath: Fixture.root.path))?
        .filter { $0.hasSuffix(".vcf") }.sorted() ?? []

    func convert(_ bytes: [UInt8], version: String? = nil, change: (inout Contact) -> Void = { _ in }) throws -> [UInt8] {
        let reader = try VCardFormat().makeReader(.stream(MemorySource(bytes, name: "in.vcf", maxChunk: 61)),
                                                  options: ReadOptions(), log: DiagnosticLog())
        var options = WriteOptions()
        if let version { options.formatOptions["vcard-version"] = version }
        let sink = MemorySink()
        let writer = try VCardFormat().makeWriter(.stream(sink), options: options, log: DiagnosticLog())
        while let item = try reader.next() {
            var contact = item.payload as! Contact
            change(&contact)
            _ = try writer.write(Item(contact, metadata: item.metadata, origin: item.origin))
        }
        try writer.finish()
        return sink.bytes
    }

    @Test func fixturesAreThere() {
        #expect(Self.vcfFixtures.count >= 3)
    }

    @Test(arguments: vcfFixtures)
    func unchangedCardsAreCopied(fixture: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Fixture.root.appendingPathComponent(fixture)))
        #expect(try convert(bytes) == bytes)
    }

    @Test func sameVersionNamedIsCopiedOtherVersionRewritten() throws {
        let v3 = [UInt8](try Data(contentsOf: Fixture.root.appendingPathComponent("apple-3.0.vcf")))
        #expect(try convert(v3, version: "3.0") == v3)
        let as4 = String(decoding: try convert(v3, version: "4.0"), as: UTF8.self)
        #expect(as4.hasPrefix("BEGIN:VCARD\r\nVERSION:4.0\r\n"))
        let v21 = [UInt8](try Data(contentsOf: Fixture.root.appendingPathComponent("outlook-2.1.vcf")))
        #expect(try convert(v21, version: "3.0") != v21)
    }

    @Test func aChangedCardIsRewrittenInItsVersion() throws {
        let v4 = [UInt8](try Data(contentsOf: Fixture.root.appendingPathComponent("nextcloud-4.0.vcf")))
        let out = String(decoding: try convert(v4) { $0["jobTitle"] = "Changed" }, as: UTF8.self)
        #expect(out != String(decoding: v4, as: UTF8.self))
        #expect(out.contains("\r\nTITLE:Changed\r\n"))
        #expect(out.components(separatedBy: "BEGIN:VCARD\r\nVERSION:4.0\r\n").count == 3)
        // Tags, photo and raw properties count as changes too.
        let tagged = String(decoding: try convert(v4) { $0.tags.append("New") }, as: UTF8.self)
        #expect(tagged.contains("New"))
        let v21 = [UInt8](try Data(contentsOf: Fixture.root.appendingPathComponent("outlook-2.1.vcf")))
        let changed = String(decoding: try convert(v21) { $0["nickname"] = "Jü" }, as: UTF8.self)
        #expect(changed.hasPrefix("BEGIN:VCARD\r\nVERSION:3.0\r\n") && changed.contains("\r\nNICKNAME:Jü\r\n"))
    }

    @Test func cardsFromSeveralFilesDoNotRunTogether() throws {
        // The first file ends without a line break after END:VCARD.
        let a = Array("BEGIN:VCARD\nVERSION:3.0\nFN:A\nN:A;;;;\nEND:VCARD".utf8)
        let b = Array("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:B\r\nN:B;;;;\r\nEND:VCARD\r\n".utf8)
        let out = String(decoding: try convert(a + Array("\n".utf8) + b), as: UTF8.self)
        #expect(out == String(decoding: a + Array("\n".utf8) + b, as: UTF8.self))
        let sink = MemorySink()
        let writer = try VCardFormat().makeWriter(.stream(sink), options: WriteOptions(), log: DiagnosticLog())
        for bytes in [a, b] {
            let reader = VCardReader(source: MemorySource(bytes, name: "x.vcf"), log: DiagnosticLog())
            while let item = try reader.next() { _ = try writer.write(item) }
        }
        try writer.finish()
        #expect(String(decoding: sink.bytes, as: UTF8.self).contains("END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:B"))
    }

    @Test func anUnterminatedCardIsRewrittenWithItsEnd() throws {
        let bytes = Array("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut\r\nN:Cut;;;;\r\n".utf8)
        let out = String(decoding: try convert(bytes), as: UTF8.self)
        #expect(out.hasSuffix("END:VCARD\r\n") && out.contains("FN:Cut"))
    }
}
