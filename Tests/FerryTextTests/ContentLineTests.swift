import FerryCore
import Testing
@testable import FerryText

@Suite struct ContentLineParsingTests {
    func parse(_ s: String) throws -> ContentLine {
        try ContentLineParser.parse(Array(s.utf8)[...])
    }

    @Test func nameParametersValue() throws {
        let line = try parse(#"DTSTART;TZID="America/New_York";VALUE=DATE-TIME:20240310T013000"#)
        #expect(line.name == "DTSTART")
        #expect(line.parameter("tzid")?.value == "America/New_York")
        #expect(line.parameter("VALUE")?.value == "DATE-TIME")
        #expect(line.value == "20240310T013000")
        #expect(line.group == nil)
    }

    @Test func groupsAndMultiValuedParameters() throws {
        let line = try parse("item1.EMAIL;type=INTERNET;type=pref,work:john@example.com")
        #expect(line.group == "item1")
        #expect(line.key == "EMAIL")
        #expect(line.parameterValues("TYPE") == ["INTERNET", "pref", "work"])
        #expect(line.hasParameter("type", value: "WORK"))
    }

    @Test func quotedParameterValuesMayHoldDelimiters() throws {
        let line = try parse(#"ATTENDEE;CN="Doe, John; Jr.";DELEGATED-TO="mailto:a@x.org","mailto:b@x.org":mailto:j@x.org"#)
        #expect(line.parameter("CN")?.value == "Doe, John; Jr.")
        #expect(line.parameterValues("DELEGATED-TO") == ["mailto:a@x.org", "mailto:b@x.org"])
        #expect(line.value == "mailto:j@x.org")
    }

    @Test func valueKeepsColonsAndSemicolons() throws {
        let line = try parse("ADR;TYPE=home:;;123 Main St.;Springfield;IL;62701;USA")
        #expect(line.value == ";;123 Main St.;Springfield;IL;62701;USA")
        #expect(try parse("URL:http://example.com:8080/a;b").value == "http://example.com:8080/a;b")
        #expect(try parse("NOTE:").value == "")
    }

    @Test func vCard21BareParameters() throws {
        let line = try parse("TEL;HOME;VOICE:+49 30 123")
        #expect(line.parameters == [Parameter("HOME", [], hasValue: false), Parameter("VOICE", [], hasValue: false)])
    }

    @Test func rfc6868CaretEscapes() throws {
        let line = try parse(#"GEO;X-ADDRESS="Pittsburgh Pirates^n115 Federal St^nPittsburgh, PA 15212":geo:40.446,-80.01"#)
        #expect(line.parameter("X-ADDRESS")?.value == "Pittsburgh Pirates\n115 Federal St\nPittsburgh, PA 15212")
        #expect(try parse(#"X-A;P=a^'b^^c^x:v"#).parameter("P")?.value == "a\"b^c^x")
    }

    @Test func malformedLinesNameTheirColumn() throws {
        #expect(throws: ContentLineParser.Failure(column: 12, message: "no ':' after the property name 'SUMMARYTEXT'")) {
            try parse("SUMMARYTEXT")
        }
        #expect(throws: ContentLineParser.Failure(column: 8, message: "unterminated quoted value of parameter 'CN'")) {
            try parse(#"ORG;CN="Acme:Corp"#)
        }
        #expect(throws: ContentLineParser.Failure.self) { try parse(":value") }
    }
}

@Suite struct FoldingTests {
    @Test func foldsAt75OctetsWithCRLF() {
        let value = String(repeating: "a", count: 200)
        let line = ContentLine(name: "DESCRIPTION", value: value)
        let bytes = ContentLineWriter.bytes(line)
        let physical = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n").dropLast()
        #expect(physical.allSatisfy { $0.utf8.count <= 75 })
        #expect(physical.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(physical.first?.utf8.count == 75)
        #expect(bytes.suffix(2) == [0x0D, 0x0A])
    }

    @Test func neverSplitsAUTF8Sequence() throws {
        // 3-byte characters positioned so a naive cut at 75 would fall inside one.
        for prefix in 0..<4 {
            let value = String(repeating: "x", count: prefix) + String(repeating: "日本語", count: 40)
            let bytes = ContentLineWriter.bytes(ContentLine(name: "SUMMARY", value: value))
            for physical in String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n") {
                #expect(physical.utf8.count <= 75)
                #expect(!physical.contains("\u{FFFD}"))
            }
            // And unfolding restores the value exactly.
            let reader = ContentLineReader(source: MemorySource(bytes))
            #expect(try reader.next()?.line.value == value)
        }
    }

    @Test func quotesParametersThatNeedIt() {
        let line = ContentLine(name: "ATTENDEE", parameters: [Parameter("CN", "Doe, John"), Parameter("ROLE", "CHAIR")],
                               value: "mailto:j@x.org")
        #expect(String(decoding: ContentLineWriter.unfolded(line), as: UTF8.self)
                == #"ATTENDEE;CN="Doe, John";ROLE=CHAIR:mailto:j@x.org"#)
    }
}

@Suite struct ContentLineReaderTests {
    func read(_ text: String, maxChunk: Int = .max) throws -> ([ContentLineReader.Entry], ContentLineReader) {
        let reader = ContentLineReader(source: MemorySource(text, maxChunk: maxChunk), log: DiagnosticLog())
        var entries: [ContentLineReader.Entry] = []
        while let e = try reader.next() { entries.append(e) }
        return (entries, reader)
    }

