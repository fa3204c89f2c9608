import FerryCore
import FerryText
import Testing
@testable import FerryContacts

/// CSV → vCard → CSV keeps every cell of every dialect's fixture: attributes with no vCard property
/// travel as `X-ZIMBRA-…` / `X-FERRY-FIELD` properties and come back under the same names.
@Suite struct NoDataDroppedTests {
    static let csvFixtures = ["outlook-de.csv", "outlook-en.csv", "outlook-fr.csv", "outlook-ja.csv",
                              "thunderbird-en.csv", "thunderbird-fr.csv", "yahoo.csv", "zimbra.csv",
                              "google.csv", "google-legacy-utf16.csv"]

    func toVCard(_ contacts: [Contact], version: String) throws -> [UInt8] {
        var options = WriteOptions()
        options.formatOptions["vcard-version"] = version
        let sink = MemorySink()
        let writer = try VCardFormat().makeWriter(.stream(sink), options: options, log: DiagnosticLog())
        for c in contacts { _ = try writer.write(Item(c)) }
        try writer.finish()
        return sink.bytes
    }

    func fromVCard(_ bytes: [UInt8], log: DiagnosticLog = DiagnosticLog()) throws -> [Contact] {
        let reader = VCardReader(source: MemorySource(bytes, name: "rt.vcf", maxChunk: 997), log: log)
        var out: [Contact] = []
        while let item = try reader.next() { out.append(item.payload as! Contact) }
        return out
    }

    func toCSV(_ contacts: [Contact], dialect: CSVDialect) throws -> [UInt8] {
        var options = WriteOptions()
        options.csvFormat = dialect.name
        options.locale = dialect.locale
        options.charset = try Charset("UTF-8")
        let sink = MemorySink()
        let writer = try ContactCSVWriter(sink: sink, options: options, log: DiagnosticLog())
        for c in contacts { _ = try writer.write(Item(c)) }
        try writer.finish()
        return sink.bytes
    }

    /// Rows of (header, value) cells, non-empty values only, from bytes in `charset`.
    func cells(_ bytes: [UInt8], charset: String) throws -> [[String]] {
        var text = try CharsetDecoder(Charset(charset)).decode(bytes)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let csv = CSVReader(source: MemorySource(Array(text.utf8), name: "cells.csv"), mode: .lenient, log: DiagnosticLog())
        guard let header = try csv.next()?.fields else { return [] }
        var rows: [[String]] = []
        while let r = try csv.next() {
            if r.isBlank { continue }
            rows.append(r.fields.enumerated().compactMap { i, v in
                v.isEmpty ? nil : (i < header.count ? header[i] : "#\(i)") + " = " + v
            }.sorted())
        }
        return rows
    }

    /// Cells of `a` missing from `b` (as multisets).
    func missing(_ a: [String], from b: [String]) -> [String] {
        var pool = b
        return a.filter { cell in
            if let i = pool.firstIndex(of: cell) { pool.remove(at: i); return false }
            return true
        }
    }

    @Test(arguments: csvFixtures, ["3.0", "4.0"])
    func csvToVCardToCSVKeepsEveryCell(fixture: String, version: String) throws {
        let (reader, contacts) = try Fixture.readCSV(fixture)
        #expect(!contacts.isEmpty)
        let dialect = reader.dialect
        let original = try cells(try FileSource(path: Fixture.path(fixture)).readAll(), charset: reader.sniff.charset.charset)
        // The direct CSV → CSV conversion is the baseline (it normalises dates, splits Google's
        // ` ::: ` lists into numbered groups); going through vCard must not lose anything more.
        let direct = try cells(try toCSV(contacts, dialect: dialect), charset: "UTF-8")
        let vcf = try toVCard(contacts, version: version)
        let log = DiagnosticLog()
        let back = try fromVCard(vcf, log: log)
        #expect(back.count == contacts.count)
        #expect(log.count(.error) == 0)
        let viaVCard = try cells(try toCSV(back, dialect: dialect), charset: "UTF-8")
        #expect(direct.count == original.count && viaVCard.count == original.count)
        // vCard TEXT has one kind of line break: a CRLF inside a cell comes back as LF.
        func lf(_ rows: [[String]]) -> [[String]] { rows.map { $0.map { $0.replacingOccurrences(of: "\r\n", with: "\n") } } }
        for (i, (d, v)) in zip(lf(direct), lf(viaVCard)).enumerated() {
            let lost = missing(d, from: v)
            #expect(lost.isEmpty, "\(fixture) row \(i + 1) via vCard \(version) lost \(lost)")
        }
        // Every original cell is there with the same value (Google's ` ::: ` lists become numbered
        // groups, so its cells are checked through the baseline above). Normalisations the CSV side
        // makes on purpose: dates as yyyy-MM-dd (Outlook's `0/0/00` means none), line breaks in a value as LF.
        guard dialect.groups.isEmpty else { return }
        func normal(_ rows: [[String]]) -> [[String]] {
            rows.map { row in
                row.compactMap { cell -> String? in
                    let parts = cell.components(separatedBy: " = ")
                    let header = parts[0]
                    var value = parts.dropFirst().joined(separator: " = ").replacingOccurrences(of: "\r\n", with: "\n")
                    if dialect.columns.contains(where: { $0.kind == .date && $0.headers.contains(header) }) {
                        value = DateParsing.normalize(value, order: dialect.dateOrder)
                    }
                    return value.isEmpty ? nil : header + " = " + value
                }
            }
        }
        for (i, (o, v)) in zip(normal(original), normal(viaVCard)).enumerated() {
            let lost = missing(o, from: v)
            #expect(lost.isEmpty, "\(fixture) row \(i + 1) lost original cells \(lost)")
        }
    }

