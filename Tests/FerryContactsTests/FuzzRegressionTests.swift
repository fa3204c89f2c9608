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

    /// FuzzVCard: two Apple groups carrying the same e-mail (`item1.EMAIL`, `item2.EMAIL`, each with its
    /// label) swapped places on every vcf → vcf pass (the writer kept one group per value, the last),
    /// and an ungrouped copy of a grouped value was dropped. Each grouped property now stands for one
    /// occurrence of the value, in card order.
    @Test func groupsWithTheSameValueKeepTheirOrderAndCopies() throws {
        let card = Array("""
            BEGIN:VCARD\r
            VERSION:3.0\r
            FN:Amélie Lefèvre\r
            N:Lefèvre;Amélie;;;\r
            item1.EMAIL;type=INTERNET;type=pref:amelie@atelier.example\r
            item1.X-ABLabel:_$!<Other>!$_\r
            item2.EMAIL;type=INTERNET:amelie@atelier.example\r
            item2.X-ABLabel:Studio\r
            EMAIL;type=INTERNET:amelie@atelier.example\r
            item3.TEL:+33 1 44 55 66 77\r
            item3.X-ABLabel:Atelier\r
            item4.TEL:+33 1 44 55 66 77\r
            item4.X-ABLabel:Maison\r
            END:VCARD\r

            """.utf8)
        let first = try Self.read(card)
        let once = try Self.write(first)
        let twice = try Self.write(try Self.read(once))
        #expect(twice == once, "\(String(decoding: once, as: UTF8.self))\n---\n\(String(decoding: twice, as: UTF8.self))")
        let text = String(decoding: once, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        // The groups in their order, each once, and the ungrouped copy still there.
        let order = lines.filter { $0.hasPrefix("item") }.map { String($0.prefix(while: { $0 != "." })) }
        #expect(order == ["item1", "item1", "item2", "item2", "item3", "item3", "item4", "item4"], "\(text)")
        #expect(lines.filter { $0.hasSuffix(":amelie@atelier.example") }.count == 3, "\(text)")
        #expect(lines.filter { $0.hasSuffix(":+33 1 44 55 66 77") }.count == 2, "\(text)")
        let a = try #require(first.first?.payload as? Contact)
        let b = try #require(try Self.read(once).first?.payload as? Contact)
        #expect(a.fields == b.fields)
    }

    /// FuzzVCard: a card whose END:VCARD line ends in a lone CR is copied as read; the writer then put
    /// CRLF after it, which read back as a blank line in front of the next card, and every vcf → vcf
    /// pass added one more.
    @Test func cardEndingInALoneCRIsAFixedPoint() throws {
        let input = Array("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:First\r\nEND:VCARD\rBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Second\r\nEND:VCARD\r".utf8)
        let first = try Self.read(input)
        #expect(first.count == 2)
        let once = try Self.write(first)
        #expect(once == input, "cards read and unchanged are copied: \(String(reflecting: String(decoding: once, as: UTF8.self)))")
        let twice = try Self.write(try Self.read(once))
        let thrice = try Self.write(try Self.read(twice))
        #expect(twice == once)
        #expect(thrice == once)
        let names = try Self.read(thrice).compactMap { ($0.payload as? Contact)?["fullName"] }
        #expect(names == ["First", "Second"])
    }

    /// FuzzVCard: a kept quoted-printable property whose value ends in `=` (a soft break with nothing
    /// after it) was written as is; reading the output joined END:VCARD into the value, and every pass
    /// changed the card.
    @Test func keptQuotedPrintableValueEndingInASoftBreakStaysOneLine() throws {
        // The fuzzer's input, as FuzzVCard reads it: first byte = chunk size and version, then the bytes.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/FuzzVCard/finding-kept-qp-value-ending-in-soft-break")
        let data = try [UInt8](Data(contentsOf: url))
        let reader = VCardReader(source: MemorySource(Array(data.dropFirst()), maxChunk: Int(data[0] % 97) + 1), log: DiagnosticLog())
        var items: [Item] = []
        while let item = try reader.next() { items.append(item) }
        let once = try Self.write(items)
        let twice = try Self.write(try Self.read(once))
        let thrice = try Self.write(try Self.read(twice))
        #expect(twice == once, "\(String(reflecting: String(decoding: once, as: UTF8.self)))")
        #expect(thrice == once)
        let text = String(decoding: once, as: UTF8.self)
        #expect(!text.contains("=\r\nEND:VCARD"), "no kept QP line ends in a soft break: \(text)")
    }
}

