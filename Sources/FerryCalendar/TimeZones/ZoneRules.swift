import Foundation
import FerryText

/// Offsets of a time zone: from a VTIMEZONE, the IANA database, or a fixed offset.
public protocol ZoneRules: Sendable {
    /// Seconds east of UTC in effect at a UTC instant (seconds since 1970).
    func offset(atUTC utc: Int64) -> Int
}

extension ZoneRules {
    /// The UTC instant of a wall-clock time (seconds since 1970 as if UTC), as RFC 5545 §3.3.5 says:
    /// a time in a DST gap is read with the offset before the gap (02:30 on the spring-forward day in
    /// New York is 07:30Z, i.e. 03:30 EDT), and an ambiguous time in an overlap is its first occurrence.
    public func utc(fromLocal local: Int64) -> Int64 {
        let a = offset(atUTC: local - 43_200)
        let b = offset(atUTC: local + 43_200)
        if a == b {
            let c = offset(atUTC: local - Int64(a))
            if c == a { return local - Int64(a) }
            // Two transitions within a day: fall back to a direct probe.
            return local - Int64(c)
        }
        let validA = offset(atUTC: local - Int64(a)) == a
        let validB = offset(atUTC: local - Int64(b)) == b
        switch (validA, validB) {
        case (true, true):
            // Overlap: the first occurrence is the earlier instant.
            return min(local - Int64(a), local - Int64(b))
        case (true, false): return local - Int64(a)
        case (false, true): return local - Int64(b)
        case (false, false):
            // Gap: use the offset in effect before the transition (the one a day earlier).
            return local - Int64(a)
        }
    }

    /// The wall clock at a UTC instant.
    public func local(fromUTC utc: Int64) -> Int64 { utc + Int64(offset(atUTC: utc)) }
}

/// A fixed offset (UTC, `Etc/GMT+5`, a VTIMEZONE without transitions).
public struct FixedZone: ZoneRules {
    public let seconds: Int
    public init(seconds: Int) { self.seconds = seconds }
    public func offset(atUTC utc: Int64) -> Int { seconds }
}

/// A zone from the system's IANA database.
public struct SystemZone: ZoneRules {
    public let zone: TimeZone
    public init(_ zone: TimeZone) { self.zone = zone }
    public func offset(atUTC utc: Int64) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utc)))
    }
}

/// A VTIMEZONE's observances turned into a sorted list of transitions (RFC 5545 §3.6.5).
public struct VTimeZoneRules: ZoneRules {
    public let tzid: String
    /// (UTC instant of the onset, offset from then on).
    public let transitions: [(utc: Int64, offset: Int)]
    /// Offset before the first transition.
    public let initialOffset: Int

    /// Builds the transitions of every STANDARD and DAYLIGHT sub-component up to `horizonYear`.
    public init(_ component: Component, horizonYear: Int = 2100) throws(ValueError) {
        tzid = component.property("TZID")?.textValue ?? ""
        var list: [(Int64, Int, Int)] = []  // utc, from, to
        let horizon = LocalDateTime(year: horizonYear, month: 1, day: 1).seconds
        for observance in component.components where observance.name == "STANDARD" || observance.name == "DAYLIGHT" {
            guard let startLine = observance.property("DTSTART"), let fromLine = observance.property("TZOFFSETFROM"),
                  let toLine = observance.property("TZOFFSETTO") else {
                throw ValueError("tz.incomplete-observance",
                                 "\(observance.name) in VTIMEZONE \(tzid) needs DTSTART, TZOFFSETFROM and TZOFFSETTO")
            }
            let start = try CalendarDateTime.parse(property: startLine)
            let from = try UTCOffset.parse(fromLine.value)
            let to = try UTCOffset.parse(toLine.value)
            list.append((start.local.seconds - Int64(from), from, to))
            for rdate in observance.properties("RDATE") {
                for part in TextEscaping.split(rdate.value, separator: 0x2C) {
                    if let dt = try? CalendarDateTime.parse(part) {
                        list.append((dt.isUTC ? dt.local.seconds : dt.local.seconds - Int64(from), from, to))
                    }
                }
            }
            if let rruleLine = observance.property("RRULE") {
                let rule = try RecurrenceRule.parse(rruleLine.value)
                let until = rule.until
                var iterator = RuleIterator(rule: rule, start: start.local, maxEmptyPeriods: 200) { local in
                    if local.seconds > horizon { return true }
                    guard let until else { return false }
                    // UNTIL in a VTIMEZONE is UTC; the onset's UTC instant uses the offset before it.
                    let onset = local.seconds - Int64(from)
                    return until.isUTC ? onset > until.local.seconds : local > until.local
                }
                _ = iterator.next()  // DTSTART itself, already added
                var guardCount = 0
                while let local = iterator.next(), guardCount < 5000 {
                    list.append((local.seconds - Int64(from), from, to))
                    guardCount += 1
                }
            }
        }
        list.sort { $0.0 < $1.0 }
        transitions = list.map { (utc: $0.0, offset: $0.2) }
        initialOffset = list.first?.1 ?? 0
    }

