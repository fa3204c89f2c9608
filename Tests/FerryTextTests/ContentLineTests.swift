import FerryCore
import FerryText
import Testing
import FerryTestSupport

private func readAll(_ text: String, maxChunk: Int = .max, qp: Bool = false) throws -> [UnfoldedLine] {
    try readAll(Array(text.utf8), maxChunk: maxChunk, qp: qp)
}

private func readAll(_ bytes: [UInt8], maxChunk: Int = .max, qp: Bool = false) throws -> [UnfoldedLine] {
    let reader = ContentLineReader(source: MemorySource(bytes, maxChunk: maxChunk),
                                   options: .init(quotedPrintableSoftBreaks: qp), chunkSize: 16)
    var lines: [UnfoldedLine] = []
    try reader.forEach { lines.append($0) }
    return lines
}

@Suite struct UnfoldingTests {
    @Test func unfoldsSpaceAndTabContinuationsWithAnyLineEnd() throws {
        // RFC 5545 §3.1 example, with CRLF, then LF, then lone CR line ends.
        for end in ["\r\n", "\n", "\r"] {
            let text = "DESCRIPTION:This is a lo\(end) ng description\(end)\t that exists on a long line.\(end)UID:1\(end)"
            for chunk in [1, 3, 1000] {
                let lines = try readAll(text, maxChunk: chunk)
                #expect(lines.count == 2)
                #expect(lines[0].string == "DESCRIPTION:This is a long description that exists on a long line.")
                #expect(lines[0].line == 1)
                #expect(lines[0].folds.count == 2)
                #expect(lines[1].string == "UID:1")
                #expect(lines[1].line == 4, "the second logical line starts on physical line 4")
            }
        }
    }

    @Test func rawBytesRebuildTheInputExactly() throws {
        let input = "\u{FEFF}BEGIN:VCALENDAR\r\nX-A:one\n two\r\n\tthree\rX-B;P=\"a;b\":v\nEND:VCALENDAR"
        let bytes = Array(input.utf8)
        for chunk in [1, 2, 7, 1 << 20] {
            var out: [UInt8] = []
            var count = 0
            for line in try readAll(bytes, maxChunk: chunk) {
                line.appendRaw(to: &out)
                count += line.rawCount
            }
            #expect(out == bytes)
            #expect(count == bytes.count)
        }
        let lines = try readAll(bytes)
        #expect(lines[0].hasByteOrderMark)
        #expect(lines[0].string == "BEGIN:VCALENDAR")
        #expect(lines[1].string == "X-A:onetwothree")
        #expect(lines[3].terminator == .none)
    }

    @Test func multiByteUTF8SplitAcrossAFoldIsJoined() throws {
        // "Müller" folded between the two bytes of ü (0xC3 0xBC): a bad writer, but unfolding must heal it.
        let bytes: [UInt8] = Array("FN:M".utf8) + [0xC3, 0x0D, 0x0A, 0x20, 0xBC] + Array("ller\r\n".utf8)
        let lines = try readAll(bytes, maxChunk: 3)
        #expect(lines.count == 1)
        #expect(lines[0].string == "FN:Müller")
    }

    @Test func locationsPointIntoPhysicalLines() throws {
        let lines = try readAll("X:\r\nSUMMARY:abc\r\n defg\r\n hij\r\n")
        let l = lines[1]
        #expect(l.line == 2)
        // 'a' is at index 8 → line 2 column 9; 'd' (index 11) is line 3 column 2 (after the fold space).
        #expect(l.location(ofByte: 8) == (2, 9))
        #expect(l.location(ofByte: 11) == (3, 2))
        #expect(l.location(ofByte: 15) == (4, 2))
    }

    @Test func orphanContinuationAtStartIsFlagged() throws {
        let lines = try readAll(" BEGIN:VCARD\r\nEND:VCARD\r\n")
        #expect(lines[0].isOrphanContinuation)
        #expect(throws: ContentLineError.self) { try ContentLine(parsing: lines[0]) }
    }

