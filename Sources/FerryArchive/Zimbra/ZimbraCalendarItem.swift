import FerryCalendar
import FerryCore
import FerryText
import Foundation

/// A calendar item (appointment or task) built for Zimbra's archive layout from calendar objects that
/// did not come from a Zimbra blob (an .ics, a CalDAV dump): the series master and its RECURRENCE-ID
/// exceptions of one UID become one item, each of them one invite.
///
/// - The blob is what Zimbra stores for a calendar item (reference §4.3) and what
///   `ZimbraCalendarBlob.objects` reads back: a MIME `multipart/digest` whose parts carry an `invId`
///   header and wrap `message/rfc822` invites, each a `text/calendar; method=PUBLISH` holding the
///   iCalendar that Ferry's ics writer produces for the object (every property kept).
/// - The `.meta`'s `metadata` is the bencoded dictionary of Zimbra's `CalendarItem.encodeMetadata`
///   (store/src/java/com/zimbra/cs/mailbox/CalendarItem.java): `tzm`, `u`, `aps`, `ape`, `nc` and one
///   `inv<N>` per invite, each as `Invite.encodeMetadata` writes it
///   (store/src/java/com/zimbra/cs/mailbox/calendar/Invite.java). Zimbra's importer
///   (`ArchiveFormatter.addItem`, case APPOINTMENT/TASK) rebuilds the item from these invites with
///   `CalendarItem.decodeMetadata` → `Invite.decodeMetadata` and attaches each blob part whose `invId`
///   equals the invite's `mid`. Without `tzm` at the top, decodeMetadata reads no invite at all; without
///   `nc`, `mid`, `comp`, `byme` or the invite's own `tzm` it fails: those are always written.
///   Nested values follow Zimbra's encoders: recurrence (`Recurrence.RecurrenceRule` /
///   `SimpleRepeatingRule` / `SingleDates` / `RdateExdate`), `RecurId`, `InviteInfo`,
///   `CalendarUser`/`ZAttendee`, `Alarm`, time zones (`Util.encodeAsMetadata`), x-props
///   (`Util.encodeXPropsAsMetadata`); enumerated values in `IcalXmlStrMap`'s short forms.
struct ZimbraCalendarItem {
    let type: ZimbraItemType
    let subject: String
    let blob: [UInt8]
    let metadata: BencodeValue

    /// Zimbra's `ParsedDateTime.MAX_DATETIME` (2099-02-01), the end of a series without an end.
    static let maxDateTime: Int64 = Int64(daysFromCivil(2099, 2, 1)) * 86_400_000

    /// `objects` share one UID (or are a lone object without one), the master first when there is one;
    /// `inviteIDs` has one id per object.
    /// `zones` resolves the objects' TZIDs (it holds their VTIMEZONEs; one table for a whole archive, so
    /// each zone's rules are worked out once, not once per item).
    init(objects: [CalendarObject], itemID: Int, inviteIDs: [Int], date: Date, zones: TimeZoneTable) {
        let master = objects[0]
        type = master.component.name == "VTODO" ? .task : .appointment
        subject = master.component.property("SUMMARY")?.textValue ?? ""
        let encoder = InviteEncoder(zones: zones, itemType: type)
        var invites: [(key: String, value: BencodeValue)] = []
        var start: Int64?
        var end: Int64?
        var recurring = false
        var recurrenceEnd: Int64?
        for (n, object) in objects.enumerated() {
            let invite = encoder.invite(object.component, inviteID: inviteIDs[n], zones: object.timeZones)
            invites.append(("inv\(n)", invite.metadata))
            if let s = invite.start { start = min(start ?? s, s) }
            if let e = invite.end ?? invite.start { end = max(end ?? e, e) }
            if invite.recurring {
                recurring = true
                recurrenceEnd = invite.recurrenceEnd
            }
        }
        if recurring { end = max(end ?? 0, recurrenceEnd ?? Self.maxDateTime) }
        var top: [(key: String, value: BencodeValue)] = [
            ("tzm", encoder.timeZoneMap(objects)),
            ("u", .string(master.component.uid ?? "")),
            ("aps", .integer(start ?? 0)),
            ("ape", .integer(end ?? 0)),
            ("nc", .integer(Int64(objects.count))),
            ("v", .integer(10)),
        ]
        top += invites
        metadata = sortedDictionary(top)
        blob = Self.blob(objects, itemID: itemID, inviteIDs: inviteIDs, date: date)
    }