    public func offset(atUTC utc: Int64) -> Int {
        var lo = 0, hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if transitions[mid].utc <= utc { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? initialOffset : transitions[lo - 1].offset
    }
}

/// Resolves TZIDs: the file's VTIMEZONEs first, then IANA names, Windows names (Outlook/Exchange) and
/// vendor-prefixed IANA names (`/mozilla.org/20050126_1/Europe/Berlin`).
public final class TimeZoneTable: @unchecked Sendable {
    public enum Source: String, Sendable { case vtimezone, iana, windows, unknown }

    private var components: [String: Component] = [:]
    private var cache: [String: (any ZoneRules, Source)] = [:]
    private let lock = NSLock()
    /// The zone for floating times and DATE values (the user's `--tz`).
    public let floating: any ZoneRules

    public init(floating: TimeZone = .current) {
        self.floating = SystemZone(floating)
    }

    public func add(_ vtimezone: Component) {
        guard let id = vtimezone.property("TZID")?.textValue else { return }
        lock.lock()
        components[id] = vtimezone
        cache[id] = nil
        lock.unlock()
    }

    public func hasComponent(_ tzid: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return components[tzid] != nil
    }

    public func component(_ tzid: String) -> Component? {
        lock.lock(); defer { lock.unlock() }
        return components[tzid]
    }

    /// The rules for a TZID, and where they came from; nil when nothing knows the name.
    public func rules(for tzid: String) -> (rules: any ZoneRules, source: Source)? {
        lock.lock()
        if let hit = cache[tzid] { lock.unlock(); return hit.1 == .unknown ? nil : hit }
        let component = components[tzid]
        lock.unlock()
        var result: (any ZoneRules, Source) = (FixedZone(seconds: 0), .unknown)
        if let component, let rules = try? VTimeZoneRules(component), !rules.transitions.isEmpty {
            result = (rules, .vtimezone)
        } else if let zone = Self.systemZone(named: tzid) {
            result = (SystemZone(zone.zone), zone.windows ? .windows : .iana)
        }
        lock.lock()
        cache[tzid] = result
        lock.unlock()
        return result.1 == .unknown ? nil : result
    }

    /// How a TZID without a VTIMEZONE would resolve: an IANA zone, a Windows zone name, or nothing.
    public static func systemZone(named tzid: String) -> (zone: TimeZone, windows: Bool)? {
        let trimmed = tzid.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        if let iana = WindowsZones.map[trimmed], let zone = TimeZone(identifier: iana) { return (zone, true) }
        if trimmed.contains("/") || trimmed == "UTC" || trimmed == "GMT", let zone = TimeZone(identifier: trimmed) {
            return (zone, false)
        }
        // Vendor prefixes: try the last two and three path components.
        let parts = trimmed.split(separator: "/")
        for n in [3, 2] where parts.count > n {
            let candidate = parts.suffix(n).joined(separator: "/")
            if let zone = TimeZone(identifier: candidate) { return (zone, false) }
        }
        return nil
    }

    /// UTC seconds of a DATE or DATE-TIME (floating and DATE values in the floating zone; unknown TZIDs
    /// are read as floating too, and `resolved` says so).
    public func utc(_ value: CalendarDateTime) -> (utc: Int64, resolved: Bool) {
        switch value.anchor {
        case .utc: return (value.local.seconds, true)
        case .floating: return (floating.utc(fromLocal: value.local.seconds), true)
        case .zone(let id):
            if let (rules, _) = rules(for: id) { return (rules.utc(fromLocal: value.local.seconds), true) }
            return (floating.utc(fromLocal: value.local.seconds), false)
        }
    }