    @Test func quotedPrintableSoftBreaksJoinOnlyForQPProperties() throws {
        let text = "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Erste Zeile=0D=0A=\r\nzweite Zeile M=C3=\r\n=BCller\r\n"
            + "PHOTO;ENCODING=BASE64:AAAA=\r\nTEL:1\r\n"
        let lines = try readAll(text, maxChunk: 5, qp: true)
        #expect(lines.count == 3)
        let note = try ContentLine(parsing: lines[0])
        let decoded = QuotedPrintable.decode(note.value)
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == "Erste Zeile\r\nzweite Zeile Müller")
        #expect(decoded.firstError == nil)
        #expect(lines[1].string == "PHOTO;ENCODING=BASE64:AAAA=", "base64 padding is not a soft break")
        // Round trip of the raw bytes, soft breaks included.
        var out: [UInt8] = []
        lines.forEach { $0.appendRaw(to: &out) }
        #expect(out == Array(text.utf8))
        // The continuation's first byte is line 2, column 1.
        #expect(lines[0].location(ofByte: lines[0].folds[0].offset) == (2, 1))
        // Without the option, the same input yields one line per physical line.
        #expect(try readAll(text, qp: false).count == 5)
    }
}

@Suite struct FoldingTests {
    @Test func foldsAt75OctetsWithCRLFAndLeadingSpace() {
        let value = String(repeating: "a", count: 200)
        let folded = Folding.fold("DESCRIPTION:" + value)
        let physical = folded.components(separatedBy: "\r\n").dropLast()
        #expect(folded.hasSuffix("\r\n"))
        #expect(physical.allSatisfy { $0.utf8.count <= 75 })
        #expect(physical.first?.utf8.count == 75)
        #expect(physical.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(physical.dropFirst().dropLast().allSatisfy { $0.utf8.count == 75 })
    }

    @Test func neverSplitsAUTF8SequenceOrAnEscape() {
        // Every offset of a multi-byte character relative to the fold point.
        for prefix in 0..<8 {
            for char in ["ü", "€", "😀", "\\n", "\\,"] {
                let logical = "SUMMARY:" + String(repeating: "x", count: 60 + prefix) + String(repeating: char, count: 30)
                var out: [UInt8] = []
                Folding.fold(Array(logical.utf8), into: &out)
                let text = String(decoding: out, as: UTF8.self)
                #expect(!text.contains("\u{FFFD}"), "split sequence for \(char) at prefix \(prefix)")
                let physical = text.components(separatedBy: "\r\n").dropLast()
                #expect(physical.allSatisfy { $0.utf8.count <= 75 })
                // No physical line ends with a lone backslash.
                #expect(physical.allSatisfy { line in
                    let trailing = line.reversed().prefix { $0 == "\\" }.count
                    return trailing % 2 == 0
                }, "escape split for \(char) at prefix \(prefix)")
                // Unfolding gives back the logical line.
                #expect(physical.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.dropFirst()) }
                    .joined() == logical)
            }
        }
    }

    @Test func foldThenReadIsIdentityOnRandomLines() throws {
        var rng = SplitMix(seed: 0x5EED)
        let alphabet: [String] = ["a", "Z", " ", ";", ",", ":", "\\n", "\\\\", "é", "中", "🎉", "\t", "\""]
        for _ in 0..<300 {
            let count = Int(rng.next() % 300)
            let value = (0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            let logical = "X-TEST:" + value
            let limit = 6 + Int(rng.next() % 80)
            var out: [UInt8] = []
            Folding.fold(Array(logical.utf8), into: &out, limit: limit)
            let lines = try readAll(out, maxChunk: 1 + Int(rng.next() % 9))
            // A value starting a physical line with a tab would be read as a fold; the folder never
            // starts a continuation with content other than its own space, so the line comes back whole.
            #expect(lines.count == 1)
            #expect(lines.first?.bytes == Array(logical.utf8))
            #expect(lines.first?.rawBytes == out)
        }
    }
}

@Suite struct ParameterTests {
    func parse(_ text: String) throws -> ContentLine {
        try ContentLine(parsing: UnfoldedLine(bytes: Array(text.utf8)))
    }

