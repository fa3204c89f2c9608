import Foundation
import Testing
import FerryCore
@testable import FerryMIME

@Suite struct FixtureTests {
    @Test func everyFixtureRoundTripsByteExactly() throws {
        #expect(Fixtures.names.count >= 13)
        for name in Fixtures.names {
            let raw = try Fixtures.bytes(name)
            for variant in [raw, raw.lf, raw.crlf] {
                let message = try MIMEParser.parse(variant)
                #expect(losslessProblems(message, variant) == nil, "\(name)")
            }
        }
    }

    @Test func chunkBoundariesDoNotChangeTheTree() throws {
        for name in Fixtures.names {
            let raw = try Fixtures.bytes(name)
            let whole = try MIMEParser.parse(raw)
            for chunk in [1, 2, 3, 7, 64] {
                let parsed = try MIMEParser().parse(MemorySource(raw, maxChunk: chunk))
                #expect(parsed.segments() == whole.segments(), "\(name) chunk \(chunk)")
                #expect(shape(parsed) == shape(whole))
                #expect(parsed.bytes == raw)
            }
        }
    }

    @Test func outlookMixedAlternative() throws {
        let m = try Fixtures.message("outlook-mixed-alternative.eml")
        #expect(shape(m) == ["- multipart/mixed", "1 multipart/alternative", "1.1 text/plain", "1.2 text/html",
                             "2 application/pdf"])
        #expect(m.subject == "Rechnung für März")
        #expect(m.from == [MailAddress(name: "Anna Müller", address: "anna.mueller@corp.example.com")])
        #expect(m.date == Date(timeIntervalSince1970: 1_709_540_101))  // 2024-03-04T08:15:01Z
        let pdf = try #require(m.part("2"))
        #expect(pdf.filename == "Rechnung März 2024.pdf")
        #expect(pdf.disposition?.value == "attachment")
        let expectedPDF = Array(String(repeating: "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", count: 3).utf8)
        #expect(try m.decodedContent(of: pdf) == expectedPDF)
        let plain = try #require(m.part("1.1"))
        #expect(try m.text(of: plain) == "Hallo Jürgen,\r\n\r\nanbei die Rechnung für März – bitte bis Freitag prüfen.\r\n\r\nGrüße\r\nAnna Müller\r\n")
        #expect(m.warnings.isEmpty)
    }

    @Test func thunderbirdRFC2231Filename() throws {
        let m = try Fixtures.message("thunderbird-rfc2231.eml")
        #expect(shape(m) == ["- multipart/mixed", "1 text/plain", "2 text/plain"])
        let attachment = try #require(m.part("2"))
        #expect(attachment.filename == "Überweisungsbestätigung für das Projekt Ålesund 2024 (endgültig).txt")
        #expect(attachment.contentType.parameter("name") == attachment.filename)
        #expect(String(decoding: try m.decodedContent(of: attachment), as: UTF8.self) == "Betrag: 1.250,00 €\nReferenz: ÅL-2024-07\n")
        #expect(try m.text(of: #require(m.part("1"))).hasPrefix("Hej Björn,\n"))
        #expect(m.addresses("To") == [.mailbox(MailAddress(name: "Björn Åkesson", address: "bjorn@example.se"))])
        #expect(m.subject == "Überweisung und Bestätigung")
        let preamble = try #require(m.root.preamble)
        #expect(String(decoding: try m.bytes(preamble), as: UTF8.self) == "This is a multi-part message in MIME format.")
    }

    @Test func gmailAlternative() throws {
        let m = try Fixtures.message("gmail-alternative.eml")
        #expect(shape(m) == ["- multipart/alternative", "1 text/plain", "2 text/html"])
        #expect(m.subject == "Build is green 🎉")
        let plain = try m.text(of: #require(m.part("1")))
        #expect(plain == "Hi team,\r\n\r\nthe build is green again 🎉 — see https://ci.example.org/runs/4711 for details.\r\n"
                + "A very long line that Gmail wraps with a soft line break because it is longer than seventy-six characters.\r\n")
        #expect(m.header.first("DKIM-Signature")?.rawValue.contains(0x0A) == true)  // folds kept as written
    }

    @Test func appleMailRelatedInlineImage() throws {
        let m = try Fixtures.message("apple-mail-related.eml")
        #expect(shape(m) == ["- multipart/alternative", "1 text/plain", "2 multipart/related", "2.1 text/html", "2.2 image/png"])
        let png = try #require(m.part("2.2"))
        #expect(png.filename == "summit.png")
        var expected: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52,
                                 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89]
        expected += (0...255).map { UInt8($0) }
        #expect(try m.decodedContent(of: png) == expected)
        #expect(png.header.first("Content-Id") != nil)
        #expect(m.from.first?.name == "Lea Novak")
        #expect(m.date == Date(timeIntervalSince1970: 1_716_079_512))  // 2024-05-19T00:45:12Z
    }

    @Test func latin1EightBitHeaders() throws {
        let m = try Fixtures.message("latin1-8bit-headers.eml")
        #expect(m.subject == "Résumé de la réunion à Noël")
        #expect(m.from == [MailAddress(name: "François Lefèvre", address: "francois@example.fr")])
        #expect(try m.text(of: m.root) == "Bonjour Hélène,\r\n\r\nvoici le résumé : très bien, à bientôt.\r\n")
        #expect(m.root.number == "1")
    }

    @Test func iso2022JPSubjectSplitOverTwoWords() throws {
        let m = try Fixtures.message("iso2022jp-subject.eml")
        #expect(m.subject == "会議の議事録について確認のお願い")
        #expect(m.from.first?.name == "鈴木一郎")
        #expect(try m.text(of: m.root) == "山田様\r\n\r\nお世話になっております。\r\n議事録を送付いたします。\r\n")
    }

    @Test func gbkEncodedWordsAndBody() throws {
        let m = try Fixtures.message("gbk-encoded-words.eml")
        #expect(m.subject == "季度销售报告")
        #expect(m.from.first?.name == "李明")
        #expect(m.addresses("To") == [.mailbox(MailAddress(name: "王伟", address: "wangwei@example.cn"))])
        #expect(try m.text(of: m.root) == "王先生：\n\n附件是本季度的销售报告，请查收。\n")
    }

    @Test func forwardedMessageRFC822() throws {
        let m = try Fixtures.message("forwarded-rfc822.eml")
        #expect(shape(m) == ["- multipart/mixed", "1 text/plain", "2 message/rfc822", "- multipart/alternative",
                             "2.1 text/plain", "2.2 text/html"])
        let embedded = try #require(m.part("2"))
        #expect(embedded.kind == .message)
        let inner = try m.decodedContent(of: embedded)
        #expect(String(decoding: inner.prefix(24), as: UTF8.self) == "From: CFO <cfo@example.com>".prefix(24).description)
        // The embedded message parses on its own to the same structure.
        let reparsed = try MIMEParser.parse(inner)
        #expect(reparsed.subject == "Quarterly numbers")
        #expect(shape(reparsed) == ["- multipart/alternative", "1 text/plain", "2 text/html"])
        #expect(try m.text(of: #require(m.part("2.1"))) == "Revenue is up 12%.\r\n")
        #expect(embedded.filename == "Quarterly numbers.eml")
    }

    @Test func missingFinalBoundary() throws {
        let m = try Fixtures.message("missing-final-boundary.eml")
        #expect(shape(m) == ["- multipart/mixed", "1 text/plain", "2 text/csv"])
        #expect(m.warnings.map(\.code).contains("mime.missing-close-boundary"))
        #expect(try m.decodedContent(of: #require(m.part("2"))) == Array("host,status\ndb1,ok\ndb2,warning\nweb1,warning\n".utf8))
        let diagnostics = m.diagnostics(file: "x.eml")
        #expect(diagnostics.first?.line != nil)
    }

    @Test func brokenBase64IsDecodedAroundTheGarbage() throws {
        let m = try Fixtures.message("broken-base64.eml")
        let part = try #require(m.part("2"))
        var out: [UInt8] = []
        let invalid = try m.decodeContent(of: part) { out += $0 }
        #expect(String(decoding: out, as: UTF8.self) == "The quick brown fox jumps over the lazy dog. 0123456789")
        #expect(invalid == 3)  // "!!" and "*"
    }

    @Test func addressGroupsCommentsAndObsoleteDate() throws {
        let m = try Fixtures.message("addresses-obsolete-date.eml")
        #expect(m.from == [MailAddress(name: "Doe, Jane", address: "jane.doe@example.com")])
        #expect(m.addresses("To") == [.group(name: "undisclosed-recipients", members: [])])
        #expect(m.addresses("Cc") == [
            .group(name: "Team", members: [MailAddress(address: "alice@example.com"),
                                            MailAddress(name: "Bob B.", address: "bob@example.com")]),
            .mailbox(MailAddress(name: "Carol C.", address: "carol@example.com")),
        ])
        #expect(m.addresses("Reply-To") == [.mailbox(MailAddress(name: "Doe, John", address: "john.doe@example.com"))])
        #expect(m.addresses("Sender") == [.mailbox(MailAddress(name: "Mailing List", address: "list-bounces@example.com"))])
        #expect(m.date == Date(timeIntervalSince1970: 773_448_240))  // 1994-07-05T22:44:00Z
    }

    @Test func digestPreambleAndEpilogue() throws {
        let m = try Fixtures.message("digest.eml")
        #expect(shape(m) == ["- multipart/digest", "1 message/rfc822", "1.1 text/plain", "2 message/rfc822", "2.1 text/plain"])
        #expect(String(decoding: try m.bytes(#require(m.root.preamble)), as: UTF8.self) == "Preamble text that readers do not show.")
        #expect(String(decoding: try m.bytes(#require(m.root.epilogue)), as: UTF8.self) == "Epilogue text.\r\n")
        #expect(try m.text(of: #require(m.part("2.1"))) == "Hello from B.")
        let first = try #require(m.part("1"))
        #expect(first.children.first?.header.text("Subject") == "First post")
    }

    @Test func envelopeLineAndMissingSeparator() throws {
        let m = try Fixtures.message("from-line-no-separator.eml")
        #expect(m.header.fields.count == 3)
        #expect(m.header.fields[0].isWellFormed == false)
        #expect(m.subject == "No blank line")
        #expect(m.warnings.map(\.code) == ["mime.missing-separator"])
        #expect(String(decoding: try m.bytes(m.root.bodyRange), as: UTF8.self)
                == "This line is the body, not a header.\nSecond body line.\n")
    }
}
