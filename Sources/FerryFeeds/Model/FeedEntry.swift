import Foundation
import FerryCore
import FerryMIME
import FerryCalendar

/// Text as a feed carries it: plain, or HTML (Atom `type="html"`/`"xhtml"`, RSS descriptions).
public struct FeedText: Sendable, Equatable {
    public var value: String
    public var isHTML: Bool

    public init(_ value: String, isHTML: Bool = false) {
        self.value = value
        self.isHTML = isHTML
    }

    /// The text without markup.
    public var plain: String { isHTML ? HTMLText.plain(value) : value }
}

public struct FeedLink: Sendable, Equatable {
    public var href: String
    public var rel: String
    public var type: String?
}

public struct FeedEnclosure: Sendable, Equatable {
    public var url: String
    public var type: String?
    public var length: Int?
}

/// An element Ferry does not map, kept with its text (`dc:rights`, `slash:comments`, …).
public struct FeedExtension: Sendable, Equatable {
    public var name: String
    public var value: String
}

/// What an entry knows of the feed it came from.
public struct FeedInfo: Sendable, Equatable {
    /// `atom10`, `atom03`, `rss20`, `rss10`, `rss09x` (feedparser's names).
    public var version: String
    public var title: String?
    public var link: String?
    public var id: String?
}

/// One entry (Atom) or item (RSS) read from a feed. Its kind is `message` — Zimbra keeps the items of
/// a subscribed feed as messages, and rss2email mails them — so mail formats take it as the message
/// `originalBytes` renders (From from the author, Subject from the title, Date, a text/html body,
/// Message-ID from the entry id); an `.ics` takes it as an event when it carries dates.
public struct FeedEntry: ConvertibleItemPayload {
    public var feed: FeedInfo
    public var id: String?
    public var title: FeedText?
    public var links: [FeedLink] = []
    public var authorName: String?
    public var authorEmail: String?
    public var authorURI: String?
    public var published: Date?
    public var updated: Date?
    public var summary: FeedText?
    public var content: FeedText?
    public var categories: [String] = []
    public var enclosures: [FeedEnclosure] = []
    /// gd:when / gd:where (events in Ferry's and Google Calendar's feeds), as written.
    public var eventStart: String?
    public var eventEnd: String?
    public var eventLocation: String?
    public var extensions: [FeedExtension] = []

    public init(feed: FeedInfo) { self.feed = feed }

    public var kind: ItemKind { .message }

    /// The main link: `rel="alternate"` first, else the first link.
    public var link: String? { (links.first { $0.rel == "alternate" } ?? links.first)?.href }

    public var date: Date? { updated ?? published }

    public var originalBytes: [UInt8]? { messageBytes() }

    public func converted(to kind: ItemKind) -> (any ItemPayload)? {
        guard kind == .calendar else { return nil }
        guard let bytes = calendarBytes() else { return nil }
        let reader = IcsReader(source: MemorySource(bytes, name: "<feed entry>"), options: ReadOptions(), log: DiagnosticLog())
        return (try? reader.next())?.payload
    }

    public func jsonObject() -> [String: any Sendable] {
        var o: [String: any Sendable] = ["feed": ["version": feed.version, "title": feed.title ?? "", "link": feed.link ?? "",
                                                 "id": feed.id ?? ""] as [String: any Sendable]]
        if let id { o["id"] = id }
        if let title { o["title"] = title.value; if title.isHTML { o["titleType"] = "html" } }
        if !links.isEmpty {
            o["links"] = links.map { l -> [String: any Sendable] in
                var d: [String: any Sendable] = ["href": l.href, "rel": l.rel]
                if let t = l.type { d["type"] = t }
                return d
            }
        }
        if authorName != nil || authorEmail != nil || authorURI != nil {
            var a: [String: any Sendable] = [:]
            if let authorName { a["name"] = authorName }
            if let authorEmail { a["email"] = authorEmail }
            if let authorURI { a["uri"] = authorURI }
            o["author"] = a
        }
        if let published { o["published"] = FeedDate.rfc3339(published) }
        if let updated { o["updated"] = FeedDate.rfc3339(updated) }
        if let summary { o["summary"] = ["value": summary.value, "type": summary.isHTML ? "html" : "text"] as [String: any Sendable] }
        if let content { o["content"] = ["value": content.value, "type": content.isHTML ? "html" : "text"] as [String: any Sendable] }
        if !categories.isEmpty { o["categories"] = categories }
        if !enclosures.isEmpty {
            o["enclosures"] = enclosures.map { e -> [String: any Sendable] in
                var d: [String: any Sendable] = ["url": e.url]
                if let t = e.type { d["type"] = t }
                if let l = e.length { d["length"] = l }
                return d
            }
        }
        if eventStart != nil || eventLocation != nil {
            var w: [String: any Sendable] = [:]
            if let eventStart { w["start"] = eventStart }
            if let eventEnd { w["end"] = eventEnd }
            if let eventLocation { w["location"] = eventLocation }
            o["event"] = w
        }
        if !extensions.isEmpty { o["extensions"] = extensions.map { ["name": $0.name, "value": $0.value] as [String: any Sendable] } }
        return o
    }