    // MARK: The blob

    /// The multipart/digest of one `message/rfc822` invite per object.
    static func blob(_ objects: [CalendarObject], itemID: Int, inviteIDs: [Int], date: Date) -> [UInt8] {
        let parts = zip(objects, inviteIDs).map { object, id in (id, inviteMessage(object, date: date)) }
        var boundary = "----=_Part_\(itemID)_0"
        var salt = 0
        while parts.contains(where: { contains($0.1, Array(boundary.utf8)) }) {
            salt += 1
            boundary = "----=_Part_\(itemID)_\(salt)"
        }
        var out = Array("MIME-Version: 1.0\r\nContent-Type: multipart/digest; boundary=\"\(boundary)\"\r\n\r\n".utf8)
        for (id, message) in parts {
            out += Array("--\(boundary)\r\ninvId: \(id)\r\nContent-Type: message/rfc822\r\n\r\n".utf8)
            out += message
            out += [0x0D, 0x0A]
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }

    /// One invite: a message whose body is the object's calendar, published (`METHOD:PUBLISH`).
    static func inviteMessage(_ object: CalendarObject, date: Date) -> [UInt8] {
        var published = object
        published.layout = nil
        published.calendar.properties.removeAll { $0.name == "METHOD" }
        published.calendar.properties.append(ContentLine(name: "METHOD", value: "PUBLISH"))
        let sink = MemorySink()
        let writer = IcsWriter(sink: sink)
        _ = try? writer.write(Item(published))
        try? writer.finish()
        let ics = sink.bytes
        // 8bit unless a line is too long for SMTP (RFC 5322 §2.1.1: 998 octets), then base64.
        var longest = 0, run = 0
        for byte in ics {
            if byte == 0x0A { longest = max(longest, run); run = 0 } else { run += 1 }
        }
        longest = max(longest, run)
        let summary = object.component.property("SUMMARY")?.textValue ?? ""
        var head = "Subject: \(encodedWords(summary))\r\nDate: \(rfc5322Date(date))\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/calendar; charset=utf-8; method=PUBLISH\r\n"
        if longest > 998 {
            head += "Content-Transfer-Encoding: base64\r\n\r\n"
            return Array(head.utf8) + Array(Data(ics).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn,
                                                                                       .endLineWithLineFeed]).utf8) + [0x0D, 0x0A]
        }
        head += "Content-Transfer-Encoding: 8bit\r\n\r\n"
        return Array(head.utf8) + ics
    }

    /// An unstructured header value: as it is when printable ASCII, else RFC 2047 `B` words of at most
    /// 75 characters, never splitting a character.
    static func encodedWords(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if flat.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) && !flat.contains("=?") { return flat }
        var words: [String] = []
        var chunk: [UInt8] = []
        // 75 − len("=?UTF-8?B?") − len("?=") = 63 Base64 characters → 45 bytes (whole triples).
        for ch in flat {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let local = LocalDateTime(seconds: seconds)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[weekdayOf(days: local.days)]), \(local.day) \(months[local.month - 1]) \(local.year) "
            + "\(two(local.hour)):\(two(local.minute)):\(two(local.second)) +0000"
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}

/// A dictionary with its keys in Zimbra's order (Java's `TreeMap`: by UTF-16 code units); the values
/// are sorted already (each built by this function), so only this level is sorted.
func sortedDictionary(_ entries: [(key: String, value: BencodeValue)]) -> BencodeValue {
    .dictionary(entries.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) })
}

