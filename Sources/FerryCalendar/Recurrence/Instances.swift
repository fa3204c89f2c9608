import FerryText

/// One occurrence of an event, to-do or journal entry, in UTC seconds since 1970.
public struct Instance: Sendable, Hashable {
    public var start: Int64
    /// Exclusive end (equal to `start` for a zero-length instance).
    public var end: Int64
    /// The occurrence's original start in UTC (its RECURRENCE-ID), the key of an override.
    public var recurrenceID: Int64
    public var isDate: Bool
}

/// The result of expanding a component.
public struct Expansion: Sendable {
    public var instances: [Instance]
    /// True when a rule was stopped by the instance cap or by a runaway guard (not silent: callers report it).
    public var truncated: Bool
    /// TZIDs that nothing resolved (their times were read as floating).
    public var unresolvedZones: [String]
}

/// Expands a component's occurrences: DTSTART, RRULE (and the deprecated EXRULE), RDATE, EXDATE; the
/// length from DTEND, DUE or DURATION (RFC 5545 §3.8.5.3: an exact duration for every instance, nominal
/// days for DATE values).
public struct InstanceExpander {
    public let zones: TimeZoneTable
    /// The most instances one component may produce before it is cut off (and reported).
    public var maxInstances: Int

    public init(zones: TimeZoneTable, maxInstances: Int = 100_000) {
        self.zones = zones
        self.maxInstances = maxInstances
    }

    /// Instances overlapping `[from, to)` (all when nil). Throws only on values that cannot be read.
    public func expand(_ c: Component, from: Int64? = nil, to: Int64? = nil) throws(ValueError) -> Expansion {
        var unresolved: [String] = []
        guard let startLine = c.property("DTSTART") else {
            // A VTODO may have only a DUE; a VFREEBUSY has no instances of its own.
            if let due = c.property("DUE") {
                let d = try CalendarDateTime.parse(property: due)
                let (u, ok) = zones.utc(d)
                if !ok, let id = d.tzid { unresolved.append(id) }
                return Expansion(instances: [Instance(start: u, end: u, recurrenceID: u, isDate: d.isDate)],
                                 truncated: false, unresolvedZones: unresolved)
            }
            return Expansion(instances: [], truncated: false, unresolvedZones: [])
        }
        let start = try CalendarDateTime.parse(property: startLine)
        let rules = zones.zoneRules(for: start)
        if let id = start.tzid, zones.rules(for: id) == nil { unresolved.append(id) }
        func toUTC(_ local: LocalDateTime) -> Int64 {
            start.isUTC ? local.seconds : rules.utc(fromLocal: local.seconds)
        }
        // Length of each instance.
        var exactLength: Int64 = 0
        var nominalDays = 0
        if let endLine = c.property("DTEND") ?? c.property("DUE") {
            let end = try CalendarDateTime.parse(property: endLine)
            if start.isDate {
                nominalDays = end.local.days - start.local.days
            } else {
                let (endUTC, ok) = zones.utc(end)
                if !ok, let id = end.tzid { unresolved.append(id) }
                exactLength = endUTC - toUTC(start.local)
            }
        } else if let durationLine = c.property("DURATION") {
            let d = try CalendarDuration.parse(durationLine.value)
            nominalDays = d.nominalDays
            exactLength = d.exactSeconds
        } else if start.isDate {
            nominalDays = 1
        }
        func instance(_ local: LocalDateTime) -> Instance {
            let s = toUTC(local)
            let e: Int64
            if nominalDays != 0 {
                let endLocal = local.seconds + Int64(nominalDays) * 86400
                e = (start.isUTC ? endLocal : rules.utc(fromLocal: endLocal)) + exactLength
            } else {
                e = s + exactLength
            }
            return Instance(start: s, end: max(e, s), recurrenceID: s, isDate: start.isDate)
        }

        // Exclusions, as UTC instants (and dates for DATE values or date-only EXDATEs).
        var excluded = Set<Int64>()
        var excludedDates = Set<Int>()
        for line in c.properties("EXDATE") {
            let tzid = line.parameters.isEmpty ? nil : line.parameterValue("TZID")
            for part in TextEscaping.split(line.value, separator: 0x2C) where !part.isEmpty {
                let d = try CalendarDateTime.parse(part, tzid: tzid)
                if d.isDate || start.isDate {
                    excludedDates.insert(d.local.days)
                } else {
                    excluded.insert(zones.utc(d).utc)
                }
            }
        }
        func isExcluded(_ i: Instance, _ local: LocalDateTime) -> Bool {
            if !excludedDates.isEmpty, excludedDates.contains(local.days) { return true }
            return excluded.contains(i.start)
        }

        var result: [Instance] = []
        var truncated = false
        var produced = 0
        func consider(_ i: Instance, _ local: LocalDateTime) -> Bool {
            // Returns false to stop (past the range).
            if let to, i.start >= to { return false }
            if isExcluded(i, local) { return true }
            if let from, !(i.end > from || (i.end == i.start && i.start >= from)) { return true }
            result.append(i)
            return true
        }

        let rrules = c.properties("RRULE")
        if rrules.isEmpty {
            _ = consider(instance(start.local), start.local)
        } else {
            var seen = Set<Int64>()
            for line in rrules {
                let rule = try RecurrenceRule.parse(line.value)
                let until = rule.until
                var iterator = RuleIterator(rule: rule, start: start.local) { local in
                    guard let until else { return false }
                    if until.isDate || start.isDate { return local.days > until.local.days }
                    if until.isUTC { return toUTC(local) > until.local.seconds }
                    return local > until.local
                }
                while let local = iterator.next() {
                    produced += 1
                    if produced > maxInstances { truncated = true; break }
                    let i = instance(local)
                    guard seen.insert(i.start).inserted else { continue }
                    if !consider(i, local) { break }
                }
                if iterator.stoppedEarly { truncated = true }
            }
        }
        // RDATEs (DATE-TIME, DATE or PERIOD).
        for line in c.properties("RDATE") {
            let tzid = line.parameters.isEmpty ? nil : line.parameterValue("TZID")
            let isPeriod = line.parameterValue("VALUE")?.uppercased() == "PERIOD"
            for part in TextEscaping.split(line.value, separator: 0x2C) where !part.isEmpty {
                if isPeriod || part.contains(0x2F) {
                    let p = try CalendarPeriod.parse(part, tzid: tzid)
                    let s = zones.utc(p.start).utc
                    let e: Int64
                    if let end = p.end { e = zones.utc(end).utc } else if let d = p.duration { e = s + d.totalSeconds } else { e = s }
                    let i = Instance(start: s, end: max(s, e), recurrenceID: s, isDate: false)
                    if !result.contains(where: { $0.start == s }) { _ = consider(i, p.start.local) }
                } else {
                    let d = try CalendarDateTime.parse(part, tzid: tzid)
                    let s = zones.utc(d).utc
                    var i = instance(d.local)
                    if d.anchor != start.anchor { i.start = s; i.recurrenceID = s; i.end = s + (i.end - toUTC(d.local)) }
                    if !result.contains(where: { $0.start == i.start }) { _ = consider(i, d.local) }
                }
            }
        }
        result.sort { $0.start < $1.start }
        return Expansion(instances: result, truncated: truncated, unresolvedZones: unresolved)
    }
}