    /// The fields a feed writer needs (feed → feed conversions).
    func fields(now: Date) -> EntryFields {
        let idValue = id ?? link ?? StableID.urn("entry:" + (title?.value ?? "") + (published.map(FeedDate.rfc3339) ?? ""))
        var f = EntryFields(id: idValue, title: title?.value ?? "(no title)", authorName: authorName ?? authorEmail ?? feed.title ?? "(unknown author)",
                            authorEmail: authorEmail.flatMap { $0.contains("@") ? $0 : nil }, updated: updated ?? published ?? now,
                            published: published)
        f.titleIsHTML = title?.isHTML ?? false
        f.summary = summary?.value
        f.summaryIsHTML = summary?.isHTML ?? false
        f.content = content?.value
        f.contentIsHTML = content?.isHTML ?? false
        f.link = link
        f.categories = categories
        f.enclosures = enclosures
        if f.link == nil && f.content == nil { f.content = summary?.plain ?? "" }
        if let s = eventStart, let start = FeedDate.parse(s)?.date {
            let end = eventEnd.flatMap { FeedDate.parse($0)?.date } ?? start
            f.event = EventFields(start: Int64(start.timeIntervalSince1970), end: Int64(end.timeIntervalSince1970),
                                  allDay: s.count == 10, location: eventLocation, offsetAtStart: 0, offsetAtEnd: 0)
        }
        return f
    }

    // MARK: As a message (rss2email's shape)

    /// The Message-ID: a `mid:` link gives it back as it was; otherwise a stable one from the entry id.
    public var messageID: String {
        if let mid = links.first(where: { $0.href.hasPrefix("mid:") })?.href.dropFirst(4),
           let decoded = String(mid).removingPercentEncoding, decoded.contains("@") {
            return "<" + decoded + ">"
        }
        return "<" + StableID.uuid("entry:" + (id ?? link ?? title?.value ?? "")) + "@feed.ferry.invalid>"
    }

    func messageBytes() -> [UInt8] {
        var h = ""
        func field(_ name: String, _ value: String) {
            h += name + ": " + MessageText.headerValue(value, nameLength: name.count + 2) + "\r\n"
        }
        let name = authorName ?? feed.title ?? "Feed"
        let address = authorEmail.flatMap { MessageText.isAddress($0) ? $0 : nil } ?? "feed@ferry.invalid"
        h += "From: " + MessageText.mailbox(name: name, address: address) + "\r\n"
        field("Subject", HTMLText.collapse(title?.plain ?? "(no title)"))
        h += "Date: " + FeedDate.rfc822(published ?? updated ?? Date(timeIntervalSince1970: 0)) + "\r\n"
        h += "Message-ID: " + messageID + "\r\n"
        h += "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        if let feedLink = feed.link ?? feed.id { field("X-RSS-Feed", feedLink) }
        if let id { field("X-RSS-ID", id) }
        if let link { field("X-RSS-URL", link) }
        if !categories.isEmpty { field("X-RSS-TAGS", categories.joined(separator: ", ")) }
        h += "User-Agent: Ferry 0.1.0\r\n\r\n"
        var body = "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>" + XMLEscape.escaped(title?.plain ?? "") + "</title></head>\n<body>\n"
        if let link {
            body += "<h1><a href=\"" + XMLEscape.escaped(link, attribute: true) + "\">" + XMLEscape.escaped(title?.plain ?? link) + "</a></h1>\n"
        }
        if let text = content ?? summary {
            body += text.isHTML ? text.value : "<pre>" + XMLEscape.escaped(text.value) + "</pre>"
            body += "\n"
        }
        if let eventStart {
            body += "<p>When: " + XMLEscape.escaped(eventStart + (eventEnd.map { " – " + $0 } ?? "")) + "</p>\n"
        }
        if let eventLocation { body += "<p>Where: " + XMLEscape.escaped(eventLocation) + "</p>\n" }
        for e in enclosures { body += "<p>Enclosure: <a href=\"" + XMLEscape.escaped(e.url, attribute: true) + "\">" + XMLEscape.escaped(e.url) + "</a></p>\n" }
        if let link { body += "<p>URL: <a href=\"" + XMLEscape.escaped(link, attribute: true) + "\">" + XMLEscape.escaped(link) + "</a></p>\n" }
        body += "</body>\n</html>\n"
        return Array(h.utf8) + MessageText.quotedPrintable(Array(body.utf8))
    }

    // MARK: As an event

