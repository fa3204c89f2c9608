import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif
import FerryCore
import FerryMIME
import FerryCalendar
@testable import FerryFeeds

@Suite struct FeedWriterTests {
    static func options(now: String = "2026-11-23T12:00:00Z", start: String? = nil, end: String? = nil) throws -> WriteOptions {
        var o = WriteOptions()
        o.timeContext = try TimeContext.from(now: now, tz: "UTC")
        o.timeRange = try TimeRange.from(start: start, end: end, in: o.timeContext)
        return o
    }

    @Test func atomOfMessagesFollowsRFC4287() throws {
        let items = try FeedFixtures.mimeItems()
        let (bytes, _) = try FeedFixtures.write(items, style: .atom, options: Self.options())
        #expect(AtomRules.problems(bytes) == [])
        let document = try XMLDocument(data: Data(bytes), options: [])
        let entries = AtomRules.children(document.rootElement()!, "entry")
        #expect(entries.count == items.count)
        // Each entry: the decoded subject as title, the sender as author, the received date as updated.
        for (item, entry) in zip(items, entries) {
            let message = item.payload as! MIMEMessage
            let title = AtomRules.children(entry, "title").first?.stringValue
            if let subject = message.subject, !subject.trimmingCharacters(in: .whitespaces).isEmpty {
                #expect(title == subject.split(whereSeparator: \.isWhitespace).joined(separator: " "), "\(item.origin ?? "")")
            } else {
                #expect(title == "(no subject)")
            }
            let author = AtomRules.children(entry, "author")[0]
            if let sender = message.from.first {
                #expect(AtomRules.children(author, "email").first?.stringValue == sender.address, "\(item.origin ?? "")")
            }
            if let date = message.date {
                #expect(AtomRules.children(entry, "updated").first?.stringValue == FeedDate.rfc3339(date))
            }
        }
    }

    @Test func entryIDsAreStableAndComeFromTheMessageID() throws {
        let items = try FeedFixtures.mimeItems()
        let first = try FeedFixtures.write(items, style: .atom, options: Self.options(now: "2026-01-01T00:00:00Z")).bytes
        let second = try FeedFixtures.write(items, style: .atom, options: Self.options(now: "2027-06-01T00:00:00Z")).bytes
        func ids(_ b: [UInt8]) throws -> [String] {
            let doc = try XMLDocument(data: Data(b), options: [])
            return AtomRules.children(doc.rootElement()!, "entry").map { AtomRules.children($0, "id")[0].stringValue ?? "" }
        }
        #expect(try ids(first) == ids(second))
        #expect(try Set(ids(first)).count == items.count)
        // Same Message-ID, other bytes (a copy in another folder): same id.
        let withID = items.first { ($0.payload as! MIMEMessage).messageID != nil }!
        var copy = withID
        copy.metadata.folder = "Archive"
        let again = try ids(FeedFixtures.write([copy], style: .atom, options: Self.options()).bytes)
        #expect(try ids(FeedFixtures.write([withID], style: .atom, options: Self.options()).bytes) == again)
        #expect(again[0].hasPrefix("urn:uuid:"))
    }

    @Test func summaryIsTheFirstTextPartAndFullContentIsOptional() throws {
        let message = try MIMEParser.parse(FeedFixtures.bytes("mime/gmail-alternative.eml"))
        let item = Item(message, metadata: ItemMetadata(date: message.date))
        let plain = message.parts.first { $0.kind == .leaf && $0.contentType.mimeType == "text/plain" }!
        let expected = try message.text(of: plain).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let summaryOnly = try FeedFixtures.write([item], style: .atom, options: Self.options()).bytes
        let doc = try XMLDocument(data: Data(summaryOnly), options: [])
        let entry = AtomRules.children(doc.rootElement()!, "entry")[0]
        #expect(AtomRules.children(entry, "summary").first?.stringValue == HTMLText.excerpt(expected, limit: 500))
        #expect(AtomRules.children(entry, "content").isEmpty)
        var options = try Self.options()
        options.formatOptions["content"] = "full"
        let full = try XMLDocument(data: Data(FeedFixtures.write([item], style: .atom, options: options).bytes), options: [])
        let content = AtomRules.children(AtomRules.children(full.rootElement()!, "entry")[0], "content")
        #expect(content.count == 1)
        #expect(content.first.flatMap { AtomRules.attr($0, "type") } == "html")
    }

