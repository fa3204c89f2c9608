import Foundation
import FerryCore
import FerryText

/// Free/busy types in Zimbra's order of precedence (a higher one wins where intervals overlap).
public enum FreeBusyType: Int, Sendable, Comparable, CaseIterable {
    case busyTentative = 1, busy = 2, busyUnavailable = 3

    public var fbtype: String {
        switch self {
        case .busyTentative: "BUSY-TENTATIVE"
        case .busy: "BUSY"
        case .busyUnavailable: "BUSY-UNAVAILABLE"
        }
    }

    /// From an FBTYPE parameter; unknown types are BUSY (RFC 5545 §3.2.9); FREE is nil.
    public init?(fbtype: String?) {
        switch fbtype?.uppercased() {
        case "FREE": return nil
        case "BUSY-TENTATIVE": self = .busyTentative
        case "BUSY-UNAVAILABLE": self = .busyUnavailable
        default: self = .busy
        }
    }

    public static func < (a: FreeBusyType, b: FreeBusyType) -> Bool { a.rawValue < b.rawValue }
}

/// A busy interval, half-open, UTC seconds.
public struct BusyInterval: Sendable, Hashable {
    public var start: Int64
    public var end: Int64
    public var type: FreeBusyType

    public init(start: Int64, end: Int64, type: FreeBusyType) {
        self.start = start
        self.end = end
        self.type = type
    }
}

public enum FreeBusyMerge {
    /// Merges intervals as Zimbra does: clipped to the window, overlaps resolved by precedence
    /// (BUSY-UNAVAILABLE > BUSY > BUSY-TENTATIVE), touching or overlapping intervals of one type joined.
    /// The result is sorted, non-overlapping, and never invents or loses busy time.
    public static func merge(_ intervals: [BusyInterval], from: Int64, to: Int64) -> [BusyInterval] {
        var events: [(time: Int64, type: Int, delta: Int)] = []
        events.reserveCapacity(intervals.count * 2)
        for i in intervals {
            let s = max(i.start, from), e = min(i.end, to)
            guard e > s else { continue }
            events.append((s, i.type.rawValue, 1))
            events.append((e, i.type.rawValue, -1))
        }
        events.sort { $0.time < $1.time }
        var counts = [0, 0, 0, 0]
        var result: [BusyInterval] = []
        var k = 0
        var segmentStart: Int64 = 0
        var current = 0
        while k < events.count {
            let t = events[k].time
            while k < events.count && events[k].time == t {
                counts[events[k].type] += events[k].delta
                k += 1
            }
            let top = counts[3] > 0 ? 3 : counts[2] > 0 ? 2 : counts[1] > 0 ? 1 : 0
            if top != current {
                if current != 0, t > segmentStart {
                    let type = FreeBusyType(rawValue: current)!
                    if let last = result.last, last.type == type, last.end == segmentStart {
                        result[result.count - 1].end = t
                    } else {
                        result.append(BusyInterval(start: segmentStart, end: t, type: type))
                    }
                }
                segmentStart = t
                current = top
            }
        }
        return result
    }

    /// `yyyyMMddTHHmmssZ`.
    public static func utcString(_ seconds: Int64) -> String { LocalDateTime(seconds: seconds).basicFormat + "Z" }
}

/// Collects busy time from calendar objects (events expanded over the window; VFREEBUSY periods taken as
/// they are) and writes one VFREEBUSY, or VEVENTs with `events=1` (Zimbra's `fbfmt=event`).
public final class FreeBusyWriter: ItemWriter {
    private let sink: ByteSink
    private let log: DiagnosticLog
    private let from: Int64
    private let to: Int64
    private let now: Int64
    private let asEvents: Bool
    private let organizer: String?
    private let zones: TimeZoneTable
    private var intervals: [BusyInterval] = []
    /// Master instances, kept apart until overrides are known: uid → (recurrence id → interval).
    private var masters: [String: [(recurrenceID: Int64, interval: BusyInterval)]] = [:]
    private var overrides: [String: [(recurrenceID: Int64, thisAndFuture: Bool, delta: Int64, length: Int64?)]] = [:]