extension ContactsFuzzRegressionTests {
    /// FuzzVCard's steps on a finding file: the first byte sets the chunk size and version.
    static func fuzzPasses(_ file: String) throws -> (once: [UInt8], twice: [UInt8], firstCount: Int, secondCount: Int) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/FuzzVCard/" + file)
        let data = try [UInt8](Data(contentsOf: url))
        let version: VCardWriter.Version = data[0] & 0x80 == 0 ? .v3 : .v4
        func read(_ bytes: [UInt8], chunk: Int) throws -> [Item] {
            let reader = VCardReader(source: MemorySource(bytes, maxChunk: chunk), log: DiagnosticLog())
            var items: [Item] = []
            while let item = try reader.next() { items.append(item) }
            return items
        }
        func write(_ items: [Item]) throws -> [UInt8] {
            let sink = MemorySink()
            let writer = VCardWriter(sink: sink, version: version)
            for item in items { _ = try writer.write(item) }
            try writer.finish()
            return sink.bytes
        }
        let first = try read(Array(data.dropFirst()), chunk: Int(data[0] % 97) + 1)
        let once = try write(first)
        let second = try read(once, chunk: 4096)
        let twice = try write(second)
        return (once, twice, first.count, second.count)
    }

    /// FuzzVCard: after a blank line, `    AAAC…PRODID:-sf=` unfolded onto nothing and was kept as a
    /// property named `   AAAC…PRODID`. The card (unterminated, so re-emitted) wrote it right after a
    /// quoted-printable `TI[TLE` line, where it read back as that line's fold; the line then ended in a
    /// soft break `=` that joined END:VCARD. Chunking played no part (the lines are the same at any size).
    @Test func qpSoftBreakBeforeEndInCopiedCard() throws {
        let r = try Self.fuzzPasses("finding-qp-soft-break-before-end-in-copied-card")
        #expect(r.secondCount == r.firstCount)
        #expect(r.twice == r.once, "once: \(String(reflecting: String(decoding: r.once, as: UTF8.self)))\ntwice: \(String(reflecting: String(decoding: r.twice, as: UTF8.self)))")
        let text = String(decoding: r.once, as: UTF8.self)
        #expect(!text.contains("=\r\nEND:VCARD"))
        #expect(!text.contains("\r\n  "), "no written line continues another with spaces: \(String(reflecting: text))")
    }

    /// The same shape, small: a space-led line after a blank line inside a card continues nothing. It is
    /// ignored with a warning, and the card copied as read reads back the same.
    @Test func continuationAfterABlankLineIsNotAProperty() throws {
        let card = Array("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=3Db\r\n\r\n   X-A:v=\r\nEND:VCARD\r\n".utf8)
        let log = DiagnosticLog()
        let reader = VCardReader(source: MemorySource(card), log: log)
        let contact = try #require(try reader.next()?.payload as? Contact)
        #expect(contact.properties.allSatisfy { !$0.name.hasPrefix(" ") }, "\(contact.properties)")
        #expect(contact["notes"] == "a=b")
        #expect(log.diagnostics.map(\.code).contains("vcf.bad-line"))
        let once = try Self.write([Item(contact)])
        #expect(once == card, "unchanged card copied as read")
        let second = try Self.read(once)
        #expect((second.first?.payload as? Contact)?.fields == contact.fields)
        #expect(try Self.write(second) == once)
        // Re-emitted (changed), the ignored line is not written either: the NOTE reads back the same.
        var changed = contact
        changed["nickname"] = "A"
        let emitted = try Self.write([Item(changed)])
        let back = try #require(try Self.read(emitted).first?.payload as? Contact)
        #expect(back["notes"] == "a=b")
        #expect(back.fields.sorted { $0.name < $1.name } == changed.fields.sorted { $0.name < $1.name })
    }

    /// A kept property whose line would start with a space (not from the reader: built by hand) is
    /// written without it, so it does not read back as a fold of the line before.
    @Test func keptLineStartingWithASpaceIsNotAFold() throws {
        var c = Contact()
        c["fullName"] = "Ann"
        c.properties = [ContactProperty(name: "NOTE", parameters: [.init("ENCODING", ["QUOTED-PRINTABLE"])], rawValue: "x="),
                        ContactProperty(name: "  X-B", rawValue: "y")]
        let once = try Self.write([Item(c)])
        let text = String(decoding: once, as: UTF8.self)
        #expect(text.contains("\r\nX-B:y\r\n"), "\(String(reflecting: text))")
        let back = try #require(try Self.read(once).first?.payload as? Contact)
        #expect(back.properties.map(\.name).contains("X-B"))
        #expect(try Self.write(try Self.read(once)) == once)
    }

    /// An input's first card may start with a space-led line (an orphan continuation, kept in its raw
    /// bytes). Copied after another card (several inputs into one output), it would fold into that
    /// card's END:VCARD and the two cards would read back as one: it is re-emitted instead.
    @Test func copiedCardStartingWithASpaceIsNotGluedToTheCardBefore() throws {
        let a = try Self.read(Array("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:First\r\nEND:VCARD\r\n".utf8))
        let bInput = Array(" stray\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Second\r\nEND:VCARD\r\n".utf8)
        let b = try Self.read(bInput)
        #expect(try Self.write(b) == bInput, "alone (first in the output) it is still copied as read")
        let once = try Self.write(a + b)
        let back = try Self.read(once)
        #expect(back.compactMap { ($0.payload as? Contact)?["fullName"] } == ["First", "Second"])
        #expect(try Self.write(back) == once)
    }
}
