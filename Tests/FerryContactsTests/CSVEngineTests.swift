import FerryCore
import Testing
@testable import FerryContacts
import FerryTestSupport

@Suite struct CSVEngineTests {
    func records(_ text: String, mode: CSVMode = .strict, delimiter: UInt8? = nil, maxChunk: Int = .max,
                 log: DiagnosticLog = DiagnosticLog()) throws -> [[String]] {
        try records(Array(text.utf8), mode: mode, delimiter: delimiter, maxChunk: maxChunk, log: log)
    }

    func records(_ bytes: [UInt8], mode: CSVMode = .strict, delimiter: UInt8? = nil, maxChunk: Int = .max,
                 log: DiagnosticLog = DiagnosticLog()) throws -> [[String]] {
        let reader = CSVReader(source: MemorySource(bytes, name: "t.csv", maxChunk: maxChunk), delimiter: delimiter,
                               mode: mode, log: log, chunkSize: maxChunk == .max ? 1 << 16 : maxChunk)
        var out: [[String]] = []
        while let r = try reader.next() { out.append(r.fields) }
        return out
    }

    @Test func rfc4180Basics() throws {
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n1,,3\r\n"
        #expect(try records(text) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\r\nlines"], ["1", "", "3"]])
    }

    @Test func everyChunkBoundary() throws {
        let text = "\u{FEFF}Name,Note\r\n\"Jürgen\",\"a \"\"q\"\"\r\nb\"\rZoë,x\n\n\"\",last"
        let expected: [[String]] = [["Name", "Note"], ["Jürgen", "a \"q\"\r\nb"], ["Zoë", "x"], ["", "last"]]
        for chunk in [1, 2, 3, 5, 7, 64] {
            #expect(try records(text, maxChunk: chunk) == expected, "chunk \(chunk)")
        }
    }

    @Test func lineEndingsAndBlankLines() throws {
        #expect(try records("a\rb\r\nc\n\r\nd") == [["a"], ["b"], ["c"], ["d"]])
        // A record ending in a delimiter has an empty last field.
        #expect(try records("a,b,\r\n1,2,\r\n") == [["a", "b", ""], ["1", "2", ""]])
        // Spaces are data.
        #expect(try records("  x  , y ") == [["  x  ", " y "]])
    }

    @Test func delimiterFromHeader() throws {
        let r1 = CSVReader(source: MemorySource("Nom;Prénom;\"a,b\"\r\n1;2;3"), log: DiagnosticLog())
        #expect(try r1.next()?.fields == ["Nom", "Prénom", "a,b"])
        #expect(r1.delimiter == UInt8(ascii: ";"))
        let r2 = CSVReader(source: MemorySource("First\tLast\tE-mail, work\n"), log: DiagnosticLog())
        #expect(try r2.next()?.fields == ["First", "Last", "E-mail, work"])
        #expect(r2.delimiter == 0x09)
    }

    @Test func strictErrorsHaveLineAndColumnAndTheRestStillReads() throws {
        let log = DiagnosticLog()
        let text = "h1,h2\r\nok,1\r\n\"open,2\r\nnext,3\r\nab\"c,4\r\n\"é\"x,5\r\nlast,6\r\n"
        let rows = try records(text, log: log)
        #expect(rows == [["h1", "h2"], ["ok", "1"], ["next", "3"], ["last", "6"]])
        let errors = log.diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.code) == ["csv.text-after-quote", "csv.stray-quote", "csv.text-after-quote"])
        // The unterminated quote of line 3 shows up after the quote on line 5 (column 4), and names line 3.
        #expect(errors[0].line == 5 && errors[0].column == 4)
        #expect(errors[0].message.contains("opened on line 3, column 1"))
        #expect(errors[1].line == 5 && errors[1].column == 3)
        #expect(errors[2].line == 6 && errors[2].column == 4)  // columns count characters, not bytes
    }

    @Test func unterminatedQuoteAtEndOfInput() throws {
        let log = DiagnosticLog()
        let rows = try records("a,b\r\n1,\"never closed\r\n2,3\r\n", log: log)
        #expect(rows == [["a", "b"], ["2", "3"]])
        #expect(log.diagnostics.first?.code == "csv.unterminated-quote")
        #expect(log.diagnostics.first?.line == 2 && log.diagnostics.first?.column == 3)
    }

    @Test func lenientKeepsStrayQuotes() throws {
        let log = DiagnosticLog()
        let rows = try records("a,b\r\n5\" disk,\"x\"y\r\n1,\"open\r\n", mode: .lenient, log: log)
        #expect(rows == [["a", "b"], ["5\" disk", "xy"], ["1", "open\r\n"]])
        #expect(log.diagnostics.map(\.code) == ["csv.unterminated-quote"])
        #expect(log.diagnostics[0].severity == .warning)
    }

    @Test func writerQuotesLikeTheProducer() {
        var out: [UInt8] = []
        CSVWriter(style: CSVStyle(quoting: .always)).append(["a", "", "say \"hi\""], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"a\",\"\",\"say \"\"hi\"\"\"\r\n")
        out = []
        CSVWriter(style: CSVStyle(quoting: .minimal, lineEnding: [0x0A])).append(["a", "", "x,y", "l1\nl2", " pad"], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "a,,\"x,y\",\"l1\nl2\",\" pad\"\n")
        out = []
        CSVWriter(style: CSVStyle(delimiter: UInt8(ascii: ";"), quoting: .minimal)).append(["a,b", "c;d"], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "a,b;\"c;d\"\r\n")
    }

    /// Property: any table written by the writer (either quoting) reads back identically, at any chunking.
    @Test func writeThenReadRoundTrip() throws {
        var rng = SplitMix(seed: 0xC5F)
        let alphabet: [String] = ["a", "Z", " ", ",", ";", "\"", "\r", "\n", "\r\n", "ü", "日", "\t", "x"]
        for trial in 0..<200 {
            let width = 1 + rng.next(6)
            var table: [[String]] = []
            for _ in 0..<(1 + rng.next(6)) {
                table.append((0..<width).map { _ in
                    (0..<rng.next(6)).map { _ in alphabet[rng.next(alphabet.count)] }.joined()
                })
            }
            // A header row of plain names, so delimiter detection is not at stake.
            table.insert((0..<width).map { "h\($0)" }, at: 0)
            let quoting: CSVQuoting = trial % 2 == 0 ? .always : .minimal
            var bytes: [UInt8] = []
            let writer = CSVWriter(style: CSVStyle(quoting: quoting))
            for row in table { writer.append(row, to: &bytes) }
            // Rows made only of one empty field are blank lines for CSV; RFC 4180 cannot tell them apart.
            let expected = table.filter { !($0.count == 1 && $0[0].isEmpty && quoting == .minimal) }
            let got = try records(bytes, delimiter: 0x2C, maxChunk: 1 + rng.next(40))
            #expect(got == expected, "trial \(trial)")
        }
    }
}

typealias SplitMix = SplitMix64
