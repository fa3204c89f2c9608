import Foundation
import Testing
import FerryCore
import FerryMIME
import FerryCalendar
@testable import FerryFeeds

@Suite struct FeedReaderTests {
    static let fixtures = ["zimbra-inbox.atom", "zimbra-calendar.atom", "wordpress.rss", "slashdot-1.0.rdf", "blogger-0.3.atom",
                           "broken-0.91.rss", "wrong-charset.rss"]

    /// Each fixture against its golden JSON (Fixtures/feeds/golden/<name>.jsonl), read whole and in tiny pieces
    /// (the repairs and the parser must not depend on where the chunks end).
    @Test(arguments: fixtures)
    func goldenOutput(_ name: String) throws {
        let bytes = try FeedFixtures.bytes("feeds/" + name)
        let whole = try FeedFixtures.read(bytes, name: name)
        let goldenURL = FeedFixtures.feeds.appendingPathComponent("golden/\(name).jsonl")
        if ProcessInfo.processInfo.environment["FERRY_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: goldenURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FeedFixtures.jsonLines(whole.items).write(to: goldenURL, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: goldenURL, encoding: .utf8)
        #expect(try FeedFixtures.jsonLines(whole.items) == golden)
        for chunk in [1, 3, 7, 64] {
            let pieces = try FeedFixtures.read(bytes, name: name, chunk: chunk)
            #expect(try FeedFixtures.jsonLines(pieces.items) == golden, "chunk \(chunk)")
            #expect(pieces.log.diagnostics.map(\.code) == whole.log.diagnostics.map(\.code), "chunk \(chunk)")
        }
    }

    @Test func versionsAreRecognised() throws {
        let expected = ["zimbra-inbox.atom": "atom10", "wordpress.rss": "rss20", "slashdot-1.0.rdf": "rss10",
                        "blogger-0.3.atom": "atom03", "broken-0.91.rss": "rss091"]
        for (name, version) in expected {
            let entries = try FeedFixtures.read(FeedFixtures.bytes("feeds/" + name)).entries
            #expect(!entries.isEmpty)
            #expect(entries.allSatisfy { $0.feed.version == version }, "\(name)")
        }
    }

    /// Real breakage is repaired, the text kept, and every repair said with its line and column.
    @Test func brokenFeedIsRepairedAndEachRepairReported() throws {
        let (entries, _, log) = try FeedFixtures.read(FeedFixtures.bytes("feeds/broken-0.91.rss"), name: "broken-0.91.rss")
        #expect(entries.count == 2)
        #expect(entries[0].title?.plain == "Road works on Main St & 5th Ave starting Monday")
        #expect(entries[0].link == "http://council.example.gov/notice.asp?id=1207&lang=en")
        #expect(entries[0].summary?.value.contains("9am\u{2013}4pm. Detour via Elm\u{A0}St.") == true)
        #expect(entries[0].summary?.value.contains("map.asp?id=1207&amp;z=3") == true)
        #expect(entries[1].summary?.value == "Open until 8pm on Thursdays. Price < $5 for a card.")
        #expect(entries[0].feed.link == "http://council.example.gov/notices.asp?lang=en&page=1")
        let found = Set(log.diagnostics.map { "\($0.code)@\($0.line ?? 0):\($0.column ?? 0)" })
        for expected in ["feed.bare-ampersand@6:53", "feed.html-entity@7:29", "feed.bare-ampersand@10:30", "feed.unclosed@10:58",
                         "feed.html-entity@12:56", "feed.bare-lt@17:49", "feed.namespace@18:9"] {
            #expect(found.contains(expected), "\(expected) in \(found.sorted())")
        }
        #expect(log.diagnostics.allSatisfy { $0.severity == .warning && $0.file == "broken-0.91.rss" })
    }

    @Test func wrongCharsetDeclarationIsDetectedAndReported() throws {
        let (entries, _, log) = try FeedFixtures.read(FeedFixtures.bytes("feeds/wrong-charset.rss"), name: "wrong-charset.rss")
        #expect(entries.first?.title?.value == "Crème brûlée “maison” € 4,50")
        #expect(entries.first?.feed.title == "Café du Commerce – les nouvelles")
        let charset = log.diagnostics.first { $0.code == "feed.charset" }
        #expect(charset?.line == 4 && charset?.column == 11)
        #expect(charset?.message.contains("windows-1252") == true)
        // The other common mistake: UTF-8 bytes under a Latin-1 declaration.
        let utf8 = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><channel><title>x</title><item><title>Zoë’s café</title></item></channel></rss>".utf8)
        let read = try FeedFixtures.read(utf8)
        #expect(read.entries.first?.title?.value == "Zoë’s café")
        #expect(read.log.diagnostics.contains { $0.code == "feed.charset" && $0.line == 2 })
        // A correct Latin-1 declaration is trusted.
        let latin1 = try FeedFixtures.read(FeedFixtures.bytes("feeds/slashdot-1.0.rdf"))
        #expect(latin1.entries[1].title?.value == "Museum Digitises 5,000 Maps (Café Edition)")
        #expect(!latin1.log.diagnostics.contains { $0.code == "feed.charset" })
    }

    @Test func zimbraAtomIsReadTolerantly() throws {
        let (entries, _, log) = try FeedFixtures.read(FeedFixtures.bytes("feeds/zimbra-inbox.atom"), name: "zimbra-inbox.atom")
        #expect(entries.map(\.authorEmail) == ["rachel@example.org", "monica@example.org", "chandler@example.org"])
        #expect(entries.map(\.authorName) == ["Rachel Green", "Moné", "chandler@example.org"])
        #expect(entries[0].updated == FeedDate.parse("2023-11-14T22:15:00Z")?.date)
        #expect(log.diagnostics.filter { $0.code == "feed.entry-id" }.count == 3)
        #expect(log.diagnostics.filter { $0.code == "feed.atom03" }.count == 3)
        // Without ids, the derived Message-IDs still differ per entry and stay the same on every read.
        let again = try FeedFixtures.read(FeedFixtures.bytes("feeds/zimbra-inbox.atom")).entries
        #expect(Set(entries.map(\.messageID)).count == 3)
        #expect(entries.map(\.messageID) == again.map(\.messageID))
    }

    @Test func notXMLIsAnErrorWithLineAndColumn() throws {
        do {
            _ = try FeedFixtures.read(FeedFixtures.bytes("feeds/not-xml.atom"), name: "not-xml.atom")
            Issue.record("no error")
        } catch let error as FerryError {
            #expect(error.kind == .data)
            #expect(error.diagnostic.code == "feed.not-xml")
            #expect(error.diagnostic.line == 1 && error.diagnostic.column == 1)
        }
        do {
            _ = try FeedFixtures.read(Array("\n\n  <html><body>Moved</body></html>".utf8), name: "page.html")
            Issue.record("no error")
        } catch let error as FerryError {
            #expect(error.diagnostic.code == "feed.not-a-feed")
            #expect(error.diagnostic.line == 3)
        }
        do {
            _ = try FeedFixtures.read(Array("{\"items\": []}".utf8))
            Issue.record("no error")
        } catch let error as FerryError {
            #expect(error.diagnostic.code == "feed.not-xml")
        }
    }

    /// Writer ∘ reader: what Ferry writes from messages reads back to the same titles, authors, dates and ids.
    @Test func writtenFeedsReadBack() throws {
        let items = try FeedFixtures.mimeItems()
        for style in [FeedStyle.atom, .rss] {
            let (bytes, _) = try FeedFixtures.write(items, style: style, options: FeedWriterTests.options())
            let (entries, _, log) = try FeedFixtures.read(bytes)
            #expect(log.diagnostics.isEmpty, "\(style): \(log.diagnostics)")
            #expect(entries.count == items.count)
            for (item, entry) in zip(items, entries) {
                let message = item.payload as! MIMEMessage
                let expected = message.subject.map(HTMLText.collapse).flatMap { $0.isEmpty ? nil : $0 } ?? "(no subject)"
                #expect(entry.title?.value == expected)
                #expect(entry.authorEmail == message.from.first?.address)
                if let date = message.date {
                    #expect((style == .atom ? entry.updated : entry.published) == Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
                }
                // The mid: link brings the Message-ID back when the entry is mailed again.
                if let id = message.messageID {
                    #expect(entry.messageID == id.trimmingCharacters(in: .whitespaces))
                }
            }
        }
    }

    @Test func entriesBecomeMessagesAndEvents() throws {
        let (entries, _, _) = try FeedFixtures.read(FeedFixtures.bytes("feeds/wordpress.rss"))
        let message = try MIMEParser.parse(entries[0].originalBytes!)
        #expect(message.subject == "Pruning the old apple tree")
        #expect(message.from.first?.name == "Ana Ruiz")
        #expect(message.date == FeedDate.parse("Thu, 04 Jan 2024 18:12:08 +0000")?.date)
        #expect(message.header.text("X-RSS-URL") == "https://fieldnotes.example.com/2024/01/04/pruning-the-old-apple-tree/")
        let html = message.parts.first { $0.contentType.mimeType == "text/html" }!
        #expect(try message.text(of: html).contains("branches that cross &amp; rub"))
        let event = entries[1].converted(to: .calendar) as? CalendarObject
        #expect(event?.component.property("SUMMARY")?.textValue == "A workbench from one sheet of plywood – part 2")
        #expect(event?.component.property("DTSTART")?.valueString == "20231228T093000Z")
        #expect(entries[1].converted(to: .contact) == nil)
        // Non-ASCII subjects are RFC 2047 encoded and decode back.
        let (rdf, _, _) = try FeedFixtures.read(FeedFixtures.bytes("feeds/wrong-charset.rss"))
        let mailed = try MIMEParser.parse(rdf[0].originalBytes!)
        #expect(mailed.subject == "Crème brûlée “maison” € 4,50")
    }

    /// Entities a DOCTYPE declares are substituted, wherever the chunks end; HTML entities still repaired.
    @Test func internalSubsetEntities() throws {
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n  <!ENTITY co \"Town Council\">\n  <!ENTITY % p \"x\">\n]>\n"
            + "<rss version=\"0.91\"><channel><title>&co;</title><item><title>A &co; notice&nbsp;</title></item></channel></rss>"
        for chunk in [1, 2, 5, 11, 4096] {
            let (entries, _, log) = try FeedFixtures.read(Array(text.utf8), chunk: chunk)
            #expect(entries.first?.feed.title == "Town Council", "chunk \(chunk)")
            #expect(entries.first?.title?.value == "A Town Council notice\u{A0}", "chunk \(chunk)")
            #expect(log.diagnostics.map(\.code) == ["feed.html-entity"], "chunk \(chunk)")
        }
    }

    /// Markup inside a text element is rebuilt with its attributes in document order (found by FuzzFeeds:
    /// the order came from a dictionary and changed from one read to the next).
    @Test func nestedMarkupKeepsAttributeOrder() throws {
        let text = "<rss version=\"2.0\"><channel><item><description>See <a href=\"h\" class=\"c\" id=\"i\" rel=\"r\" title=\"t\">x</a>"
            + " <img src=\"s\" alt=\"a\" width=\"1\" height=\"2\"/></description></item></channel></rss>"
        for _ in 0..<20 {
            let entries = try FeedFixtures.read(Array(text.utf8)).entries
            #expect(entries.first?.summary?.value == "See <a href=\"h\" class=\"c\" id=\"i\" rel=\"r\" title=\"t\">x</a> <img src=\"s\" alt=\"a\" width=\"1\" height=\"2\">")
        }
    }

    @Test func repairerHandlesEveryChunkBoundary() {
        let text = "<a x=\"1&2\">AT&T &nbsp; &#233; &#x20AC; &amp; <b>bold</a><![CDATA[a & b < c]]><!-- & --></c>"
        func repair(_ chunk: Int) -> String {
            let r = Repairer()
            var out: [UInt8] = []
            let bytes = Array(text.utf8)
            var i = 0
            while i < bytes.count {
                r.process(Array(bytes[i..<min(bytes.count, i + chunk)]), final: false, into: &out)
                i += chunk
            }
            r.process([], final: true, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        let expected = "<a x=\"1&amp;2\">AT&amp;T &#160; &#233; &#x20AC; &amp; <b>bold</b></a><![CDATA[a & b < c]]><!-- & -->"
        for chunk in [1, 2, 3, 5, 8, 13, 1000] { #expect(repair(chunk) == expected, "chunk \(chunk)") }
    }
}