    @Test func unfoldsCRLFAndLFAndTabs() throws {
        let text = "BEGIN:VCALENDAR\r\nDESCRIPTION:This is a lo\r\n ng description\r\n\tthat exists\r\nEND:VCALENDAR\n"
        for chunk in [1, 3, .max] {
            let (entries, _) = try read(text, maxChunk: chunk)
            #expect(entries.map(\.line.name) == ["BEGIN", "DESCRIPTION", "END"])
            #expect(entries[1].line.value == "This is a long descriptionthat exists")
            #expect(entries.map(\.line.line) == [1, 2, 5])
        }
    }

    @Test func rawBytesRebuildTheInputExactly() throws {
        let text = "BEGIN:VCARD\r\nVERSION:2.1\r\n\r\nN:M\u{FC}ller;J\u{FC}rgen\r\nNOTE;ENCODING=QUOTED-PRINTABLE:Zeile 1=0D=0A=\r\nZeile 2\r\n\r\nEND:VCARD\r\n\r\n"
        let (entries, reader) = try read(text)
        let rebuilt = entries.flatMap { $0.leadingRaw + $0.line.raw! } + reader.trailingRaw
        #expect(rebuilt == Array(text.utf8))
    }

    @Test func vCard21QuotedPrintableSoftBreaks() throws {
        let text = "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Erste Zeile=0D=0A=\r\nzweite Zeile=\r\n mit Stra=C3=9Fe\r\nTEL;HOME:1\r\n"
        let (entries, _) = try read(text)
        #expect(entries.count == 2)
        let decoded = QuotedPrintable.decode(entries[0].line.valueBytes)
        #expect(String(decoding: decoded, as: UTF8.self) == "Erste Zeile\r\nzweite Zeile mit Straße")
    }

    @Test func vCard21Base64BodyEndedByABlankLine() throws {
        let text = "PHOTO;ENCODING=BASE64;TYPE=GIF:\r\nR0lGODlhAQABAIAAAP\r\n///wAAACwAAAAAAQABAAACAkQBADs=\r\n\r\nEND:VCARD\r\n"
        let (entries, _) = try read(text)
        #expect(entries.map(\.line.name) == ["PHOTO", "END"])
        let gif = Base64.decode(entries[0].line.valueBytes).bytes
        #expect(Array(gif.prefix(6)) == Array("GIF89a".utf8))
        #expect(gif.count == 35)
    }

    @Test func badLinesAreReportedAndSkipped() throws {
        let log = DiagnosticLog()
        let reader = ContentLineReader(source: MemorySource("BEGIN:VEVENT\r\nthis is garbage\r\nEND:VEVENT\r\n", name: "x.ics"), log: log)
        var names: [String] = []
        while let e = try reader.next() { names.append(e.line.name) }
        #expect(names == ["BEGIN", "END"])
        #expect(log.diagnostics.first?.description == "x.ics:2:16: error: no ':' after the property name 'this is garbage' [text.bad-line]")
    }
}

@Suite struct TextValueTests {
    @Test func escapeRoundTrip() {
        let samples = ["a,b;c\\d\ne", "plain", "", "\\n literal", "trailing\\", "日本語, テスト"]
        for s in samples {
            #expect(TextValue.unescape(TextValue.escape(s)) == s)
        }
        #expect(TextValue.escape("a,b;c\\d\r\ne") == "a\\,b\\;c\\\\d\\ne")
        #expect(TextValue.unescape("Line\\NTwo\\x") == "Line\nTwo\\x")
    }

    @Test func splitKeepsEscapedSeparators() {
        #expect(TextValue.splitUnescaped("Doe;John\\;Jr;;", separator: ";") == ["Doe", "John\\;Jr", "", ""])
        #expect(TextValue.splitUnescaped("a\\,b,c", separator: ",") == ["a\\,b", "c"])
    }
}

@Suite struct EncodingTests {
    @Test func quotedPrintable() {
        #expect(QuotedPrintable.decode(Array("Gr=C3=BC=c3=9Fe=\r\n!=ZZ=".utf8)) == Array("Grüße!=ZZ".utf8))
        let sample = Array("Zeile 1 mit Umlauten äöü und einem sehr langen Text, der umbrochen werden muss =\r\nZeile 2 \r\n".utf8)
        let encoded = QuotedPrintable.encode(sample)
        #expect(String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        #expect(QuotedPrintable.decode(encoded) == sample)
    }

    @Test func base64IsTolerant() {
        #expect(Base64.decode(Array("SGVs bG8=".utf8)).bytes == Array("Hello".utf8))
        #expect(Base64.decode(Array("SGVsbG8".utf8)).bytes == Array("Hello".utf8))       // no padding
        #expect(Base64.decode(Array("SGV*sbG8".utf8)).skipped == 1)
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base64.decode(Base64.encode(bytes, lineLength: 76)).bytes == bytes)
        }
        #expect(Base64.encode(Array("Hello".utf8)) == Array("SGVsbG8=".utf8))
    }
}
