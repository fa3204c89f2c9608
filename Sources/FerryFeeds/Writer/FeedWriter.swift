import Foundation
import FerryCore
import FerryMIME
import FerryCalendar

/// The two feed dialects Ferry writes.
public enum FeedStyle: String, Sendable {
    case atom, rss
}

/// Writes Atom 1.0 (RFC 4287) or RSS 2.0, streaming: the feed's head is written with the first entry,
/// each message's entry as it arrives (a 100,000-message mbox is converted in flat memory). Calendar
/// events are gathered (one entry per instance in the window, the window being `--start/--end` or
/// Zimbra's now ± 7 days) and written, in start order, after the messages.
///
/// The feed-level `updated` is the time of conversion (`--now` makes it reproducible): it is written
/// before the entries, when the newest entry is not yet known, and a feed is modified when it is made.
/// Format options: `title`, `link` (the feed's own URL: Atom `rel="self"`, the RSS channel link),
/// `content=full` (each message's body as the entry's content).
public final class FeedWriter: ItemWriter {
    let style: FeedStyle
    let sink: ByteSink
    let log: DiagnosticLog
    let now: Date
    let title: String?
    let link: String?
    let fullContent: Bool
    private var events: EventEntries
    private var headWritten = false
    private var out: [UInt8] = []
    public private(set) var entriesWritten = 0

    public init(style: FeedStyle, sink: ByteSink, options: WriteOptions, log: DiagnosticLog) {
        self.style = style
        self.sink = sink
        self.log = log
        now = options.timeContext.now
        title = options.formatOptions["title"].flatMap { $0.isEmpty ? nil : $0 }
        link = options.formatOptions["link"].flatMap { $0.isEmpty ? nil : $0 }
        fullContent = ["full", "1", "true", "yes"].contains(options.formatOptions["content"]?.lowercased() ?? "")
        events = EventEntries(options: options, log: log)
        out.reserveCapacity(1 << 16)
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        let fields: EntryFields
        if let entry = item.payload as? FeedEntry {
            fields = entry.fields(now: now)
        } else if let object = item.payload as? CalendarObject {
            if !headWritten { try writeHead(folder: item.metadata.folder) }
            return events.add(object, origin: item.origin)
        } else if item.kind == .message {
            do {
                guard let f = try MessageEntries.fields(item, fullContent: fullContent, now: now) else {
                    return .skipped(reason: "message without bytes")
                }
                fields = f
            } catch let error as FerryError {
                log.emit(error.diagnostic.located(in: item.origin))
                return .skipped(reason: "message cannot be read")
            }
        } else if item.kind == .folder || item.kind == .tag {
            return .written   // carried by the entries' categories
        } else {
            return .skipped(reason: "a feed holds messages and calendar events, not \(item.kind.rawValue) items")
        }
        if !headWritten { try writeHead(folder: item.metadata.folder) }
        appendEntry(fields)
        if out.count >= 1 << 16 { try flush() }
        return .written
    }

    public func finish() throws {
        if !headWritten { try writeHead(folder: nil) }
        for fields in events.entries() { appendEntry(fields); if out.count >= 1 << 16 { try flush() } }
        switch style {
        case .atom: text("</feed>\n")
        case .rss: text("</channel>\n</rss>\n")
        }
        try flush()
    }

    private func flush() throws {
        try sink.write(out)
        out.removeAll(keepingCapacity: true)
    }

    private func text(_ s: String) { out.append(contentsOf: s.utf8) }

    private func element(_ name: String, _ value: String, attributes: [(String, String)] = [], indent: String = "    ") {
        text(indent + "<" + name)
        for (k, v) in attributes { text(" \(k)=\""); XMLEscape.append(v, to: &out, attribute: true); text("\"") }
        text(">")
        XMLEscape.append(value, to: &out)
        text("</" + name + ">\n")
    }

