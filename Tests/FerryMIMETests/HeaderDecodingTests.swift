import Foundation
import Testing
import FerryCore
@testable import FerryMIME

@Suite struct HeaderDecodingTests {
    func decode(_ s: String) -> String { EncodedWords.decode(Array(s.utf8)) }

    @Test func encodedWords() {
        // RFC 2047 §8 examples.
        #expect(decode("(=?ISO-8859-1?Q?a?=)") == "(a)")
        #expect(decode("(=?ISO-8859-1?Q?a?= b)") == "(a b)")
        #expect(decode("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)") == "(ab)")
        #expect(decode("(=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?=)") == "(ab)")
        #expect(decode("(=?ISO-8859-1?Q?a_b?=)") == "(a b)")
        #expect(decode("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)") == "(a b)")
        #expect(decode("=?US-ASCII*EN?Q?Keith_Moore?=") == "Keith Moore")
        // Lower-case encoding letter and hex, missing padding in B.
        #expect(decode("=?utf-8?q?caf=c3=a9?=") == "café")
        #expect(decode("=?UTF-8?B?Y2Fmw6k?=") == "café")
    }

    @Test func malformedWordsStayLiteral() {
        #expect(decode("=?UTF-8?X?abc?=") == "=?UTF-8?X?abc?=")
        #expect(decode("=?UTF-8?Q?no end") == "=?UTF-8?Q?no end")
        #expect(decode("=?UTF-8?Q?has space?=") == "=?UTF-8?Q?has space?=")
        #expect(decode("a =? b") == "a =? b")
    }

    @Test func aCharacterSplitAcrossTwoWordsSurvives() {
        // "€" is E2 82 AC: split after the first byte.
        let first = "=?UTF-8?B?" + Data([0x41, 0xE2]).base64EncodedString() + "?="
        let second = "=?UTF-8?B?" + Data([0x82, 0xAC]).base64EncodedString() + "?="
        #expect(decode(first + "\r\n " + second) == "A€")
    }

    @Test func unknownCharsetFallsBack() {
        #expect(decode("=?x-unknown?Q?plain?=") == "plain")
    }

    @Test func rawEightBitHeaders() {
        #expect(EncodedWords.decode([0x63, 0x61, 0x66, 0xC3, 0xA9]) == "café")          // UTF-8
        #expect(EncodedWords.decode([0x63, 0x61, 0x66, 0xE9]) == "café")                // Latin-1 → Windows-1252
        #expect(EncodedWords.decode([0x80], fallback: try! Charset("windows-1252")) == "€")
        #expect(EncodedWords.decode([0xC4, 0xE3], fallback: try! Charset("GBK")) == "你")
    }

    @Test func rfc2231Parameters() throws {
        let ct = try #require(ContentType.parse(Array("application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"".utf8)))
        #expect(ct.parameter("title") == "This is even more ***fun*** isn't it!")
        // A UTF-8 character split across two sections.
        let split = try #require(ContentDisposition.parse(Array("attachment; filename*0*=UTF-8''%C3; filename*1*=%A9t%C3%A9.txt".utf8)))
        #expect(split.filename == "été.txt")
        // Sections out of order; ISO-8859-1 charset.
        let latin = try #require(ContentDisposition.parse(Array("attachment; filename*1*=%E9.pdf; filename*0*=iso-8859-1'fr'r%E9sum".utf8)))
        #expect(latin.filename == "résumé.pdf")
        // RFC 2047 inside quotes (Outlook) and an unquoted value with spaces.
        let outlook = try #require(ContentType.parse(Array("image/jpeg; name=\"=?utf-8?B?w7xiZXIuanBn?=\"".utf8)))
        #expect(outlook.parameter("name") == "über.jpg")
        let spaces = try #require(ContentDisposition.parse(Array("attachment; filename=my report.pdf".utf8)))
        #expect(spaces.filename == "my report.pdf")
    }

    @Test func contentTypeForms() throws {
        let ct = try #require(ContentType.parse(Array("Multipart/Mixed (comment); BOUNDARY=\"a;b\"; charset=utf-8".utf8)))
        #expect(ct.mimeType == "multipart/mixed")
        #expect(ct.boundary == "a;b")
        #expect(ct.charset == "utf-8")
        #expect(ContentType.parse(Array("text".utf8))?.mimeType == "text/plain")
        #expect(ContentType.parse(Array("; charset=utf-8".utf8)) == nil)
    }