    /// Attributes that no standard property holds, by construction: Zimbra's own and custom ones.
    @Test func unmappedAttributesTravelAsXProperties() throws {
        let c = Contact([("firstName", "Ann"), ("companyPhone", "+1 555 0100"), ("fileAs", "8:Ann;Co"),
                         ("homeURL2", "https://b.example/x,y"), ("assistantPhone", "  padded  "),
                         ("Shoe Size", "42"), ("Odd: name; here, too \"q\"", "multi\nline; value, \\ ok"),
                         ("customerNumber", "Z-1")])
        let vcf = try toVCard([c], version: "3.0")
        let text = String(decoding: vcf, as: UTF8.self).replacingOccurrences(of: "\r\n ", with: "")
        #expect(text.contains("\r\nX-ZIMBRA-COMPANYPHONE:+1 555 0100\r\n"))
        #expect(text.contains("\r\nX-ZIMBRA-FILEAS:8:Ann\\;Co\r\n"))
        #expect(text.contains("\r\nX-ZIMBRA-HOMEURL2:https://b.example/x\\,y\r\n"))
        #expect(text.contains("\r\nX-FERRY-FIELD;X-NAME=Shoe Size:42\r\n"))
        #expect(text.contains("\r\nX-FERRY-FIELD;X-NAME=\"Odd: name; here, too ^'q^'\":multi\\nline\\; value\\, \\\\ ok\r\n"))
        let back = try #require(try fromVCard(vcf).first)
        for f in c.fields { #expect(back[f.name] == f.value, "\(f.name)") }
        #expect(back.properties.isEmpty)
        // And through 4.0.
        let back4 = try #require(try fromVCard(try toVCard([c], version: "4.0")).first)
        for f in c.fields { #expect(back4[f.name] == f.value, "\(f.name)") }
    }

    @Test func multiLineStreetsAndTextBirthdaysSurvive() throws {
        let c = Contact([("lastName", "Ng"), ("workStreet", "1 Main St\nSuite 200\nFloor 3"), ("birthday", "Tuesday")])
        let back = try #require(try fromVCard(try toVCard([c], version: "3.0")).first)
        #expect(back["workStreet"] == "1 Main St\nSuite 200\nFloor 3")
        #expect(back["birthday"] == "Tuesday")
    }
}

@Suite struct NameTableTests {
    @Test func looksUpWithoutCaseAndByPrefix() {
        let names = DialectCatalog.standard.wellKnownFields
        let t = NameTable(names)
        for (i, n) in names.enumerated() {
            #expect(t.index(of: n) == i)
            #expect(t.index(of: n.uppercased()) == i)
            #expect(t.index(of: n + "17", count: n.utf8.count) == i)
            #expect(t.index(of: n + "x") == nil)
        }
        #expect(t.index(of: "") == nil && t.index(of: "Shoe Size") == nil && t.index(of: "Jürgen") == nil)
        // The first spelling of names equal without case wins.
        let dup = NameTable(["homeURL", "homeurl", "x"])
        #expect(dup.index(of: "HOMEURL") == 0 && dup.index(of: "x") == 2)
    }
}
