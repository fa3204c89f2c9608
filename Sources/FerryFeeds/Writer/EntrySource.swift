import Foundation
import FerryCore
import FerryMIME
import FerryCalendar

/// What a writer needs of one entry, whatever it came from (a message, an event instance, a read feed).
struct EntryFields {
    var id: String
    var title: String
    var titleIsHTML = false
    var authorName: String
    var authorEmail: String?
    var updated: Date
    var published: Date?
    var summary: String?
    var summaryIsHTML = false
    var content: String?
    var contentIsHTML = false
    var link: String?
    var categories: [String] = []
    var event: EventFields?
    var enclosures: [FeedEnclosure] = []
}

struct EventFields {
    var start: Int64
    var end: Int64
    var allDay: Bool
    var location: String?
    /// The zone offset (seconds) the times are shown in.
    var offsetAtStart: Int
    var offsetAtEnd: Int
}

/// Entries from messages: decoded subject as title, the sender as author, the received date as
/// `updated` (the `Date:` field as `published`), the first text part as summary, optionally the
/// preferred body as content.
enum MessageEntries {
    static let summaryLimit = 500

    static func fields(_ item: Item, fullContent: Bool, now: Date) throws -> EntryFields? {
        let message: MIMEMessage
        if let parsed = item.payload as? MIMEMessage {
            message = parsed
        } else {
            let sink = MemorySink()
            guard try item.payload.writeOriginal(to: sink) else { return nil }
            message = try MIMEParser.parse(sink.bytes)
        }
        let subject = message.subject.map { HTMLText.collapse($0) } ?? ""
        let sender = message.from.first
        let rawFrom = message.header.text("From", fallback: message.headerFallback)
        let authorName = sender?.name.flatMap { $0.isEmpty ? nil : $0 } ?? sender?.address
            ?? rawFrom.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } ?? "(unknown sender)"
        let messageID = message.messageID.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t")) }
            .flatMap { $0.isEmpty ? nil : $0 }
        let sent = message.date
        let updated = item.metadata.date ?? sent ?? now
        let idName: String
        if let messageID {
            idName = "message-id:" + messageID
        } else if let id = item.metadata.id {
            idName = "item:" + (item.metadata.folder ?? "") + "/" + id
        } else {
            // Neither: the header's identity (date, sender, subject) is what stays the same across exports.
            idName = "header:" + [message.header.text("Date") ?? "", rawFrom ?? "", subject].joined(separator: "\u{1F}")
        }
        var fields = EntryFields(id: StableID.urn(idName), title: subject.isEmpty ? "(no subject)" : subject,
                                 authorName: authorName, authorEmail: sender?.address, updated: updated, published: sent)
        if let messageID { fields.link = "mid:" + percentEncode(messageID) }
        // First text part (not an attachment): the summary; the preferred body (HTML if present): the content.
        var firstText: (MIMEPart, Bool)?
        var firstHTML: MIMEPart?
        var firstPlain: MIMEPart?
        message.root.walk { part in
            guard part.kind == .leaf, part.contentType.type == "text",
                  part.disposition?.value.lowercased() != "attachment" else { return }
            let html = part.contentType.subtype == "html"
            guard html || part.contentType.subtype == "plain" else { return }
            if firstText == nil { firstText = (part, html) }
            if html, firstHTML == nil { firstHTML = part }
            if !html, firstPlain == nil { firstPlain = part }
        }
        if let (part, html) = firstText {
            let text = try message.text(of: part)
            let plain = html ? HTMLText.plain(text) : HTMLText.collapse(text)
            if !plain.isEmpty { fields.summary = HTMLText.excerpt(plain, limit: summaryLimit) }
        }
        if fullContent {
            if let part = firstHTML {
                fields.content = try message.text(of: part)
                fields.contentIsHTML = true
            } else if let part = firstPlain {
                fields.content = try message.text(of: part)
            }
        }
        // Without a link an Atom entry needs content (RFC 4287 §4.1.1.1): the summary's text then.
        if fields.link == nil && fields.content == nil { fields.content = fields.summary ?? "" }
        if let folder = item.metadata.folder, !folder.isEmpty { fields.categories.append(folder) }
        fields.categories += item.metadata.tags
        return fields
    }

    /// RFC 2392 `mid:` URLs percent-encode what is not unreserved or a sub-delimiter.
    static func percentEncode(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            let unreserved = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || "-._~!$&'()*+,;=:@".utf8.contains(b)
            if unreserved { out.append(b) } else { out += [0x25, hex[Int(b >> 4)], hex[Int(b & 15)]] }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Entries from calendar objects: one per VEVENT instance in the window, recurrences expanded and
/// overridden instances (RECURRENCE-ID) replacing their masters' occurrences.
final class EventEntries {
    private let from: Int64
    private let to: Int64
    private let zones: TimeZoneTable
    private let displayZone: TimeZone
    private let log: DiagnosticLog
    /// (uid, recurrence id) of overrides: their masters' instances are dropped.
    private var overridden = Set<String>()
    private var pending: [(key: String, isOverride: Bool, fields: EntryFields)] = []

    init(options: WriteOptions, log: DiagnosticLog) {
        let now = options.timeContext.now
        // Zimbra's atom/rss default: now − 7 days … now + 7 days.
        let start = options.timeRange.start ?? now.addingTimeInterval(-7 * 86400)
        let end = options.timeRange.end ?? now.addingTimeInterval(7 * 86400)
        from = Int64(start.timeIntervalSince1970.rounded(.down))
        to = Int64(end.timeIntervalSince1970.rounded(.up))
        zones = TimeZoneTable(floating: options.timeContext.timeZone)
        displayZone = options.timeContext.timeZone
        self.log = log
    }

    var isEmpty: Bool { pending.isEmpty }

    func add(_ object: CalendarObject, origin: String?) -> WriteOutcome {
        let c = object.component
        guard ["VEVENT", "VTODO", "VJOURNAL"].contains(c.name) else {
            return .skipped(reason: "a feed lists events, to-dos and journal entries, not \(c.name) components")
        }
        for zone in object.timeZones {
            if let id = zone.property("TZID")?.textValue, !zones.hasComponent(id) { zones.add(zone) }
        }
        let uid = c.uid ?? ""
        let expander = InstanceExpander(zones: zones)
        let expansion: Expansion
        do {
            if let rid = c.property("RECURRENCE-ID") {
                let ridUTC = zones.utc(try CalendarDateTime.parse(property: rid)).utc
                overridden.insert("\(uid)\u{1F}\(ridUTC)")
                var e = try expander.expand(c)
                e.instances = e.instances.filter { inWindow($0) }.map { var i = $0; i.recurrenceID = ridUTC; return i }
                expansion = e
            } else {
                expansion = try expander.expand(c, from: from, to: to)
            }
        } catch {
            log.emit(.warning(error.code, "event \(uid): \(error.message); left out of the feed", file: origin))
            return .skipped(reason: "event times cannot be read")
        }
        if expansion.truncated {
            log.emit(.warning("rrule.truncated", "recurrence of \(uid.isEmpty ? "an event" : uid) stopped early (cap of "
                              + "\(expander.maxInstances) instances)", file: origin))
        }
        for instance in expansion.instances {
            pending.append((key: "\(uid)\u{1F}\(instance.recurrenceID)", isOverride: c.property("RECURRENCE-ID") != nil,
                            fields: fields(c, instance)))
        }
        return .written
    }

    private func inWindow(_ i: Instance) -> Bool {
        i.start < to && (i.end > from || (i.end == i.start && i.start >= from))
    }

    /// The entries in start order (ties by title), overridden master instances left out.
    func entries() -> [EntryFields] {
        pending.filter { $0.isOverride || !overridden.contains($0.key) }.map(\.fields)
            .sorted { ($0.event?.start ?? 0, $0.title) < ($1.event?.start ?? 0, $1.title) }
    }

    private func fields(_ c: Component, _ i: Instance) -> EntryFields {
        let uid = c.uid ?? ""
        let title = c.property("SUMMARY")?.textValue ?? ""
        let location = c.property("LOCATION")?.textValue.trimmingCharacters(in: .whitespacesAndNewlines)
        let description = c.property("DESCRIPTION")?.textValue.trimmingCharacters(in: .whitespacesAndNewlines)
        var authorName = "(no organizer)"
        var authorEmail: String?
        if let organizer = c.property("ORGANIZER") {
            let value = organizer.valueString
            let address = value.lowercased().hasPrefix("mailto:") ? String(value.dropFirst(7)) : nil
            authorEmail = address.flatMap { $0.contains("@") ? $0 : nil }
            authorName = organizer.parameterValue("CN").flatMap { $0.isEmpty ? nil : $0 } ?? address ?? value
        }
        let startOffset = displayZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(i.start)))
        let endOffset = displayZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(i.end)))
        let event = EventFields(start: i.start, end: i.end, allDay: i.isDate, location: location,
                                offsetAtStart: i.isDate ? 0 : startOffset, offsetAtEnd: i.isDate ? 0 : endOffset)
        var text = "When: " + Self.when(event)
        if let location, !location.isEmpty { text += "\nWhere: " + location }
        if let description, !description.isEmpty { text += "\n\n" + description }
        var fields = EntryFields(id: StableID.urn("ical:\(uid)/\(i.recurrenceID)"), title: title.isEmpty ? "(no title)" : title,
                                 authorName: authorName, authorEmail: authorEmail,
                                 updated: Date(timeIntervalSince1970: Double(i.start)))
        fields.summary = HTMLText.excerpt(HTMLText.collapse(text), limit: MessageEntries.summaryLimit)
        fields.content = text
        fields.event = event
        if let url = c.property("URL")?.valueString, !url.isEmpty { fields.link = url }
        fields.categories = c.properties("CATEGORIES").flatMap { $0.textValue.split(separator: ",").map(String.init) }
        return fields
    }

    /// `2026-11-23T10:00:00+01:00 – 2026-11-23T11:00:00+01:00`; all-day events as dates (end inclusive).
    static func when(_ e: EventFields) -> String {
        if e.allDay {
            let first = FeedDate.rfc3339(seconds: e.start, dateOnly: true)
            let last = FeedDate.rfc3339(seconds: max(e.start, e.end - 86400), dateOnly: true)
            return first == last ? first : first + " – " + last
        }
        let s = FeedDate.rfc3339(seconds: e.start, offset: e.offsetAtStart)
        return e.end > e.start ? s + " – " + FeedDate.rfc3339(seconds: e.end, offset: e.offsetAtEnd) : s
    }

    /// gd:when values: RFC 3339 instants, or dates for all-day events (GData's convention, end exclusive).
    static func gdTimes(_ e: EventFields) -> (start: String, end: String) {
        if e.allDay {
            return (FeedDate.rfc3339(seconds: e.start, dateOnly: true), FeedDate.rfc3339(seconds: e.end, dateOnly: true))
        }
        return (FeedDate.rfc3339(seconds: e.start, offset: e.offsetAtStart), FeedDate.rfc3339(seconds: e.end, offset: e.offsetAtEnd))
    }
}