/// `Invite.encodeMetadata`'s dictionary for one VEVENT/VTODO.
struct InviteEncoder {
    let zones: TimeZoneTable
    let itemType: ZimbraItemType

    struct Encoded {
        var metadata: BencodeValue
        var start: Int64?
        var end: Int64?
        var recurring: Bool
        var recurrenceEnd: Int64?
    }

    /// Descriptions up to this many UTF-16 units live in the metadata (`calendar_max_desc_in_metadata`'s default).
    static let maxDescriptionInMeta = 4096

    func invite(_ c: Component, inviteID: Int, zones timeZones: [Component]) -> Encoded {
        var d: [(key: String, value: BencodeValue)] = []
        func put(_ key: String, _ value: String?) { if let value { d.append((key, .string(value))) } }
        func put(_ key: String, _ value: Int64?) { if let value { d.append((key, .integer(value))) } }
        let isTodo = c.name == "VTODO"
        let start = c.property("DTSTART")
        let endProperty = c.property(isTodo ? "DUE" : "DTEND")
        let startValue = start.flatMap { try? CalendarDateTime.parse(property: $0) }
        let endValue = endProperty.flatMap { try? CalendarDateTime.parse(property: $0) }
        let durationText = c.property("DURATION")?.valueString.trimmingCharacters(in: .whitespaces)
        let allDay = startValue?.isDate == true

        put("it", Int64(itemType.rawValue))
        put("u", c.uid ?? "")
        put("mid", Int64(inviteID))
        put("comp", 0)
        put("byme", 0)
        if let cls = c.property("CLASS")?.textValue.uppercased(), cls == "PRIVATE" || cls == "CONFIDENTIAL" {
            put("cl", cls == "PRIVATE" ? "PRI" : "CON")
        }
        put("clSetByMe", 0)
        let status = c.property("STATUS").flatMap { Self.statusCodes[$0.textValue.uppercased()] }
        put("status", status ?? (isTodo ? "NEED" : "CONF"))
        put("tr", c.property("TRANSP")?.textValue.uppercased() == "TRANSPARENT" ? "T" : "O")
        put("st", startValue.map(Self.parsedDateTime))
        put("et", endValue.map(Self.parsedDateTime))
        if let completed = c.property("COMPLETED").flatMap({ try? CalendarDateTime.parse(property: $0) }) {
            put("completed", zones.utc(completed).utc * 1000)
        }
        if let durationText, !durationText.isEmpty, endValue == nil { put("duration", durationText) }
        put("mthd", "PUBLISH")
        let description = c.property("DESCRIPTION")?.textValue
        put("frag", description.map(Self.fragment) ?? "")
        if let description, description.utf16.count <= Self.maxDescriptionInMeta {
            put("dinM", 1)
            put("desc", description)
        } else if description == nil {
            put("dinM", 1)
        }

        // Recurrence (the master only: an exception's RRULE is ignored by Zimbra, as RECURRENCE-ID wins).
        let recurrenceID = c.property("RECURRENCE-ID")
        let duration = self.duration(startValue, endValue, durationText)
        var recurring = false
        var recurrenceEnd: Int64?
        if recurrenceID == nil, let startValue,
           let recurrence = recurrence(c, start: startValue, duration: duration, inviteID: inviteID) {
            d.append(("recurrence", recurrence.value))
            recurring = true
            recurrenceEnd = recurrence.end
        }
        put("n", c.property("SUMMARY")?.textValue ?? "")
        put("l", c.property("LOCATION")?.textValue ?? "")
        put("af", Int64((isTodo ? 0x01 : 0x02) | (allDay ? 0x04 : 0) | (recurring ? 0x20 : 0)))
        put("ptst", "AC")
        d.append(("tzm", timeZoneMap(referenced: c.referencedTimeZoneIDs)))
        if let recurrenceID, let rid = try? CalendarDateTime.parse(property: recurrenceID) {
            let range = recurrenceID.parameterValue("RANGE")?.uppercased()
            d.append(("rid", .dictionary([("dt", .string(Self.parsedDateTime(rid))),
                                          ("r", .integer(range == "THISANDFUTURE" ? 2 : range == "THISANDPRIOR" ? 3 : 1))])))
        }
        put("dts", c.property("DTSTAMP").flatMap { try? CalendarDateTime.parse(property: $0) }.map { zones.utc($0).utc * 1000 } ?? 0)
        if let modified = c.property("LAST-MODIFIED").flatMap({ try? CalendarDateTime.parse(property: $0) }) {
            put("lastMod", zones.utc(modified).utc * 1000)
        }
        let sequence = c.property("SEQUENCE").flatMap { Int64($0.textValue.trimmingCharacters(in: .whitespaces)) } ?? 0
        put("seq", sequence)
        put("lfseq", sequence)
        // `isOrg` is left out on purpose: Zimbra then decides by matching the organizer's address to
        // the importing account (no organizer and no attendees: the account's own item).
        if let organizer = c.property("ORGANIZER") { d.append(("org", Self.calendarUser(organizer))) }
        let attendees = c.properties("ATTENDEE")
        put("numAt", String(attendees.count))
        for (i, attendee) in attendees.enumerated() { d.append(("at\(i)", Self.attendee(attendee))) }
        put("prio", c.property("PRIORITY")?.textValue.trimmingCharacters(in: .whitespaces))
        put("pctcompl", c.property("PERCENT-COMPLETE")?.textValue.trimmingCharacters(in: .whitespaces))
        list(&d, count: "numCmt", item: "cmt", c.properties("COMMENT").map(\.textValue))
        list(&d, count: "numContacts", item: "contact", c.properties("CONTACT").map(\.textValue))
        list(&d, count: "numCat", item: "cat", c.properties("CATEGORIES").flatMap { Self.splitList($0.value) })
        if let geo = c.property("GEO")?.valueString.split(separator: ";"), geo.count == 2 {
            d.append(("geo", .dictionary([("lat", .string(String(geo[0]))), ("lon", .string(String(geo[1])))])))
        }
        if let url = c.property("URL")?.valueString, !url.isEmpty { put("url", url) }
        let alarms = c.components("VALARM").compactMap(alarm)
        if !alarms.isEmpty {
            put("numAl", Int64(alarms.count))
            for (i, a) in alarms.enumerated() { d.append(("al\(i)", a)) }
        }
        let xprops = c.properties.filter { $0.name.hasPrefix("X-") }
        if !xprops.isEmpty {
            put("numX", Int64(xprops.count))
            for (i, p) in xprops.enumerated() { d.append(("x\(i)", Self.xprop(p))) }
        }

        let startUTC = startValue.map { zones.utc($0).utc * 1000 }
        var endUTC = endValue.map { zones.utc($0).utc * 1000 }
        if endUTC == nil, let startUTC, let duration { endUTC = startUTC + duration.totalSeconds * 1000 }
        return Encoded(metadata: sortedDictionary(d), start: startUTC, end: endUTC, recurring: recurring,
                       recurrenceEnd: recurrenceEnd)
    }