    @Test func parsesGroupsNamesParametersAndQuotedValues() throws {
        let line = try parse("item1.email;type=INTERNET,\"pref;x\";X-LABEL=\"Work: main\":jane@example.com")
        #expect(line.group == "item1")
        #expect(line.name == "EMAIL")
        #expect(line.parameters.count == 2)
        #expect(line.parameter("TYPE")?.values == ["INTERNET", "pref;x"])
        #expect(line.parameter("type")?.quoted == true)
        #expect(line.parameterValue("X-LABEL") == "Work: main")
        #expect(line.valueString == "jane@example.com")
    }

    @Test func valueMayContainColonsAndSemicolons() throws {
        let line = try parse("ATTENDEE;CN=\"Doe, John\";ROLE=REQ-PARTICIPANT:mailto:john@example.com;x")
        #expect(line.name == "ATTENDEE")
        #expect(line.parameterValue("CN") == "Doe, John")
        #expect(line.valueString == "mailto:john@example.com;x")
        let dt = try parse("DTSTART;TZID=America/New_York:19970902T090000")
        #expect(dt.parameterValue("TZID") == "America/New_York")
        #expect(dt.valueString == "19970902T090000")
        let empty = try parse("LOCATION:")
        #expect(empty.valueString.isEmpty)
    }

    @Test func vCard21BareTokens() throws {
        let line = try parse("TEL;WORK;VOICE:+1 555 0100")
        #expect(line.parameters.map(\.name) == ["WORK", "VOICE"])
        #expect(line.parameters.allSatisfy { !$0.hasValue })
    }

    @Test func rfc6868CaretEscapes() throws {
        let line = try parse("ATTENDEE;CN=\"George Herman ^'Babe^' Ruth\":mailto:babe@example.com")
        #expect(line.parameter("CN")?.decodedValues == ["George Herman \"Babe\" Ruth"])
        #expect(ParameterEscaping.encode("a\"b^c\nd") == "a^'b^^c^nd")
        #expect(ParameterEscaping.decode(ParameterEscaping.encode("a\"b^c\nd")) == "a\"b^c\nd")
    }

    @Test func syntaxErrorsHaveCodesAndPositions() {
        func failure(_ text: String) -> ContentLineError? {
            do throws(ContentLineError) { _ = try ContentLine(parsing: UnfoldedLine(bytes: Array(text.utf8))); return nil } catch { return error }
        }
        #expect(failure("This line has no colon")?.code == "text.no-colon")
        #expect(failure(":value")?.code == "text.empty-name")
        let quote = failure("ATTENDEE;CN=\"Doe:mailto:x@example.com")
        #expect(quote?.code == "text.unterminated-quote")
        #expect(quote?.index == 12)
        #expect(failure("ATTENDEE;CN=\"Doe\"x:mailto:x@example.com")?.code == "text.after-quote")
        #expect(failure("X;=a:b")?.code == "text.empty-parameter")
    }

    @Test func builtLinesQuoteWhereNeededAndFold() throws {
        let line = ContentLine(name: "attendee", parameters: [ContentParameter("CN", "Doe, Jane"),
                                                              ContentParameter("ROLE", "CHAIR")],
                               value: "mailto:jane@example.com")
        var out: [UInt8] = []
        line.appendRaw(to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "ATTENDEE;CN=\"Doe, Jane\";ROLE=CHAIR:mailto:jane@example.com\r\n")
        let reparsed = try parse(String(decoding: out.dropLast(2), as: UTF8.self))
        #expect(reparsed.parameterValue("CN") == "Doe, Jane")
    }

    @Test func unchangedLinesWriteTheirOriginalBytes() throws {
        let raw = "summary;language=de:Gr\n \u{00FC}\u{00DF}e\n"
        let lines = try readAll(raw)
        let line = try ContentLine(parsing: lines[0])
        var out: [UInt8] = []
        line.appendRaw(to: &out)
        #expect(out == Array(raw.utf8))
        #expect(line.textValue == "Grüße")
        var changed: [UInt8] = []
        line.replacingValue("Hallo").appendRaw(to: &changed)
        #expect(String(decoding: changed, as: UTF8.self) == "SUMMARY;LANGUAGE=de:Hallo\r\n")
    }
}

