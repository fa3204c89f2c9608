import FerryContacts
import FerryCore
import Foundation
import Testing

/// Inputs the fuzzers (Fuzz/) found; each once broke the property named.
@Suite struct ContactsFuzzRegressionTests {
    static func read(_ bytes: [UInt8]) throws -> [Item] {
        let reader = VCardReader(source: MemorySource(bytes), log: DiagnosticLog())
        var out: [Item] = []
        while let item = try reader.next() { out.append(item) }
        return out
    }

    static func write(_ items: [Item]) throws -> [UInt8] {
        let sink = MemorySink()
        let writer = VCardWriter(sink: sink)
        for item in items { _ = try writer.write(item) }
        try writer.finish()
        return sink.bytes
    }

    /// FuzzVCard: a vCard 2.1 quoted-printable property kept raw (a second ADR) was folded right after
    /// an `=`; reading the 3.0 output took that for a soft break and `D=FCsseldorf` became `D FCsseldorf`.
    @Test func keptQuotedPrintablePropertiesSurviveRepeatedConversion() throws {
        let card = Array("""
            BEGIN:VCARD\r
            VERSION:2.1\r
            N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen;;Herr\r
            ADR;WORK;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:;;K=F6nigsallee 12;D=FCsseldorf;;40212;Deutschland\r
            ADR;WORK;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:;;K=F6nigsallee 12;D=FCsseldorf;;40212;Deutschland\r
            LABEL;WORK;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:K=F6nigsallee 12=0D=0A40212 D=FCsseldorf\r
            END:VCARD\r

            """.utf8)
        let once = try Self.write(try Self.read(card))
        let twice = try Self.write(try Self.read(once))
        let thrice = try Self.write(try Self.read(twice))
        #expect(twice == once)
        #expect(thrice == once)
        let text = String(decoding: once, as: UTF8.self)
        #expect(!text.contains("D FCsseldorf"))
        for line in text.split(separator: "\r\n") { #expect(!line.hasSuffix("=")) }
    }

    /// Hostile suite: an unquoted field with no line break for gigabytes was held whole in memory. Past
    /// `maxRecordBytes` the record is now refused with csv.record-too-long and reading resumes after it.
    @Test(arguments: [CSVMode.strict, .lenient])
    func endlessUnquotedRecordIsRefusedAndReadingGoesOn(mode: CSVMode) throws {
        let bytes = Array("name,email\r\nAnn,ann@example.org\r\nHuge,".utf8) + [UInt8](repeating: 0x61, count: 3 << 20)
            + Array("\r\nBob,bob@example.org\r\n".utf8)
        let log = DiagnosticLog()
        let reader = CSVReader(source: MemorySource(bytes, maxChunk: 65536), mode: mode, log: log, chunkSize: 65536)
        reader.maxRecordBytes = 1 << 20
        var records: [[String]] = []
        while let record = try reader.next() { records.append(record.fields) }
        #expect(records == [["name", "email"], ["Ann", "ann@example.org"], ["Bob", "bob@example.org"]])
        #expect(log.diagnostics.map(\.code) == ["csv.record-too-long"])
        #expect(reader.skipped == 1)
    }

    /// FuzzVCard: a second grouped ADR of the same type (its attribute slot taken) was kept raw twice,
    /// so each vcf → vcf pass doubled it (3, 5, 9 copies …).
    @Test func groupedPropertyWhoseSlotIsTakenIsKeptOnce() throws {
        let card = Array("""
            BEGIN:VCARD\r
            VERSION:3.0\r
            FN:Amélie Lefèvre\r
            item2.ADR;type=HOME:;;12 rue de la Paix;Paris;;75002;France\r
            item2.X-ABADR:fr\r
            item2.ADR;type=HOME:;;3 quai Voltaire;Paris;;75007;France\r
            item1.EMAIL;type=INTERNET:a@example.org\r
            item1.EMAIL;type=INTERNET:b@example.org\r
            END:VCARD\r

            """.utf8)
        let once = try Self.write(try Self.read(card))
        let twice = try Self.write(try Self.read(once))
        #expect(twice == once)
        let text = String(decoding: once, as: UTF8.self)
        #expect(text.components(separatedBy: "quai Voltaire").count - 1 == 1, "\(text)")
        #expect(text.components(separatedBy: "b@example.org").count - 1 == 1, "\(text)")
    }
}
