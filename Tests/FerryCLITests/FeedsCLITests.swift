import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// End to end: `ferry convert` to and from Atom/RSS.
@Suite struct FeedsCLITests {
    static func feed(_ name: String) -> String { FerryCLI.fixtures.appendingPathComponent("feeds/" + name).path }
    static func archive(_ name: String) -> String { FerryCLI.fixtures.appendingPathComponent("archives/" + name).path }
    static let atomNS = "http://www.w3.org/2005/Atom"

    static func entries(_ data: Data) throws -> [XMLElement] {
        let doc = try XMLDocument(data: data, options: [])
        return (doc.rootElement()?.children ?? []).compactMap { $0 as? XMLElement }.filter { $0.localName == "entry" && $0.uri == atomNS }
    }

    static func child(_ e: XMLElement, _ name: String) -> String? {
        (e.children ?? []).compactMap { $0 as? XMLElement }.first { $0.localName == name }?.stringValue
    }

    @Test func zimbraExportToAtomHonoursTheQuery() throws {
        let all = try FerryCLI.run(["convert", Self.archive("zimbra-export.tgz"), "--to", "atom", "-o", "-", "--now", "2026-11-23T12:00:00Z",
                                    "--query", "in:inbox or in:sent", "--feed-title", "Ross's mail"])
        let unread = try FerryCLI.run(["convert", Self.archive("zimbra-export.tgz"), "--to", "atom", "-o", "-", "--now", "2026-11-23T12:00:00Z",
                                       "--query", "is:unread"])
        #expect(unread.status == 0, "\(unread.stderr)")
        let unreadEntries = try Self.entries(unread.stdout)
        #expect(unreadEntries.map { Self.child($0, "title") } == ["Hello from Rachel"])
        let allEntries = try Self.entries(all.stdout)
        #expect(allEntries.count > unreadEntries.count)
        #expect(bytesContain(all.out, "<title type=\"text\">Ross&apos;s mail</title>") || bytesContain(all.out, "<title type=\"text\">Ross's mail</title>"))
        #expect(bytesContain(unread.out, "<updated>2026-11-23T12:00:00Z</updated>"))
    }

    @Test func mboxToRSSWithFullContentAndTimeRange() throws {
        let r = try FerryCLI.run(["convert", Self.archive("thunderbird.mbox"), "--to", "rss", "-o", "-", "--full-content",
                                  "--start", "2022-07-05T19:00:00Z", "--end", "2022-07-06T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(occurrences("<item>", in: r.out) == 1)
        #expect(bytesContain(r.out, "<title>flagged forwarded unread</title>"))
        #expect(bytesContain(r.out, "<guid isPermaLink=\"false\">urn:uuid:"))
        #expect(bytesContain(r.out, "<pubDate>Tue, 05 Jul 2022 19:00:00 +0000</pubDate>"))
        #expect(bytesContain(r.out, "<content:encoded>"))
    }

    @Test func calendarToAtomUsesZimbrasWindow() throws {
        let ics = FerryCLI.fixtures.appendingPathComponent("calendar/google.ics").path
        let r = try FerryCLI.run(["convert", ics, "--to", "atom", "-o", "-", "--now", "2024-03-18T12:00:00Z", "--tz", "Europe/Berlin"])
        #expect(r.status == 0, "\(r.stderr)")
        let titles = try Self.entries(r.stdout).map { Self.child($0, "title") }
        #expect(titles == ["Stand-up", "Quartalsplanung Q2", "Stand-up (moved)"])
        #expect(bytesContain(r.out, "When: 2024-03-19T11:00:00+01:00 – 2024-03-19T11:30:00+01:00"))
        #expect(bytesContain(r.out, "Where: Raum 3.14"))
    }

    @Test func feedToMboxIsOneMessagePerEntry() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let out = dir.appendingPathComponent("feed.mbox").path
        let r = try FerryCLI.run(["convert", Self.feed("zimbra-inbox.atom"), "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(bytesContain(r.stderr, "zimbra-inbox.atom:10:8: warning:"))   // the raw sender in <email>
        let mbox = try String(contentsOfFile: out, encoding: .utf8)
        #expect(occurrences("\nFrom ", in: "\n" + mbox) == 3)
        #expect(bytesContain(mbox, "From: \"Rachel Green\" <rachel@example.org>"))
        #expect(bytesContain(mbox, "Subject: Hello from Rachel"))
        #expect(bytesContain(mbox, "Date: Tue, 14 Nov 2023 22:15:00 +0000"))
        #expect(bytesContain(mbox, "Content-Type: text/html; charset=utf-8"))
        // And back: the mbox read as mail and written as a valid Atom feed.
        let back = try FerryCLI.run(["convert", out, "--to", "atom", "-o", "-"])
        #expect(back.status == 0)
        #expect(try Self.entries(back.stdout).map { Self.child($0, "title") } == ["Hello from Rachel", "Très long sujet avec des accents — et un tiret", "Re: Sans fin"])
    }

    @Test func feedToJSONAndICS() throws {
        let json = try FerryCLI.run(["convert", Self.feed("wordpress.rss"), "--to", "json", "-o", "-"])
        #expect(json.status == 0)
        let lines = json.out.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["title"] as? String == "Pruning the old apple tree")
        let ics = try FerryCLI.run(["convert", Self.feed("zimbra-calendar.atom"), "--to", "ics", "-o", "-"])
        #expect(ics.status == 0, "\(ics.stderr)")
        #expect(occurrences("BEGIN:VEVENT", in: ics.out) == 2)
        #expect(bytesContain(ics.out, "DTSTART:20240319T083000Z"))
        #expect(bytesContain(ics.out, "SUMMARY:Team sync"))
    }

    @Test func notXMLExitsTwoWithLineAndColumn() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out.json").path
        let r = try FerryCLI.run(["convert", Self.feed("not-xml.atom"), "-o", out])
        #expect(r.status == 2)
        #expect(bytesContain(r.stderr, "not-xml.atom:1:1: error: not XML"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func formatsListsFeeds() throws {
        let r = try FerryCLI.run(["formats"])
        let atom = r.out.split(separator: "\n").first { $0.hasPrefix("atom ") }.map(String.init) ?? ""
        let rss = r.out.split(separator: "\n").first { $0.hasPrefix("rss ") }.map(String.init) ?? ""
        #expect(atom.split(separator: " ", omittingEmptySubsequences: true).prefix(3) == ["atom", "yes", "yes"])
        #expect(rss.split(separator: " ", omittingEmptySubsequences: true).prefix(3) == ["rss", "yes", "yes"])
    }
}
