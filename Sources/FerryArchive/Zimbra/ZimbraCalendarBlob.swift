import FerryCalendar
import FerryCore
import FerryMIME
import Foundation

/// Zimbra's calendar item blob (`.appt`, `.task` with a `.meta`; reference §4.3): a MIME
/// `multipart/digest` whose parts carry an `invId` header and wrap `message/rfc822` invites, each
/// holding its iCalendar as a `text/calendar` part. Every VEVENT/VTODO of every invite becomes one
/// calendar object (the series and its exceptions), in a calendar without the invites' iTIP `METHOD`.
public enum ZimbraCalendarBlob {
    /// The calendar objects in `blob`; empty when it holds none (diagnostics say why).
    public static func objects(_ blob: [UInt8], name: String, log: DiagnosticLog) -> [CalendarObject] {
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
                objects.append(object)
            }
            source += 1
        }
        if objects.isEmpty {
            log.emit(.warning("zimbra.calendar-blob", "no VEVENT or VTODO in the calendar item blob", file: name))
        }
        return objects
    }
}