    /// The zone rules a value's wall clock lives in.
    public func zoneRules(for value: CalendarDateTime) -> any ZoneRules {
        switch value.anchor {
        case .utc: return FixedZone(seconds: 0)
        case .floating: return floating
        case .zone(let id): return rules(for: id)?.rules ?? floating
        }
    }
}

/// Windows time zone names (as Outlook and Exchange write them in TZID) → IANA, after CLDR's
/// windowsZones.xml "001" territory mapping.
public enum WindowsZones {
    public static let map: [String: String] = [
        "Dateline Standard Time": "Etc/GMT+12",
        "UTC-11": "Etc/GMT+11",
        "Aleutian Standard Time": "America/Adak",
        "Hawaiian Standard Time": "Pacific/Honolulu",
        "Alaskan Standard Time": "America/Anchorage",
        "Pacific Standard Time (Mexico)": "America/Tijuana",
        "Pacific Standard Time": "America/Los_Angeles",
        "US Mountain Standard Time": "America/Phoenix",
        "Mountain Standard Time (Mexico)": "America/Mazatlan",
        "Mountain Standard Time": "America/Denver",
        "Central America Standard Time": "America/Guatemala",
        "Central Standard Time": "America/Chicago",
        "Central Standard Time (Mexico)": "America/Mexico_City",
        "Canada Central Standard Time": "America/Regina",
        "SA Pacific Standard Time": "America/Bogota",
        "Eastern Standard Time (Mexico)": "America/Cancun",
        "Eastern Standard Time": "America/New_York",
        "US Eastern Standard Time": "America/Indianapolis",
        "Venezuela Standard Time": "America/Caracas",
        "Atlantic Standard Time": "America/Halifax",
        "SA Western Standard Time": "America/La_Paz",
        "Central Brazilian Standard Time": "America/Cuiaba",
        "Pacific SA Standard Time": "America/Santiago",
        "Newfoundland Standard Time": "America/St_Johns",
        "E. South America Standard Time": "America/Sao_Paulo",
        "Argentina Standard Time": "America/Buenos_Aires",
        "SA Eastern Standard Time": "America/Cayenne",
        "Greenland Standard Time": "America/Godthab",
        "Montevideo Standard Time": "America/Montevideo",
        "UTC-02": "Etc/GMT+2",
        "Azores Standard Time": "Atlantic/Azores",
        "Cape Verde Standard Time": "Atlantic/Cape_Verde",
        "UTC": "Etc/UTC",
        "Coordinated Universal Time": "Etc/UTC",
        "GMT Standard Time": "Europe/London",
        "Greenwich Standard Time": "Atlantic/Reykjavik",
        "Morocco Standard Time": "Africa/Casablanca",
        "W. Europe Standard Time": "Europe/Berlin",
        "Central Europe Standard Time": "Europe/Budapest",
        "Romance Standard Time": "Europe/Paris",
        "Central European Standard Time": "Europe/Warsaw",
        "W. Central Africa Standard Time": "Africa/Lagos",
        "Jordan Standard Time": "Asia/Amman",
        "GTB Standard Time": "Europe/Bucharest",
        "Middle East Standard Time": "Asia/Beirut",
        "Egypt Standard Time": "Africa/Cairo",
        "E. Europe Standard Time": "Europe/Chisinau",
        "Syria Standard Time": "Asia/Damascus",
        "South Africa Standard Time": "Africa/Johannesburg",
        "FLE Standard Time": "Europe/Kiev",
        "Israel Standard Time": "Asia/Jerusalem",
        "Kaliningrad Standard Time": "Europe/Kaliningrad",
        "Arabic Standard Time": "Asia/Baghdad",
        "Turkey Standard Time": "Europe/Istanbul",
        "Arab Standard Time": "Asia/Riyadh",
        "Belarus Standard Time": "Europe/Minsk",
        "Russian Standard Time": "Europe/Moscow",
        "E. Africa Standard Time": "Africa/Nairobi",
        "Iran Standard Time": "Asia/Tehran",
        "Arabian Standard Time": "Asia/Dubai",
        "Azerbaijan Standard Time": "Asia/Baku",
        "Caucasus Standard Time": "Asia/Yerevan",
        "Afghanistan Standard Time": "Asia/Kabul",
        "West Asia Standard Time": "Asia/Tashkent",
        "Ekaterinburg Standard Time": "Asia/Yekaterinburg",
        "Pakistan Standard Time": "Asia/Karachi",
        "India Standard Time": "Asia/Calcutta",
        "Sri Lanka Standard Time": "Asia/Colombo",
        "Nepal Standard Time": "Asia/Katmandu",
        "Central Asia Standard Time": "Asia/Almaty",
        "Bangladesh Standard Time": "Asia/Dhaka",
        "Myanmar Standard Time": "Asia/Rangoon",
        "SE Asia Standard Time": "Asia/Bangkok",
        "N. Central Asia Standard Time": "Asia/Novosibirsk",
        "China Standard Time": "Asia/Shanghai",
        "North Asia Standard Time": "Asia/Krasnoyarsk",
        "Singapore Standard Time": "Asia/Singapore",
        "W. Australia Standard Time": "Australia/Perth",
        "Taipei Standard Time": "Asia/Taipei",
        "Ulaanbaatar Standard Time": "Asia/Ulaanbaatar",
        "North Asia East Standard Time": "Asia/Irkutsk",
        "Tokyo Standard Time": "Asia/Tokyo",
        "Korea Standard Time": "Asia/Seoul",
        "Yakutsk Standard Time": "Asia/Yakutsk",
        "Cen. Australia Standard Time": "Australia/Adelaide",
        "AUS Central Standard Time": "Australia/Darwin",
        "E. Australia Standard Time": "Australia/Brisbane",
        "AUS Eastern Standard Time": "Australia/Sydney",
        "West Pacific Standard Time": "Pacific/Port_Moresby",
        "Tasmania Standard Time": "Australia/Hobart",
        "Vladivostok Standard Time": "Asia/Vladivostok",
        "Central Pacific Standard Time": "Pacific/Guadalcanal",
        "New Zealand Standard Time": "Pacific/Auckland",
        "UTC+12": "Etc/GMT-12",
        "Fiji Standard Time": "Pacific/Fiji",
        "Tonga Standard Time": "Pacific/Tongatapu",
        "Samoa Standard Time": "Pacific/Apia",
    ]
}
