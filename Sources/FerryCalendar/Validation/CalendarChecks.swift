import FerryCore
import FerryText

/// A named rule beyond multiplicity and value syntax: a stable code, a severity, the RFC section, the
/// components it applies to, and its check.
struct CalendarCheck: Sendable {
    let code: String
    let severity: Severity
    let section: String
    let summary: String
    let components: Set<String>
    let run: @Sendable (Component, ValidationContext) -> Void
}

/// The rule table of named checks (RFC 5545 §3.6–3.8, RFC 5546 relaxations handled in the multiplicity table).
enum CalendarChecks {
    static let all: [CalendarCheck] = [
        CalendarCheck(code: "ics.dtend-and-duration", severity: .error, section: "3.6.1",
                      summary: "DTEND (DUE) and DURATION must not both occur",
                      components: ["VEVENT", "VTODO"]) { c, ctx in
            let end = c.name == "VTODO" ? "DUE" : "DTEND"
            if let e = c.property(end), c.property("DURATION") != nil {
                ctx.report(.error, "ics.dtend-and-duration", "\(c.name) has both \(end) and DURATION; only one is allowed", at: e)
            }
        },
        CalendarCheck(code: "ics.value-type-mismatch", severity: .error, section: "3.8.2.2",
                      summary: "DTEND, DUE and RECURRENCE-ID must have DTSTART's value type",
                      components: ["VEVENT", "VTODO", "VJOURNAL"]) { c, ctx in
            guard let s = c.property("DTSTART"), let start = try? CalendarDateTime.parse(property: s) else { return }
            for name in ["DTEND", "DUE", "RECURRENCE-ID"] {
                guard let p = c.property(name), let v = try? CalendarDateTime.parse(property: p) else { continue }
                if v.isDate != start.isDate {
                    ctx.report(.error, "ics.value-type-mismatch", "\(name) is a \(v.isDate ? "DATE" : "DATE-TIME") but DTSTART "
                               + "is a \(start.isDate ? "DATE" : "DATE-TIME"); both must have the same value type", at: p,
                               byte: p.valueStart)
                }
            }
            for name in ["EXDATE", "RDATE"] {
                for p in c.properties(name) where p.parameterValue("VALUE")?.uppercased() != "PERIOD" {
                    for part in TextEscaping.split(p.value, separator: 0x2C) {
                        guard let v = try? CalendarDateTime.parse(part) else { continue }
                        if v.isDate != start.isDate {
                            ctx.report(.warning, "ics.value-type-mismatch", "\(name) value is a \(v.isDate ? "DATE" : "DATE-TIME") "
                                       + "but DTSTART is a \(start.isDate ? "DATE" : "DATE-TIME")", at: p, byte: p.valueStart)
                            break
                        }
                    }
                }
            }
        },
        CalendarCheck(code: "ics.end-before-start", severity: .error, section: "3.8.2.2",
                      summary: "DTEND and DUE must be later than DTSTART",
                      components: ["VEVENT", "VTODO"]) { c, ctx in
            guard let s = c.property("DTSTART"), let start = try? CalendarDateTime.parse(property: s) else { return }
            let endName = c.name == "VTODO" ? "DUE" : "DTEND"
            if let e = c.property(endName), let end = try? CalendarDateTime.parse(property: e), end.isDate == start.isDate {
                // Same anchor (both UTC, both floating, or one TZID): wall clocks compare directly. Different
                // TZIDs cannot be compared without their rules and are left alone.
                let a = start.local.seconds, b = end.local.seconds
                if start.anchor == end.anchor || (start.isUTC && end.isUTC) {
                    if b < a || (start.isDate && b == a) {
                        ctx.report(.error, "ics.end-before-start", "\(endName) \(end.icalString) is before DTSTART \(start.icalString)",
                                   at: e, byte: e.valueStart)
                    }
                }
            }
            if let d = c.property("DURATION"), let dur = try? CalendarDuration.parse(d.value) {
                if dur.negative {
                    ctx.report(.error, "ics.end-before-start", "DURATION \(d.valueString) is negative", at: d, byte: d.valueStart)
                }
                if start.isDate && dur.exactSeconds != 0 {
                    ctx.report(.error, "ics.duration-not-days", "DTSTART is a DATE, so DURATION must be in days or weeks "
                               + "(found \(d.valueString))", at: d, byte: d.valueStart)
                }
            }
        },
        CalendarCheck(code: "rrule.until-type", severity: .error, section: "3.3.10",
                      summary: "UNTIL must have DTSTART's value type; UTC when DTSTART has a TZID or is UTC",
                      components: ["VEVENT", "VTODO", "VJOURNAL", "STANDARD", "DAYLIGHT"]) { c, ctx in
            guard let s = c.property("DTSTART"), let start = try? CalendarDateTime.parse(property: s) else { return }
            for r in c.properties("RRULE") {
                guard let rule = try? RecurrenceRule.parse(r.value) else { continue }
                let untilOffset = (r.valueString.uppercased().range(of: "UNTIL=")?.upperBound)
                    .map { r.valueString.utf8.distance(from: r.valueString.utf8.startIndex, to: $0) } ?? 0
                if let until = rule.until {
                    if until.isDate != start.isDate {
                        ctx.report(.error, "rrule.until-type", "UNTIL is a \(until.isDate ? "DATE" : "DATE-TIME") but DTSTART is a "
                                   + "\(start.isDate ? "DATE" : "DATE-TIME"); they must match", at: r, byte: r.valueStart + untilOffset)
                    } else if !start.isDate, start.anchor != .floating, !until.isUTC {
                        ctx.report(.error, "rrule.until-type", "DTSTART has a time zone, so UNTIL must be in UTC (ending in Z)",
                                   at: r, byte: r.valueStart + untilOffset)
                    } else if !start.isDate, start.anchor == .floating, until.isUTC, c.name != "STANDARD", c.name != "DAYLIGHT" {
                        ctx.report(.error, "rrule.until-type", "DTSTART is a floating time, so UNTIL must be floating too (no Z)",
                                   at: r, byte: r.valueStart + untilOffset)
                    }
                }
                if start.isDate, !(rule.byHour.isEmpty && rule.byMinute.isEmpty && rule.bySecond.isEmpty) {
                    ctx.report(.error, "rrule.time-parts-with-date", "BYHOUR, BYMINUTE and BYSECOND must not be used when "
                               + "DTSTART is a DATE", at: r, byte: r.valueStart)
                }
            }
        },
        CalendarCheck(code: "rrule.multiple", severity: .warning, section: "3.8.5.3",
                      summary: "RRULE should not occur more than once",
                      components: ["VEVENT", "VTODO", "VJOURNAL"]) { _, _ in
            // Covered by the multiplicity table ('?' in RFC 5545, '*' in RFC 2445).
        },
        CalendarCheck(code: "ics.recurrence-without-dtstart", severity: .error, section: "3.8.5.3",
                      summary: "RRULE and RDATE need a DTSTART",
                      components: ["VEVENT", "VTODO", "VJOURNAL"]) { c, ctx in
            if c.property("DTSTART") == nil, let r = c.property("RRULE") ?? c.property("RDATE") {
                ctx.report(.error, "ics.recurrence-without-dtstart", "\(r.name) without DTSTART: the recurrence has no start", at: r)
            }
        },
        CalendarCheck(code: "ics.timezone-empty", severity: .error, section: "3.6.5",
                      summary: "VTIMEZONE needs at least one STANDARD or DAYLIGHT",
                      components: ["VTIMEZONE"]) { c, ctx in
            if c.components("STANDARD").isEmpty && c.components("DAYLIGHT").isEmpty {
                ctx.report(.error, "ics.timezone-empty", "VTIMEZONE \(c.property("TZID")?.textValue ?? "") has no STANDARD or "
                           + "DAYLIGHT observance", at: c.begin)
            }
        },
        CalendarCheck(code: "ics.observance-local-time", severity: .error, section: "3.6.5",
                      summary: "an observance's DTSTART is a local DATE-TIME (no Z, no TZID)",
                      components: ["STANDARD", "DAYLIGHT"]) { c, ctx in
            guard let s = c.property("DTSTART"), let v = try? CalendarDateTime.parse(property: s) else { return }
            if v.isDate || v.anchor != .floating {
                ctx.report(.error, "ics.observance-local-time", "DTSTART of \(c.name) must be a local DATE-TIME without Z or TZID",
                           at: s, byte: s.valueStart)
            }
        },
        CalendarCheck(code: "ics.alarm-repeat", severity: .error, section: "3.6.6",
                      summary: "VALARM: DURATION and REPEAT occur together or not at all; DISPLAY/EMAIL need their texts",
                      components: ["VALARM"]) { c, ctx in
            let hasDuration = c.property("DURATION") != nil, hasRepeat = c.property("REPEAT") != nil
            if hasDuration != hasRepeat {
                ctx.report(.error, "ics.alarm-repeat", "VALARM has \(hasDuration ? "DURATION without REPEAT" : "REPEAT without DURATION"); "
                           + "both or neither", at: c.property(hasDuration ? "DURATION" : "REPEAT")!)
            }
            let action = c.property("ACTION")?.valueString.uppercased()
            if action == "DISPLAY" || action == "EMAIL", c.property("DESCRIPTION") == nil {
                ctx.report(.error, "ics.missing-property", "VALARM with ACTION:\(action!) has no DESCRIPTION (required)",
                           line: c.line, column: 1)
            }
            if action == "EMAIL" {
                if c.property("SUMMARY") == nil {
                    ctx.report(.error, "ics.missing-property", "VALARM with ACTION:EMAIL has no SUMMARY (required)", line: c.line, column: 1)
                }
                if c.property("ATTENDEE") == nil {
                    ctx.report(.error, "ics.missing-property", "VALARM with ACTION:EMAIL has no ATTENDEE (required)", line: c.line, column: 1)
                }
            }
        },
        CalendarCheck(code: "itip.restriction", severity: .error, section: "RFC 5546 §3.2–3.5",
                      summary: "METHOD's restriction table (iTIP): required, forbidden and single properties, "
                        + "sub-components and statuses (PUBLISH: warnings)",
                      components: MethodTable.scheduled) { c, ctx in
            guard let method = ctx.method, MethodTable.methods.contains(method) else { return }
            let severity = MethodTable.severity(method)
            let note = method == "PUBLISH" ? "; calendar exports often carry METHOD:PUBLISH without being iTIP messages" : ""
            guard let rules = MethodTable.rules[method]?[c.name] else {
                let carried = MethodTable.rules[method]?.keys.sorted().joined(separator: ", ") ?? ""
                ctx.report(severity, "itip.component-not-allowed", "METHOD:\(method) messages carry \(carried), not \(c.name) "
                           + "(RFC 5546 §3)\(note)", at: c.begin)
                return
            }
            let base = RuleTable.rows[c.name] ?? [:]
            let section = "RFC 5546 §\(rules.section)"
            for (name, count) in rules.counts {
                let isComponent = RuleTable.knownComponents.contains(name)
                let found = isComponent ? c.components(name).count : c.properties(name).count
                // What RFC 5545 already requires (or limits) is reported by its own rule, not twice.
                let base5545 = base[name]?.count5545
                switch count {
                case .one, .atLeastOne:
                    if found == 0, base5545 != .one {
                        ctx.report(severity, "itip.missing-property", "METHOD:\(method) needs \(name) in \(c.name) "
                                   + "(\(section))\(note)", line: c.line, column: 1)
                    }
                    if count == .one, found > 1, base5545 != .one, base5545 != .atMostOne {
                        ctx.report(severity, "itip.duplicate-property", "METHOD:\(method) allows one \(name) in \(c.name), "
                                   + "found \(found) (\(section))", at: c.properties(name)[1])
                    }
                case .atMostOne:
                    if found > 1, base5545 != .one, base5545 != .atMostOne {
                        ctx.report(severity, "itip.duplicate-property", "METHOD:\(method) allows at most one \(name) in "
                                   + "\(c.name), found \(found) (\(section))", at: c.properties(name)[1])
                    }
                case .none:
                    guard found > 0 else { break }
                    let first = isComponent ? c.components(name)[0].begin : c.properties(name)[0]
                    ctx.report(severity, "itip.property-not-allowed", "METHOD:\(method) does not allow \(name) in "
                               + "\(c.name) (\(section))\(note)", at: first)
                }
            }
            if let allowed = rules.statuses, let status = c.property("STATUS") {
                let v = status.valueString.uppercased()
                if !allowed.contains(v), !v.hasPrefix("X-") {
                    ctx.report(severity, "itip.bad-status", "STATUS:\(status.valueString) in a METHOD:\(method) \(c.name); "
                               + "allowed: \(allowed.sorted().joined(separator: ", ")) (\(section))", at: status,
                               byte: status.valueStart)
                }
            }
        },
        CalendarCheck(code: "ics.freebusy-fbtype", severity: .warning, section: "3.2.9",
                      summary: "FBTYPE is FREE, BUSY, BUSY-UNAVAILABLE, BUSY-TENTATIVE or an x-name",
                      components: ["VFREEBUSY"]) { c, ctx in
            for p in c.properties("FREEBUSY") {
                if let t = p.parameterValue("FBTYPE")?.uppercased(),
                   !["FREE", "BUSY", "BUSY-UNAVAILABLE", "BUSY-TENTATIVE"].contains(t), !t.hasPrefix("X-") {
                    ctx.report(.warning, "ics.freebusy-fbtype", "FBTYPE=\(t) is not a known free/busy type (read as BUSY)", at: p)
                }
            }
        },
    ]
}

import Foundation