    /// `Alarm.encodeMetadata`: action (`d`/`a`/`e`/`p`), trigger relative (`tr`, with `trd` `s`/`e`
    /// when RELATED is given) or absolute (`ta`, UTC), repeat, description, summary, attendees.
    /// Nil for an alarm without a usable TRIGGER (Zimbra could not rebuild it either).
    private func alarm(_ a: Component) -> BencodeValue? {
        guard let trigger = a.property("TRIGGER") else { return nil }
        var e: [(key: String, value: BencodeValue)] = []
        let action = a.property("ACTION")?.textValue.uppercased() ?? "DISPLAY"
        e.append(("ac", .string(["DISPLAY": "d", "AUDIO": "a", "EMAIL": "e", "PROCEDURE": "p"][action] ?? action)))
        let value = trigger.valueString.trimmingCharacters(in: .whitespaces)
        if trigger.parameterValue("VALUE")?.uppercased() == "DATE-TIME" || !(value.hasPrefix("P") || value.hasPrefix("-")
                                                                              || value.hasPrefix("+")) {
            guard let at = try? CalendarDateTime.parse(property: trigger) else { return nil }
            let utc = LocalDateTime(seconds: zones.utc(at).utc)
            e.append(("tt", .string("a")))
            e.append(("ta", .string(utc.basicFormat + "Z")))
        } else {
            guard (try? CalendarDuration.parse(Array(value.utf8))) != nil else { return nil }
            e.append(("tt", .string("r")))
            e.append(("tr", .string(value)))
            if let related = trigger.parameterValue("RELATED")?.uppercased() {
                e.append(("trd", .string(related == "END" ? "e" : "s")))
            }
        }
        if let duration = a.property("DURATION")?.valueString.trimmingCharacters(in: .whitespaces), !duration.isEmpty {
            e.append(("rd", .string(duration)))
            e.append(("rc", .integer(Int64(a.property("REPEAT")?.textValue.trimmingCharacters(in: .whitespaces) ?? "") ?? 0)))
        }
        if let description = a.property("DESCRIPTION")?.textValue { e.append(("ds", .string(description))) }
        if let summary = a.property("SUMMARY")?.textValue { e.append(("su", .string(summary))) }
        let attendees = a.properties("ATTENDEE")
        if !attendees.isEmpty {
            e.append(("numAt", .integer(Int64(attendees.count))))
            for (i, p) in attendees.enumerated() { e.append(("at\(i)", Self.attendee(p))) }
        }
        return sortedDictionary(e)
    }

