import FerryCalendar
import FerryCore
import FerryMIME
import FerryText
import Foundation

/// Zimbra's calendar item blob (`.appt`, `.task` with a `.meta`; reference §4.3): a MIME
/// `multipart/digest` whose parts carry an `invId` header and wrap `message/rfc822` invites, each
/// holding its iCalendar as a `text/calendar` part. Every VEVENT/VTODO of every invite becomes one
/// calendar object (the series and its exceptions), in a calendar without the invites' iTIP `METHOD`.
public enum ZimbraCalendarBlob {
    /// The calendar objects in `blob`; empty when it holds none (diagnostics say why).
    /// `stamp` (the item's date) becomes the DTSTAMP of a component that has none: an invite may lack it,
    /// but once the iTIP METHOD is dropped RFC 5545 §3.6.1 requires it, and importers reject the event.
    public static func objects(_ blob: [UInt8], name: String, stamp: Date? = nil, log: DiagnosticLog) -> [CalendarObject] {
        let message: MIMEMessage
        do {
            message = try MIMEParser().parse(MemorySource(blob, name: name), sizeHint: blob.count)
        } catch {
            log.emit(.warning("zimbra.calendar-blob", "the calendar item blob is not a MIME message: \(error)", file: name))
            return []
        }
        var objects: [CalendarObject] = []
        var source = 0
        for part in message.parts where part.kind == .leaf
            && part.contentType.type.lowercased() == "text" && part.contentType.subtype.lowercased() == "calendar" {
            guard let text = try? message.text(of: part) else { continue }
            let reader = IcsReader(source: MemorySource(Array(text.utf8), name: name), options: ReadOptions(), log: log)
            while let item = try? reader.next() {
                guard var object = item.payload as? CalendarObject,
                      ["VEVENT", "VTODO"].contains(object.component.name) else { continue }
                // An export holds the items, not the invitations that made them.
                object.calendar.properties.removeAll { $0.name == "METHOD" }
                object.layout = nil
                if object.component.property("DTSTAMP") == nil {
                    let value = stampFormatter(stamp ?? Date(timeIntervalSince1970: 0))
                    let index = object.component.entries.firstIndex {
                        if case .property(let p) = $0, p.name == "UID" { true } else { false }
                    }.map { $0 + 1 } ?? 0
                    object.component.entries.insert(.property(ContentLine(name: "DTSTAMP", value: value)), at: index)
                    object.isUnchanged = false
                    log.emit(.note("zimbra.calendar-dtstamp",
                                   "\(object.component.name) \(object.component.uid ?? "") has no DTSTAMP; the item's date \(value) is used",
                                   file: name))
                }
                objects.append(object)
            }
            source += 1
        }
        if objects.isEmpty {
            log.emit(.warning("zimbra.calendar-blob", "no VEVENT or VTODO in the calendar item blob", file: name))
        }
        return objects
    }

    static func stampFormatter(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ v: Int?, _ n: Int) -> String { let s = String(v ?? 0); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
    }
}