    private func writeHead(folder: String?) throws {
        headWritten = true
        let feedTitle = title ?? (folder.flatMap { $0.isEmpty ? nil : "Ferry: " + $0 } ?? "Ferry feed")
        let feedID = StableID.urn("feed:" + (link ?? feedTitle))
        text("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
        switch style {
        case .atom:
            text("<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:gd=\"http://schemas.google.com/g/2005\">\n")
            element("id", feedID, indent: "  ")
            element("title", feedTitle, attributes: [("type", "text")], indent: "  ")
            element("updated", FeedDate.rfc3339(now), indent: "  ")
            element("generator", "Ferry", attributes: [("version", "0.1.0")], indent: "  ")
            if let link { text("  <link rel=\"self\" type=\"application/atom+xml\" href=\"\(XMLEscape.escaped(link, attribute: true))\"/>\n") }
        case .rss:
            text("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
                 + "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:gd=\"http://schemas.google.com/g/2005\">\n<channel>\n")
            element("title", feedTitle, indent: "  ")
            element("link", link ?? feedID, indent: "  ")
            element("description", feedTitle + ", written by Ferry", indent: "  ")
            element("generator", "Ferry 0.1.0", indent: "  ")
            element("lastBuildDate", FeedDate.rfc822(now), indent: "  ")
            if let link { text("  <atom:link rel=\"self\" type=\"application/rss+xml\" href=\"\(XMLEscape.escaped(link, attribute: true))\"/>\n") }
        }
        try flush()
    }

    private func appendEntry(_ f: EntryFields) {
        entriesWritten += 1
        switch style {
        case .atom:
            text("  <entry>\n")
            element("id", f.id)
            element("title", f.title, attributes: [("type", f.titleIsHTML ? "html" : "text")])
            element("updated", FeedDate.rfc3339(f.updated))
            if let published = f.published { element("published", FeedDate.rfc3339(published)) }
            text("    <author>\n")
            element("name", f.authorName, indent: "      ")
            if let email = f.authorEmail { element("email", email, indent: "      ") }
            text("    </author>\n")
            if let link = f.link { text("    <link rel=\"alternate\" href=\"\(XMLEscape.escaped(link, attribute: true))\"/>\n") }
            for e in f.enclosures {
                text("    <link rel=\"enclosure\" href=\"\(XMLEscape.escaped(e.url, attribute: true))\"")
                if let type = e.type { text(" type=\"\(XMLEscape.escaped(type, attribute: true))\"") }
                if let length = e.length { text(" length=\"\(length)\"") }
                text("/>\n")
            }
            for c in f.categories { text("    <category term=\"\(XMLEscape.escaped(c, attribute: true))\"/>\n") }
            if let summary = f.summary { element("summary", summary, attributes: [("type", f.summaryIsHTML ? "html" : "text")]) }
            if let content = f.content { element("content", content, attributes: [("type", f.contentIsHTML ? "html" : "text")]) }
            appendEvent(f)
            text("  </entry>\n")
        case .rss:
            text("  <item>\n")
            element("title", f.titleIsHTML ? HTMLText.plain(f.title) : f.title)
            if let link = f.link, !link.hasPrefix("urn:") { element("link", link) }
            if let description = f.summary ?? f.content { element("description", description) }
            if let email = f.authorEmail {
                element("author", f.authorName == email ? email : "\(email) (\(f.authorName))")
            } else {
                element("dc:creator", f.authorName)
            }
            element("guid", f.id, attributes: [("isPermaLink", "false")])
            element("pubDate", FeedDate.rfc822(f.published ?? f.updated))
            for c in f.categories { element("category", c) }
            for e in f.enclosures {
                text("    <enclosure url=\"\(XMLEscape.escaped(e.url, attribute: true))\" length=\"\(e.length ?? 0)\" "
                     + "type=\"\(XMLEscape.escaped(e.type ?? "application/octet-stream", attribute: true))\"/>\n")
            }
            if let content = f.content, f.summary != nil {
                element("content:encoded", f.contentIsHTML ? content : "<pre>" + XMLEscape.escaped(content) + "</pre>")
            }
            appendEvent(f)
            text("  </item>\n")
        }
    }

    /// GData's event elements (the shape Google Calendar's feeds used): machine-readable start, end and place.
    private func appendEvent(_ f: EntryFields) {
        guard let e = f.event else { return }
        let (s, end) = EventEntries.gdTimes(e)
        text("    <gd:when startTime=\"\(s)\" endTime=\"\(end)\"/>\n")
        if let location = e.location, !location.isEmpty {
            text("    <gd:where valueString=\"\(XMLEscape.escaped(location, attribute: true))\"/>\n")
        }
    }
}