@Suite struct EscapingTests {
    @Test func unescapesTextValues() {
        #expect(TextEscaping.unescape("a\\, b\\; c\\\\d\\ne\\Nf") == "a, b; c\\d\ne\nf")
        #expect(TextEscaping.unescape("keep \\: unknown") == "keep \\: unknown")
        #expect(TextEscaping.firstInvalidEscape(Array("ok\\, bad\\:".utf8)) == 8)
        #expect(TextEscaping.firstInvalidEscape(Array("trailing\\".utf8)) == 8)
        #expect(TextEscaping.firstInvalidEscape(Array("fine\\n\\\\".utf8)) == nil)
    }

    @Test func escapeIsTheInverseOfUnescape() {
        var rng = SplitMix(seed: 42)
        let pieces = ["a", "\\", ";", ",", "\n", "\r\n", "ß", "日本", ":", "\"", " "]
        for _ in 0..<500 {
            let s = (0..<Int(rng.next() % 20)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            let expected = s.replacingOccurrences(of: "\r\n", with: "\n")
            #expect(TextEscaping.unescape(TextEscaping.escape(s)) == expected)
            #expect(TextEscaping.firstInvalidEscape(Array(TextEscaping.escape(s).utf8)) == nil)
        }
    }

    @Test func splitsStructuredValuesAtUnescapedSeparators() {
        let parts = TextEscaping.split(Array("Doe;Jane\\;Mary;;Dr.;".utf8), separator: 0x3B)
            .map { String(decoding: $0, as: UTF8.self) }
        #expect(parts == ["Doe", "Jane\\;Mary", "", "Dr.", ""])
        let list = TextEscaping.split(Array("a,b\\,c,\\\\,d".utf8), separator: 0x2C).map { TextEscaping.unescape($0) }
        #expect(list == ["a", "b,c", "\\", "d"])
    }
}

@Suite struct EncodingTests {
    @Test func quotedPrintableDecodesSoftBreaksAndKeepsBadSequences() {
        let (bytes, error) = QuotedPrintable.decode(Array("Gr=C3=BC=C3=9Fe=\r\n aus=0AK=F6ln =ZZ".utf8))
        #expect(Array(bytes.prefix(13)) == Array("Grüße aus\nK".utf8))
        #expect(bytes[13] == 0xF6)
        #expect(String(decoding: bytes.suffix(4), as: UTF8.self) == "ln =ZZ".suffix(4).description)
        #expect(error != nil)
    }

    @Test func quotedPrintableRoundTripsAndKeepsLinesShort() {
        var rng = SplitMix(seed: 7)
        for _ in 0..<300 {
            let data = (0..<Int(rng.next() % 400)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let encoded = QuotedPrintable.encode(data, lineLength: 76, firstLineUsed: Int(rng.next() % 40))
            #expect(encoded.allSatisfy { $0 < 0x80 })
            let text = String(decoding: encoded, as: UTF8.self)
            #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
            let decoded = QuotedPrintable.decode(encoded)
            #expect(decoded.bytes == data)
            #expect(decoded.firstError == nil)
        }
    }

    @Test func base64ToleratesFoldingWhitespace() {
        let data: [UInt8] = Array(0...255)
        let encoded = Base64.encode(data)
        #expect(Base64.decode(Array(encoded.utf8)) == data)
        var spaced = Array(encoded.utf8)
        spaced.insert(contentsOf: [0x0D, 0x0A, 0x20], at: 40)
        #expect(Base64.decode(spaced) == data)
        #expect(Base64.isValid(spaced))
        #expect(!Base64.isValid(Array("ab*d".utf8)))
        #expect(Base64.decode(Array("YWJj".utf8)) == Array("abc".utf8))
        #expect(Base64.decode(Array("YWI".utf8)) == Array("ab".utf8), "missing padding accepted")
    }
}

typealias SplitMix = SplitMix64