    @Test func dates() {
        func t(_ s: String) -> TimeInterval? { MailDate.parse(s)?.timeIntervalSince1970 }
        #expect(t("Fri, 21 Nov 1997 09:55:06 -0600") == 880_127_706)                  // RFC 5322 A.1.1
        #expect(t("Thu, 13 Feb 1969 23:32:54 -0330") == -27_723_426)                  // RFC 5322 A.5 obsolete
        #expect(t("21 Nov 97 09:55:06 GMT") == 880_106_106)                            // two-digit year, zone name
        #expect(t("Fri, 21 Nov 1997 09:55 -0600") == 880_127_700)                      // no seconds
        #expect(t("Fri, 21 Nov 1997 09:55:06") == 880_106_106)                         // no zone → UTC
        #expect(t("Fri, 21 Nov 1997 09:55:06 -0600 (CST)") == 880_127_706)             // trailing comment
        #expect(t("Fri,21 Nov 1997 09:55:06 PST") == 880_134_906)
        #expect(t("Tue Jul  5 18:44:15 2022") == 1_657_046_655)                       // asctime
        #expect(t("5 Jul 122 18:44:15 +0000") == 1_657_046_655)                       // three-digit year
        #expect(t("not a date") == nil)
        #expect(t("Fri, 32 Nov 1997 09:55:06 -0600") == nil)
    }

    @Test func addressLists() {
        func parse(_ s: String) -> [AddressEntry] { AddressList.parse(Array(s.utf8)) }
        #expect(parse("\"Joe Q. Public\" <john.q.public@example.com>") ==
                [.mailbox(MailAddress(name: "Joe Q. Public", address: "john.q.public@example.com"))])
        #expect(parse("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>").count == 3)
        #expect(parse("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;") ==
                [.group(name: "A Group", members: [MailAddress(name: "Ed Jones", address: "c@a.test"),
                                                   MailAddress(address: "joe@where.test"),
                                                   MailAddress(name: "John", address: "jdoe@one.test")])])
        #expect(parse("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>") ==
                [.mailbox(MailAddress(name: "Pete", address: "pete(hisaccount)@silly.test(hishost)"))] ||
                parse("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>").first?.mailboxes.first?.name == "Pete")
        #expect(parse("=?UTF-8?Q?J=C3=BCrgen?= <j@x.test>") == [.mailbox(MailAddress(name: "Jürgen", address: "j@x.test"))])
        #expect(parse("\"=?UTF-8?Q?J=C3=BCrgen?=\" <j@x.test>") == [.mailbox(MailAddress(name: "Jürgen", address: "j@x.test"))])
        #expect(parse("<broken@x.test") == [.mailbox(MailAddress(address: "broken@x.test"))])
        #expect(parse("") == [])
    }
}

@Suite struct TransferCodecTests {
    @Test func base64Tolerance() {
        let decode = { (s: String) in String(decoding: Base64.decodeTolerant(Array(s.utf8)), as: UTF8.self) }
        #expect(decode("aGVsbG8gd29ybGQ=") == "hello world")
        #expect(decode("aGVsbG8gd29ybGQ") == "hello world")          // missing padding
        #expect(decode("aGVs\r\nbG8g\n d29y bGQ=") == "hello world")    // breaks and spaces
        #expect(decode("aGVs!bG8g#d29ybGQ=") == "hello world")        // garbage skipped
        #expect(decode("aGk=aGk=") == "hihi")                          // padding in the middle
        let decoder = Base64Decoder()
        _ = decoder.decodeAll(Array("aG!VsbG8".utf8))
        #expect(decoder.invalidBytes == 1)
    }

    @Test func quotedPrintable() {
        let decode = { (s: String) in String(decoding: QuotedPrintableDecoder().decodeAll(Array(s.utf8)), as: UTF8.self) }
        #expect(decode("caf=C3=A9") == "café")
        #expect(decode("caf=c3=a9") == "café")                              // lower-case hex
        #expect(decode("soft=\r\nbreak") == "softbreak")
        #expect(decode("soft=\nbreak") == "softbreak")
        #expect(decode("soft=  \r\nbreak") == "softbreak")                   // white space after '='
        #expect(decode("trailing   \r\nspace") == "trailing\r\nspace")        // transport padding dropped
        #expect(decode("a = b") == "a = b")                                    // malformed kept
        #expect(decode("=ZZ") == "=ZZ")
        #expect(decode("end=") == "end")
    }

    @Test func streamingEqualsWholeForEveryChunkSize() {
        var rng = SeededRandom(7)
        let data = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let b64 = Array(Data(data).base64EncodedString(options: .lineLength76Characters).utf8)
        var qp: [UInt8] = []
        for (i, b) in data.enumerated() {
            if i % 60 == 59 { qp += Array("=\r\n".utf8) }
            if (b >= 33 && b <= 126 && b != 61) { qp.append(b) } else { qp += Array(String(format: "=%02X", b).utf8) }
        }
        for chunk in [1, 2, 3, 5, 77, 4096] {
            for (encoded, decoder) in [(b64, Base64Decoder() as TransferDecoder), (qp, QuotedPrintableDecoder())] {
                var out: [UInt8] = []
                var i = 0
                while i < encoded.count {
                    let piece = Array(encoded[i..<min(i + chunk, encoded.count)])
                    piece.withUnsafeBytes { decoder.decode($0, into: &out) }
                    i += chunk
                }
                decoder.finish(into: &out)
                #expect(out == data, "chunk \(chunk)")
            }
        }
    }
}