    public init(sink: ByteSink, options: WriteOptions, log: DiagnosticLog) {
        self.sink = sink
        self.log = log
        let now = options.timeContext.now
        self.now = Int64(now.timeIntervalSince1970)
        // Zimbra's ifb default: now − 31 days … now + 62 days.
        let start = options.timeRange.start ?? now.addingTimeInterval(-31 * 86400)
        let end = options.timeRange.end ?? now.addingTimeInterval(62 * 86400)
        from = Int64(start.timeIntervalSince1970.rounded(.down))
        to = Int64(end.timeIntervalSince1970.rounded(.up))
        asEvents = ["1", "true", "yes"].contains(options.formatOptions["events"]?.lowercased() ?? "")
        organizer = options.formatOptions["organizer"]
        zones = TimeZoneTable(floating: options.timeContext.timeZone)
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        guard let object = item.payload as? CalendarObject else {
            return .skipped(reason: "free/busy is made from calendar objects, not \(item.kind.rawValue)s")
        }
        for zone in object.timeZones {
            // Each object carries the VTIMEZONEs it uses: add a zone once, keeping its built rules cached.
            if let id = zone.property("TZID")?.textValue, !zones.hasComponent(id) { zones.add(zone) }
        }
        let c = object.component
        switch c.name {
        case "VFREEBUSY":
            for p in c.properties("FREEBUSY") {
                guard let type = FreeBusyType(fbtype: p.parameterValue("FBTYPE")) else { continue }
                for part in TextEscaping.split(p.value, separator: 0x2C) where !part.isEmpty {
                    guard let period = try? CalendarPeriod.parse(part) else {
                        log.emit(.warning("ifb.bad-period", "FREEBUSY period '\(String(decoding: part, as: UTF8.self))' "
                                          + "cannot be read; skipped", file: item.origin))
                        continue
                    }
                    let s = zones.utc(period.start).utc
                    let e = period.end.map { zones.utc($0).utc } ?? (s + (period.duration?.totalSeconds ?? 0))
                    intervals.append(BusyInterval(start: s, end: e, type: type))
                }
            }
        case "VEVENT":
            if c.property("TRANSP")?.valueString.uppercased() == "TRANSPARENT" { return .written }
            let status = c.property("STATUS")?.valueString.uppercased()
            if status == "CANCELLED" { return .written }
            var type: FreeBusyType = status == "TENTATIVE" ? .busyTentative : .busy
            switch c.property("X-MICROSOFT-CDO-BUSYSTATUS")?.valueString.uppercased() {
            case "FREE": return .written
            case "OOF": type = .busyUnavailable
            case "TENTATIVE": type = .busyTentative
            default: break
            }
            let expander = InstanceExpander(zones: zones)
            do {
                // Overrides may move instances into the window from outside: widen by the shift.
                let expansion = try expander.expand(c, from: from - 366 * 86400, to: to + 366 * 86400)
                if expansion.truncated {
                    log.emit(.warning("rrule.truncated", "recurrence of \(c.uid ?? "an event") stopped early (cap of "
                                      + "\(expander.maxInstances) instances or a rule that produces none)", file: item.origin))
                }
                let uid = c.uid ?? ""
                if let rid = c.property("RECURRENCE-ID") {
                    let recurrence = try CalendarDateTime.parse(property: rid)
                    let ridUTC = zones.utc(recurrence).utc
                    let future = rid.parameterValue("RANGE")?.uppercased() == "THISANDFUTURE"
                    if let first = expansion.instances.first {
                        overrides[uid, default: []].append((ridUTC, future, first.start - ridUTC, first.end - first.start))
                    } else {
                        overrides[uid, default: []].append((ridUTC, future, 0, nil))
                    }
                    for i in expansion.instances { intervals.append(BusyInterval(start: i.start, end: i.end, type: type)) }
                } else {
                    for i in expansion.instances {
                        let interval = BusyInterval(start: i.start, end: i.end, type: type)
                        if uid.isEmpty { intervals.append(interval) } else { masters[uid, default: []].append((i.recurrenceID, interval)) }
                    }
                }
            } catch {
                log.emit(.warning(error.code, "event \(c.uid ?? ""): \(error.message); not counted as busy", file: item.origin))
                return .skipped(reason: "unreadable times")
            }
        default:
            return .written
        }
        return .written
    }