    private func list(_ d: inout [(key: String, value: BencodeValue)], count: String, item: String, _ values: [String]) {
        guard !values.isEmpty else { return }
        d.append((count, .integer(Int64(values.count))))
        for (i, v) in values.enumerated() { d.append(("\(item)\(i)", .string(v))) }
    }

    // MARK: Recurrence

    /// `Recurrence.RecurrenceRule` for a master with RRULE/RDATE/EXRULE/EXDATE: DTSTART, duration, add
    /// rules (RRULE → SimpleRepeatingRule, RDATE → SingleDates), subtract rules (EXRULE, EXDATE), no
    /// exceptions (Zimbra links RECURRENCE-ID invites itself when it sets the item).
    private func recurrence(_ c: Component, start: CalendarDateTime, duration: CalendarDuration?, inviteID: Int)
        -> (value: BencodeValue, end: Int64?)? {
        let rrules = c.properties("RRULE"), exrules = c.properties("EXRULE")
        let rdates = c.properties("RDATE"), exdates = c.properties("EXDATE")
        guard !(rrules.isEmpty && rdates.isEmpty) else { return nil }
        let dts = BencodeValue.string(Self.parsedDateTime(start))
        let dur = duration.map { BencodeValue.string($0.description) }
        let inviteInfo = BencodeValue.dictionary([("c", .integer(0)), ("i", .integer(Int64(inviteID))), ("m", .integer(3))])
        func simple(_ rule: ContentLine) -> BencodeValue {
            var e: [(key: String, value: BencodeValue)] = [("t", .integer(2)), ("dts", dts), ("recur", .string(rule.valueString)),
                                                           ("inv", inviteInfo)]
            if let dur { e.append(("dur", dur)) }
            return sortedDictionary(e)
        }
        func singleDates(_ p: ContentLine, isRdate: Bool) -> BencodeValue? {
            let tzid = p.parameterValue("TZID")
            let valueType = p.parameterValue("VALUE")?.uppercased()
            let isPeriod = valueType == "PERIOD"
            guard isRdate || !isPeriod else { return nil }   // RdateExdate: no PERIOD in EXDATE
            let values = p.valueString.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            guard !values.isEmpty else { return nil }
            var rexd: [(key: String, value: BencodeValue)] = [("isrd", .integer(isRdate ? 1 : 0)),
                                                              ("vt", .string(isPeriod ? "p" : valueType == "DATE" ? "d" : "dt")),
                                                              ("numV", .integer(Int64(values.count)))]
            if let tzid { rexd.append(("tzid", .string(tzid))) }
            for (i, v) in values.enumerated() {
                guard isPeriod else { rexd.append(("v\(i)", .string(v))); continue }
                // Period.encodeMetadata: start, and end or duration.
                let halves = v.split(separator: "/", maxSplits: 1).map(String.init)
                guard halves.count == 2, let second = halves[1].first else { return nil }
                let isDuration = second == "P" || second == "+" || second == "-"
                rexd.append(("v\(i)", sortedDictionary([("dts", .string(halves[0])),
                                                        (isDuration ? "dur" : "dte", .string(halves[1]))])))
            }
            return sortedDictionary([("t", .integer(6)), ("rexd", sortedDictionary(rexd)),
                                     ("defdur", .string((duration ?? CalendarDuration()).description)), ("inv", inviteInfo)])
        }
        func sorter(_ rules: [BencodeValue]) -> BencodeValue {
            var e: [(key: String, value: BencodeValue)] = [("nr", .integer(Int64(rules.count)))]
            for (i, r) in rules.enumerated() { e.append(("r\(i)", r)) }
            return sortedDictionary(e)
        }
        let add = rrules.map(simple) + rdates.compactMap { singleDates($0, isRdate: true) }
        let sub = exrules.map(simple) + exdates.compactMap { singleDates($0, isRdate: false) }
        var e: [(key: String, value: BencodeValue)] = [("t", .integer(4)), ("dts", dts), ("add", sorter(add)),
                                                       ("numEx", .integer(0)), ("invid", inviteInfo)]
        if let dur { e.append(("duration", dur)) }
        if !sub.isEmpty { e.append(("sub", sorter(sub))) }
        // The series' end: the latest UNTIL when every rule has one (plus the duration), else open.
        var end: Int64?
        if rdates.isEmpty {
            var untils: [Int64] = []
            for rule in rrules {
                guard let until = rule.valueString.split(separator: ";").first(where: { $0.uppercased().hasPrefix("UNTIL=") }),
                      let value = try? CalendarDateTime.parse(Array(until.utf8.dropFirst(6)),
                                                              tzid: start.tzid) else { untils = []; break }
                untils.append(zones.utc(value).utc * 1000 + (duration?.totalSeconds ?? 0) * 1000)
            }
            if untils.count == rrules.count { end = untils.max() }
        }
        return (sortedDictionary(e), end)
    }