    @Test func rssHasGuidsAndUTCDates() throws {
        let items = try FeedFixtures.mimeItems()
        let (bytes, _) = try FeedFixtures.write(items, style: .rss, options: Self.options())
        let doc = try XMLDocument(data: Data(bytes), options: [])
        let channel = doc.rootElement()!.elements(forName: "channel")[0]
        for name in ["title", "link", "description"] { #expect(channel.elements(forName: name).count == 1) }
        let rssItems = channel.elements(forName: "item")
        #expect(rssItems.count == items.count)
        for item in rssItems {
            let guid = item.elements(forName: "guid")
            #expect(guid.count == 1 && guid[0].attribute(forName: "isPermaLink")?.stringValue == "false")
            let pubDate = item.elements(forName: "pubDate").first?.stringValue ?? ""
            #expect(pubDate.range(of: #"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$"#,
                                    options: .regularExpression) != nil, "\(pubDate)")
            #expect(MailDate.parse(pubDate) != nil)
            #expect(!item.elements(forName: "title").isEmpty || !item.elements(forName: "description").isEmpty)
        }
    }

    @Test func rfc822AndRFC3339DatesAgree() {
        for seconds in stride(from: Int64(-86400 * 400), to: Int64(86400 * 365 * 80), by: 86400 * 37 + 3671) {
            let date = Date(timeIntervalSince1970: Double(seconds))
            #expect(MailDate.parse(FeedDate.rfc822(date)) == date)
            #expect(FeedDate.parse(FeedDate.rfc3339(date))?.date == date)
        }
    }

    /// One entry per instance in the window, recurrences expanded, the override replacing its occurrence.
    @Test func calendarEntriesAreInstancesInZimbrasDefaultWindow() throws {
        let log = DiagnosticLog()
        let reader = IcsReader(source: MemorySource(try FeedFixtures.bytes("calendar/google.ics"), name: "google.ics"),
                               options: ReadOptions(), log: log)
        var items: [Item] = []
        while let item = try reader.next() { items.append(item) }
        // now = 2024-03-18 12:00 UTC: the window is 2024-03-11 12:00 … 2024-03-25 12:00.
        let (bytes, _) = try FeedFixtures.write(items, style: .atom, options: Self.options(now: "2024-03-18T12:00:00Z"))
        #expect(AtomRules.problems(bytes) == [])
        let doc = try XMLDocument(data: Data(bytes), options: [])
        let entries = AtomRules.children(doc.rootElement()!, "entry")
        let titles = entries.map { AtomRules.children($0, "title")[0].stringValue ?? "" }
        let updated = entries.map { AtomRules.children($0, "updated")[0].stringValue ?? "" }
        #expect(titles == ["Stand-up", "Quartalsplanung Q2", "Stand-up (moved)"])
        #expect(updated == ["2024-03-12T08:30:00Z", "2024-03-15T13:00:00Z", "2024-03-19T10:00:00Z"])
        let when = AtomRules.children(entries[2], "when", uri: "http://schemas.google.com/g/2005").first
        #expect(when.flatMap { AtomRules.attr($0, "startTime") } == "2024-03-19T10:00:00Z")
        let place = AtomRules.children(entries[2], "where", uri: "http://schemas.google.com/g/2005").first
        #expect(place.flatMap { AtomRules.attr($0, "valueString") } == "Raum 3.14")
        // An explicit range replaces the default window: the weekly stand-up until April 30, but not April 2 (EXDATE).
        let (april, _) = try FeedFixtures.write(items, style: .rss, options: Self.options(now: "2024-03-18T12:00:00Z",
                                                                                         start: "2024-04-01", end: "2024-05-01"))
        let rss = try XMLDocument(data: Data(april), options: [])
        let rssTitles = rss.rootElement()!.elements(forName: "channel")[0].elements(forName: "item").map { $0.elements(forName: "title")[0].stringValue ?? "" }
        #expect(rssTitles == ["Ostermontag", "Stand-up", "Stand-up", "Stand-up", "Stand-up"])
        let pubDates = rss.rootElement()!.elements(forName: "channel")[0].elements(forName: "item").map { $0.elements(forName: "pubDate")[0].stringValue ?? "" }
        #expect(pubDates[1] == "Tue, 09 Apr 2024 07:30:00 +0000" && pubDates[4] == "Tue, 30 Apr 2024 07:30:00 +0000")
    }

    /// Entries are written as items arrive: the sink holds entries before `finish()`.
    @Test func messagesStreamThroughTheWriter() throws {
        let message = try MIMEParser.parse(FeedFixtures.bytes("mime/gmail-alternative.eml"))
        let sink = MemorySink()
        let writer = FeedWriter(style: .atom, sink: sink, options: try Self.options(), log: DiagnosticLog())
        for n in 0..<400 { _ = try writer.write(Item(message, metadata: ItemMetadata(date: Date(timeIntervalSince1970: Double(n))))) }
        let before = sink.bytes.count
        #expect(before > 0)
        #expect(String(decoding: sink.bytes, as: UTF8.self).components(separatedBy: "<entry>").count - 1 >= 100)
        try writer.finish()
        #expect(sink.bytes.count > before)
    }

    @Test(.enabled(if: FeedParserOracle.available, "python3 with feedparser is not installed"))
    func feedparserReadsGeneratedFeedsWithoutBozo() throws {
        let items = try FeedFixtures.mimeItems()
        for style in [FeedStyle.atom, .rss] {
            let (bytes, _) = try FeedFixtures.write(items, style: style, options: Self.options())
            let result = try FeedParserOracle.parse(bytes)
            #expect(result["bozo"] as? Int == 0, "\(style): \(result["exception"] ?? "")")
            #expect(result["version"] as? String == (style == .atom ? "atom10" : "rss20"))
            let titles = result["titles"] as? [String] ?? []
            #expect(titles.count == items.count)
            let expected = items.map { ($0.payload as! MIMEMessage).subject.map { HTMLText.collapse($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "(no subject)" }
            #expect(titles == expected)
        }
        // Calendar instances and entries read from other feeds (feed to feed) are valid too.
        let log = DiagnosticLog()
        let ics = IcsReader(source: MemorySource(try FeedFixtures.bytes("calendar/google.ics")), options: ReadOptions(), log: log)
        var events: [Item] = []
        while let item = try ics.next() { events.append(item) }
        var sets: [(String, [Item], Int)] = [("google.ics", events, 3)]
        for name in ["wordpress.rss", "broken-0.91.rss", "zimbra-inbox.atom", "blogger-0.3.atom", "slashdot-1.0.rdf"] {
            let read = try FeedFixtures.read(FeedFixtures.bytes("feeds/" + name))
            sets.append((name, read.items, read.items.count))
        }
        for (name, items, count) in sets {
            for style in [FeedStyle.atom, .rss] {
                let (bytes, _) = try FeedFixtures.write(items, style: style, options: Self.options(now: "2024-03-18T12:00:00Z"))
                if style == .atom { #expect(AtomRules.problems(bytes) == [], "\(name)") }
                let result = try FeedParserOracle.parse(bytes)
                #expect(result["bozo"] as? Int == 0, "\(name) \(style): \(result["exception"] ?? "")")
                #expect((result["titles"] as? [String])?.count == count, "\(name) \(style)")
            }
        }
    }
}