    public func finish() throws {
        // Apply overrides to their masters' instances.
        for (uid, instances) in masters {
            let list = overrides[uid] ?? []
            let exact = Set(list.filter { !$0.thisAndFuture }.map(\.recurrenceID))
            let future = list.filter(\.thisAndFuture).sorted { $0.recurrenceID < $1.recurrenceID }
            for (rid, interval) in instances {
                if exact.contains(rid) { continue }
                if let f = future.last(where: { $0.recurrenceID <= rid }) {
                    if f.recurrenceID == rid { continue }
                    let start = interval.start + f.delta
                    intervals.append(BusyInterval(start: start, end: start + (f.length ?? (interval.end - interval.start)),
                                                  type: interval.type))
                } else {
                    intervals.append(interval)
                }
            }
        }
        let merged = FreeBusyMerge.merge(intervals, from: from, to: to)
        var out: [UInt8] = []
        func line(_ name: String, _ value: String, _ params: [ContentParameter] = []) {
            ContentLine(name: name, parameters: params, value: value).appendRaw(to: &out)
        }
        line("BEGIN", "VCALENDAR")
        line("PRODID", "-//Ferry//Ferry Free-Busy//EN")
        line("VERSION", "2.0")
        // An iTIP PUBLISH needs an ORGANIZER (RFC 5546 §3.2.1, §3.3.1): without one the output is a plain
        // calendar, which RFC 5545 alone governs.
        let organizerURI = organizer.map { o -> String in
            let lower = o.lowercased()
            return lower.hasPrefix("mailto:") || lower.hasPrefix("http:") || lower.hasPrefix("https:") ? o : "mailto:" + o
        }
        if organizerURI != nil { line("METHOD", "PUBLISH") }
        let stamp = FreeBusyMerge.utcString(now)
        if asEvents {
            for (n, i) in merged.enumerated() {
                line("BEGIN", "VEVENT")
                line("UID", "ferry-fb-\(from)-\(n)")
                if let organizerURI { line("ORGANIZER", organizerURI) }
                line("SEQUENCE", "0")
                line("DTSTAMP", stamp)
                line("DTSTART", FreeBusyMerge.utcString(i.start))
                line("DTEND", FreeBusyMerge.utcString(i.end))
                line("SUMMARY", i.type == .busyTentative ? "Tentative" : i.type == .busyUnavailable ? "Out of office" : "Busy")
                line("X-MICROSOFT-CDO-BUSYSTATUS", i.type == .busyTentative ? "TENTATIVE" : i.type == .busyUnavailable ? "OOF" : "BUSY")
                line("TRANSP", "OPAQUE")
                line("STATUS", i.type == .busyTentative ? "TENTATIVE" : "CONFIRMED")
                line("END", "VEVENT")
            }
        } else {
            line("BEGIN", "VFREEBUSY")
            if let organizerURI { line("ORGANIZER", organizerURI) }
            line("UID", "ferry-fb-\(from)-\(to)")
            line("DTSTAMP", stamp)
            line("DTSTART", FreeBusyMerge.utcString(from))
            line("DTEND", FreeBusyMerge.utcString(to))
            for i in merged {
                line("FREEBUSY", FreeBusyMerge.utcString(i.start) + "/" + FreeBusyMerge.utcString(i.end),
                     [ContentParameter("FBTYPE", i.type.fbtype)])
            }
            line("END", "VFREEBUSY")
        }
        line("END", "VCALENDAR")
        try sink.write(out)
    }
}