    private func duration(_ start: CalendarDateTime?, _ end: CalendarDateTime?, _ text: String?) -> CalendarDuration? {
        if let start, let end {
            if start.isDate || end.isDate {
                let days = end.local.days - start.local.days
                return CalendarDuration(negative: days < 0, days: abs(days))
            }
            // Wall-clock difference in one zone (as Zimbra's ParsedDateTime.difference), else exact.
            let seconds = start.anchor == end.anchor ? end.local.seconds - start.local.seconds
                : zones.utc(end).utc - zones.utc(start).utc
            let s = abs(seconds)
            return CalendarDuration(negative: seconds < 0, days: Int(s / 86400), hours: Int(s % 86400 / 3600),
                                    minutes: Int(s % 3600 / 60), seconds: Int(s % 60))
        }
        if let text, let parsed = try? CalendarDuration.parse(Array(text.utf8)) { return parsed }
        return nil
    }

    // MARK: Time zones

    /// `Util.encodeAsMetadata(TimeZoneMap)`: `#<n>` → one zone each. A zone's TZID alone is enough
    /// for one Zimbra knows by name; the rules from its VTIMEZONE (last STANDARD and DAYLIGHT) go
    /// along so an unknown one is rebuilt rather than read as UTC (`Util.decodeTimeZoneFromMetadata`).
    func timeZoneMap(referenced ids: [String]) -> BencodeValue {
        var entries: [(key: String, value: BencodeValue)] = []
        for (i, id) in ids.enumerated() { entries.append(("#\(i)", zone(id))) }
        return sortedDictionary(entries)
    }