    func calendarBytes() -> [UInt8]? {
        var start: String?
        var end: String?
        func icsTime(_ text: String) -> String? {
            if text.count == 10, FeedDate.iso8601(text) != nil { return ";VALUE=DATE:" + text.replacingOccurrences(of: "-", with: "") }
            return FeedDate.parse(text).map { ":" + FreeBusyMerge.utcString(Int64($0.date.timeIntervalSince1970)) }
        }
        if let s = eventStart { start = icsTime(s); end = eventEnd.flatMap(icsTime) }
        if start == nil, let d = published ?? updated { start = ":" + FreeBusyMerge.utcString(Int64(d.timeIntervalSince1970)) }
        guard let start else { return nil }
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ferry//Ferry Feeds//EN", "BEGIN:VEVENT"]
        lines.append("UID:" + ICSText.escape(id ?? link ?? messageID))
        let stamp = (updated ?? published).map { FreeBusyMerge.utcString(Int64($0.timeIntervalSince1970)) } ?? FreeBusyMerge.utcString(0)
        lines.append("DTSTAMP:" + stamp)
        lines.append("DTSTART" + start)
        if let end { lines.append("DTEND" + end) }
        lines.append("SUMMARY:" + ICSText.escape(title?.plain ?? ""))
        if let eventLocation { lines.append("LOCATION:" + ICSText.escape(eventLocation)) }
        if let text = (content ?? summary)?.plain, !text.isEmpty { lines.append("DESCRIPTION:" + ICSText.escape(text)) }
        if let authorEmail, MessageText.isAddress(authorEmail) {
            lines.append("ORGANIZER" + (authorName.map { ";CN=\"" + $0.replacingOccurrences(of: "\"", with: "'") + "\"" } ?? "") + ":mailto:" + authorEmail)
        }
        if let link { lines.append("URL:" + link) }
        if !categories.isEmpty { lines.append("CATEGORIES:" + categories.map(ICSText.escape).joined(separator: ",")) }
        lines += ["END:VEVENT", "END:VCALENDAR"]
        var out: [UInt8] = []
        for line in lines { ICSText.fold(line, into: &out) }
        return out
    }
}

/// Header and body encodings for the messages made from entries.
enum MessageText {
    static func isAddress(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"<>()[]\\,;:\" ".unicodeScalars.contains($0) }
    }

    static func mailbox(name: String, address: String) -> String {
        let clean = HTMLText.collapse(name)
        if clean.isEmpty { return "<" + address + ">" }
        if clean.unicodeScalars.allSatisfy({ $0.value < 0x7F }) {
            return "\"" + clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\" <" + address + ">"
        }
        return encodedWords(clean) + " <" + address + ">"
    }

    /// An unstructured header value: ASCII as is, otherwise RFC 2047 B-encoded words (UTF-8), folded.
    static func headerValue(_ value: String, nameLength: Int) -> String {
        let clean = HTMLText.collapse(value)
        if clean.unicodeScalars.allSatisfy({ $0.value < 0x7F && $0.value >= 0x20 }) && clean.utf8.count + nameLength < 998 { return clean }
        return encodedWords(clean)
    }

    static func encodedWords(_ text: String) -> String {
        var words: [[UInt8]] = []
        var chunk: [UInt8] = []
        for ch in text {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 45 { words.append(chunk); chunk = [] }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?" + Data($0).base64EncodedString() + "?=" }.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045 §6.7) with CRLF hard line breaks, soft breaks at 76 characters.
    static func quotedPrintable(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + body.count / 8)
        var lineLength = 0
        let hex = Array("0123456789ABCDEF".utf8)
        var i = 0
        while i < body.count {
            let b = body[i]
            if b == 0x0A {
                out += [0x0D, 0x0A]; lineLength = 0; i += 1; continue
            }
            if b == 0x0D { i += 1; continue }
            let nextIsBreak = i + 1 >= body.count || body[i + 1] == 0x0A || body[i + 1] == 0x0D
            let literal = (b >= 0x21 && b <= 0x7E && b != 0x3D) || ((b == 0x20 || b == 0x09) && !nextIsBreak)
            let width = literal ? 1 : 3
            if lineLength + width > 75 { out += [0x3D, 0x0D, 0x0A]; lineLength = 0 }
            if literal { out.append(b) } else { out += [0x3D, hex[Int(b >> 4)], hex[Int(b & 15)]] }
            lineLength += width
            i += 1
        }
        return out
    }
}

/// iCalendar text values and folding (RFC 5545 §3.3.11, §3.1).
enum ICSText {
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n": out += "\\n"
            case "\r": break
            default: out.append(ch)
            }
        }
        return out
    }

    static func fold(_ line: String, into out: inout [UInt8]) {
        var count = 0
        for scalar in line.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if count + bytes.count > 75 { out += [0x0D, 0x0A, 0x20]; count = 1 }
            out += bytes
            count += bytes.count
        }
        out += [0x0D, 0x0A]
    }
}