    func timeZoneMap(_ objects: [CalendarObject]) -> BencodeValue {
        var ids: [String] = []
        for object in objects { for id in object.component.referencedTimeZoneIDs where !ids.contains(id) { ids.append(id) } }
        return timeZoneMap(referenced: ids)
    }

    private func zone(_ id: String) -> BencodeValue {
        var e: [(key: String, value: BencodeValue)] = [("tzid", .string(id))]
        guard let vtimezone = zones.component(id) else { return .dictionary(e) }
        func latest(_ name: String) -> Component? {
            vtimezone.components(name).max { a, b in
                (a.property("DTSTART")?.valueString ?? "") < (b.property("DTSTART")?.valueString ?? "")
            }
        }
        func offset(_ c: Component) -> Int64? {
            c.property("TZOFFSETTO").flatMap { try? UTCOffset.parse($0.value) }.map { Int64($0) * 1000 }
        }
        guard let standard = latest("STANDARD") ?? latest("DAYLIGHT") else { return .dictionary(e) }
        if let so = offset(standard) { e.append(("so", .integer(so))) }
        if let v = standard.property("DTSTART")?.valueString { e.append(("d2ss", .string(v))) }
        if let v = standard.property("RRULE")?.valueString { e.append(("d2sr", .string(v))) }
        if let v = standard.property("TZNAME")?.textValue { e.append(("sn", .string(v))) }
        if let daylight = latest("DAYLIGHT"), latest("STANDARD") != nil {
            if let offset = offset(daylight) { e.append(("do", .integer(offset))) }
            if let v = daylight.property("DTSTART")?.valueString { e.append(("s2ds", .string(v))) }
            if let v = daylight.property("RRULE")?.valueString { e.append(("s2dr", .string(v))) }
            if let v = daylight.property("TZNAME")?.textValue { e.append(("dn", .string(v))) }
        } else if let so = offset(standard) {
            e.append(("do", .integer(so)))
        }
        return sortedDictionary(e)
    }

    // MARK: Values

    /// `ParsedDateTime.toString()`: `TZID=<id>:<local>`, `<utc>Z`, `<floating>` or `VALUE=DATE:<date>`.
    static func parsedDateTime(_ v: CalendarDateTime) -> String {
        if v.isDate { return "VALUE=DATE:" + v.local.basicDateFormat }
        if let tzid = v.tzid { return "TZID=\(tzid):" + v.icalString }
        return v.icalString
    }

    /// `Fragment.getFragment`-like: the description's first words, whitespace collapsed.
    static func fragment(_ text: String) -> String {
        let collapsed = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard collapsed.utf16.count > 150 else { return collapsed }
        var out = ""
        for ch in collapsed {
            if out.utf16.count + ch.utf16.count > 150 { break }
            out.append(ch)
        }
        return out
    }

    static let statusCodes = ["TENTATIVE": "TENT", "CONFIRMED": "CONF", "CANCELLED": "CANC", "NEEDS-ACTION": "NEED",
                              "COMPLETED": "COMP", "IN-PROCESS": "INPR"]
    static let partStatCodes = ["ACCEPTED": "AC", "COMPLETED": "CO", "DECLINED": "DE", "DELEGATED": "DG", "IN-PROCESS": "IN",
                                "NEEDS-ACTION": "NE", "TENTATIVE": "TE"]
    static let roleCodes = ["CHAIR": "CHA", "REQ-PARTICIPANT": "REQ", "OPT-PARTICIPANT": "OPT", "NON-PARTICIPANT": "NON"]
    static let cuTypeCodes = ["INDIVIDUAL": "IND", "GROUP": "GRO", "RESOURCE": "RES", "ROOM": "ROO", "UNKNOWN": "UNK"]

    static func mailto(_ value: String) -> String {
        value.lowercased().hasPrefix("mailto:") ? String(value.dropFirst(7)) : value
    }

    /// `CalendarUser.encodeMetadata`: address (without `mailto:`), CN, SENT-BY, DIR, LANGUAGE, X- parameters.
    static func calendarUser(_ p: ContentLine) -> BencodeValue {
        sortedDictionary(calendarUserEntries(p))
    }

    private static func calendarUserEntries(_ p: ContentLine) -> [(key: String, value: BencodeValue)] {
        var e: [(key: String, value: BencodeValue)] = [("a", .string(mailto(p.textValue.trimmingCharacters(in: .whitespaces))))]
        func param(_ name: String, _ key: String, mail: Bool = false) {
            if let v = p.parameter(name)?.decodedValues.first, !v.isEmpty { e.append((key, .string(mail ? mailto(v) : v))) }
        }
        param("CN", "cn")
        param("SENT-BY", "sentby", mail: true)
        param("DIR", "dir")
        param("LANGUAGE", "lang")
        appendXParameters(p.parameters.filter { $0.name.hasPrefix("X-") }, to: &e)
        return e
    }

    /// `numX` and one `x<i>` entry (name, value) per X- parameter, as `Util.encodeXParamsAsMetadata` writes them.
    private static func appendXParameters(_ parameters: [ContentParameter], to e: inout [(key: String, value: BencodeValue)]) {
        guard !parameters.isEmpty else { return }
        e.append(("numX", .integer(Int64(parameters.count))))
        for (i, x) in parameters.enumerated() {
            var entry: [(key: String, value: BencodeValue)] = [("n", .string(x.name))]
            if x.hasValue { entry.append(("v", .string(x.decodedValues.joined(separator: ",")))) }
            e.append(("x\(i)", .dictionary(entry)))
        }
    }

    /// `ZAttendee.encodeAsMetadata`: a calendar user plus CUTYPE, ROLE, PARTSTAT (short forms), RSVP,
    /// MEMBER, DELEGATED-TO/FROM.
    static func attendee(_ p: ContentLine) -> BencodeValue {
        var e = calendarUserEntries(p)
        func coded(_ name: String, _ key: String, _ table: [String: String]) {
            if let v = p.parameter(name)?.decodedValues.first, !v.isEmpty { e.append((key, .string(table[v.uppercased()] ?? v))) }
        }
        coded("CUTYPE", "cut", cuTypeCodes)
        coded("ROLE", "r", roleCodes)
        coded("PARTSTAT", "ptst", partStatCodes)
        if p.parameter("RSVP")?.value?.uppercased() == "TRUE" { e.append(("v", .string("1"))) }
        for (name, key) in [("MEMBER", "member"), ("DELEGATED-TO", "delto"), ("DELEGATED-FROM", "delfrom")] {
            if let v = p.parameter(name)?.decodedValues.first, !v.isEmpty { e.append((key, .string(mailto(v)))) }
        }
        return sortedDictionary(e)
    }

    /// `Util.encodeXPropsAsMetadata`'s entry for one X- property: name, value, X- parameters.
    static func xprop(_ p: ContentLine) -> BencodeValue {
        var e: [(key: String, value: BencodeValue)] = [("n", .string(p.name)), ("v", .string(p.valueString))]
        appendXParameters(p.parameters, to: &e)
        return sortedDictionary(e)
    }

    /// A TEXT list (CATEGORIES): split at commas not escaped by a backslash, each value unescaped.
    static func splitList(_ raw: ArraySlice<UInt8>) -> [String] {
        var out: [String] = []
        var start = raw.startIndex
        var i = raw.startIndex
        while i < raw.endIndex {
            if raw[i] == 0x5C { i += 2; continue }
            if raw[i] == 0x2C {
                out.append(TextEscaping.unescape(raw[start..<i]))
                start = i + 1
            }
            i += 1
        }
        out.append(TextEscaping.unescape(raw[start..<min(i, raw.endIndex)]))
        return out.filter { !$0.isEmpty }
    }
}
