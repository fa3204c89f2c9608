import FerryCore
import FerryText

/// Checks iCalendar files against RFC 5545 (§3.1 syntax, §3.3 value types, §3.6–3.8 component rules),
/// streaming one top-level component at a time.
///
/// Multiplicities come from `RuleTable`; the other rules are the named checks in `CalendarChecks.all`
/// (each with a stable code, a severity and the RFC section). One bad component is reported and the rest
/// of the file is still checked. Positions are physical lines and 1-based byte columns.
public struct CalendarValidator: Sendable {
    public enum Profile: String, Sendable {
        /// RFC 5545.
        case rfc5545
        /// RFC 2445 compatibility (what free/busy servers write): UID and DTSTAMP optional, DURATION
        /// allowed in VFREEBUSY, non-UTC FREEBUSY values a warning.
        case rfc2445
    }

    public var profile: Profile
    /// Per code, how many diagnostics are listed before the rest are only counted.
    public var maxPerCode = 50

    public init(profile: Profile = .rfc5545) {
        self.profile = profile
    }

    /// Checks one input; returns the number of top-level components checked.
    ///
    /// An input that can be read twice (a file, memory) first goes through `FastCalendarValidator`,
    /// a byte-level pass that proves a file valid without building lines or trees; only when it finds
    /// something to report is the input read again here, to explain each problem.
    public func validate(_ source: ByteSource, log: DiagnosticLog) throws -> Int {
        if profile == .rfc5545, let rereadable = source as? RereadableSource, rereadable.canReread {
            if case .valid(let components) = FastCalendarValidator.run(source) { return components }
            return try validateFully(rereadable.reread(), log: log)
        }
        return try validateFully(source, log: log)
    }

    /// Checks one input with the complete validator (no fast pass).
    public func validateFully(_ source: ByteSource, log: DiagnosticLog) throws -> Int {
        let context = ValidationContext(file: source.name, log: log, profile: profile, maxPerCode: maxPerCode)
        let parser = CalendarParser(source: source) { severity, code, message, line, column in
            context.report(severity, code, message, line: line, column: column)
        }
        parser.onLine = { line in context.checkLine(line) }
        var header: [ContentLine] = []
        var calendarBegin: ContentLine?
        var components = 0
        var componentsInCalendar = 0
        func closeCalendar(_ end: ContentLine?) {
            guard let begin = calendarBegin else { return }
            context.checkCalendar(begin: begin, properties: header, componentCount: componentsInCalendar)
            calendarBegin = nil
            header = []
            componentsInCalendar = 0
        }
        while let event = try parser.next() {
            switch event {
            case .calendarBegin(let line):
                closeCalendar(nil)
                calendarBegin = line
                context.method = nil
                context.isVCalendar1 = false
            case .calendarProperty(let line):
                header.append(line)
                if line.name == "METHOD" {
                    let method = line.valueString.uppercased()
                    context.method = method
                    if !MethodTable.methods.contains(method), !method.hasPrefix("X-") {
                        context.report(.warning, "itip.unknown-method", "METHOD:\(line.valueString) is none of RFC 5546's "
                                       + MethodTable.methods.sorted().joined(separator: ", "), at: line, byte: line.valueStart)
                    }
                }
                if line.name == "VERSION", line.valueString.trimmingCharacters(in: .whitespaces) == "1.0" {
                    context.isVCalendar1 = true
                }
                context.checkValue(line, in: "VCALENDAR")
            case .component(let component):
                components += 1
                componentsInCalendar += 1
                context.check(component, parent: "VCALENDAR")
            case .calendarEnd(let line):
                closeCalendar(line)
            case .stray:
                break
            }
        }
        closeCalendar(nil)
        if parser.calendarsSeen == 0 {
            context.report(.error, "ics.no-calendar", "no BEGIN:VCALENDAR found: this is not an iCalendar file", line: 1, column: 1)
        }
        context.finish()
        return components
    }
}

/// State of one file's validation: the diagnostics sink, TZIDs defined and referenced, UIDs seen.
final class ValidationContext: CappedReporter {
    let profile: CalendarValidator.Profile
    var method: String?
    var isVCalendar1 = false
    private var definedZones = Set<String>()
    private var zoneReferences: [(tzid: String, line: Int, column: Int)] = []
    private var referencedOnce = Set<String>()
    private var uids: [String: Int] = [:]
    private var sawLF = false
    private var sawCR = false
    private let utf8 = UTF8Validator()

    init(file: String, log: DiagnosticLog, profile: CalendarValidator.Profile, maxPerCode: Int) {
        self.profile = profile
        super.init(file: file, log: log, maxPerCode: maxPerCode)
    }

    // MARK: line level (RFC 5545 §3.1)

    func checkLine(_ line: UnfoldedLine) {
        // Line ends: CRLF only.
        let terminators = [line.terminator] + line.folds.map(\.terminator)
        for t in terminators {
            if t == .lf && !sawLF {
                sawLF = true
                report(.warning, "ics.line-ending", "lines end with LF only; RFC 5545 requires CRLF", line: line.line, column: 1)
            } else if t == .cr && !sawCR {
                sawCR = true
                report(.warning, "ics.line-ending", "lines end with a lone CR; RFC 5545 requires CRLF", line: line.line, column: 1)
            }
        }
        // Physical line length: at most 75 octets.
        var start = 0
        var physical = line.line
        var extra = 0
        for fold in line.folds + [Fold(offset: line.bytes.count, terminator: .none, kind: .space)] {
            let length = fold.offset - start + extra
            if length > 75 {
                report(.warning, "ics.line-too-long", "line is \(length) octets long; fold lines longer than 75 octets",
                       line: physical, column: 76)
            }
            physical += 1
            start = fold.offset
            extra = fold.kind == .softBreak ? 0 : 1
        }
        // UTF-8 and control characters.
        var nonASCII = false
        for (k, b) in line.bytes.enumerated() {
            if b >= 0x80 { nonASCII = true; continue }
            if b < 0x20 && b != 0x09 || b == 0x7F {
                let (l, c) = line.location(ofByte: k)
                report(.error, "ics.control-character", String(format: "control character 0x%02X is not allowed in content lines", b),
                       line: l, column: c)
                break
            }
        }
        if nonASCII, !UTF8Validator.isValid(line.bytes) {
            var k = 0
            while k < line.bytes.count && line.bytes[k] < 0x80 { k += 1 }
            let (l, c) = line.location(ofByte: k)
            report(.error, "ics.invalid-utf8", "bytes that are not UTF-8 (RFC 5545 text is UTF-8)", line: l, column: c)
        }
    }

    // MARK: calendar level

    func checkCalendar(begin: ContentLine, properties: [ContentLine], componentCount: Int) {
        let fake = Component(name: "VCALENDAR", begin: begin, end: nil, entries: properties.map(Component.Entry.property))
        checkMultiplicity(fake, parentMethod: nil)
        if let version = properties.first(where: { $0.name == "VERSION" }) {
            let v = version.valueString.trimmingCharacters(in: .whitespaces)
            if v == "1.0" {
                report(.warning, "ics.vcalendar-1", "VERSION:1.0 is vCalendar 1.0, not iCalendar: only its structure is checked",
                       at: version, byte: version.valueStart)
            } else if v != "2.0" {
                report(.error, "ics.bad-version", "VERSION must be 2.0 for iCalendar, found '\(v)'", at: version, byte: version.valueStart)
            }
        }
        if componentCount == 0 {
            report(.error, "ics.empty-calendar", "VCALENDAR holds no component (RFC 5545 requires at least one)",
                   line: begin.line.line, column: 1)
        }
    }

    // MARK: components

    func check(_ c: Component, parent: String) {
        if isVCalendar1 { return }
        let allowedChildren = RuleTable.children[parent]
        if let allowedChildren, !allowedChildren.contains(c.name), !c.name.hasPrefix("X-") {
            if RuleTable.knownComponents.contains(c.name) {
                report(.error, "ics.component-not-allowed", "\(c.name) is not allowed inside \(parent)", at: c.begin)
            } else {
                report(.warning, "ics.unknown-component", "unknown component \(c.name) (kept as is)", at: c.begin)
            }
        }
        if c.name == "VTIMEZONE", let tzid = c.property("TZID") {
            definedZones.insert(tzid.textValue)
        }
        if RuleTable.rows[c.name] != nil {
            checkMultiplicity(c, parentMethod: method)
            for p in c.properties { checkValue(p, in: c.name) }
            for check in CalendarChecks.all where check.components.contains(c.name) {
                check.run(c, self)
            }
        } else {
            for p in c.properties where !p.parameters.isEmpty { noteZoneReference(p) }
        }
        if c.name == "VEVENT" || c.name == "VTODO" || c.name == "VJOURNAL" {
            if let uid = c.property("UID")?.textValue, c.property("RECURRENCE-ID") == nil {
                if let first = uids[uid] {
                    report(.warning, "ics.duplicate-uid",
                           "UID \(uid) is used again (first on line \(first)); overrides need a RECURRENCE-ID",
                           at: c.property("UID")!)
                } else {
                    uids[uid] = c.line
                }
            }
        }
        for entry in c.entries {
            if case .component(let child) = entry { check(child, parent: c.name) }
        }
    }

    func checkMultiplicity(_ c: Component, parentMethod: String?) {
        guard let rows = RuleTable.rows[c.name] else { return }
        var counts: [String: (Int, ContentLine)] = [:]
        for p in c.properties {
            if let existing = counts[p.name] { counts[p.name] = (existing.0 + 1, existing.1) } else { counts[p.name] = (1, p) }
            if rows[p.name] == nil, !p.name.hasPrefix("X-") {
                if RuleTable.knownProperties.contains(p.name) || ValueTypeTable.entries[p.name] != nil {
                    report(.error, "ics.property-not-allowed", "\(p.name) is not allowed in \(c.name)", at: p)
                } else if c.name != "VCALENDAR" || p.name != "BEGIN" {
                    report(.warning, "ics.unknown-property", "unknown property \(p.name) in \(c.name) (kept as is; "
                           + "use an X- name for private properties)", at: p)
                }
            }
            if !p.hasStrictName {
                report(.error, "ics.bad-name", "property name '\(p.name)' has characters other than letters, digits and '-'", at: p)
            }
        }
        for (name, row) in rows {
            let count = profile == .rfc2445 ? row.count2445 : row.count5545
            let found = counts[name]?.0 ?? 0
            switch count {
            case .one, .oneUnlessMethod:
                if found == 0 {
                    if count == .oneUnlessMethod && parentMethod != nil { continue }
                    let section = ["VEVENT": "3.6.1", "VTODO": "3.6.2", "VJOURNAL": "3.6.3", "VFREEBUSY": "3.6.4",
                                   "VTIMEZONE": "3.6.5", "STANDARD": "3.6.5", "DAYLIGHT": "3.6.5", "VALARM": "3.6.6"][c.name] ?? "3.6"
                    report(.error, "ics.missing-property", "\(c.name) has no \(name) (required, RFC 5545 §\(section))",
                           line: c.begin.line.line, column: 1)
                } else if found > 1, let (_, first) = counts[name] {
                    reportDuplicates(c, name, first)
                }
            case .atMostOne:
                if found > 1, let (_, first) = counts[name] { reportDuplicates(c, name, first) }
            case .atLeastOne:
                if found == 0 {
                    report(.error, "ics.missing-property", "\(c.name) needs at least one \(name)", line: c.begin.line.line, column: 1)
                }
            case .none:
                if found > 0, let (_, first) = counts[name] {
                    report(.error, "ics.property-not-allowed", "\(name) is not allowed in \(c.name) (RFC 5545; "
                           + "RFC 2445 allowed it)", at: first)
                }
            case .any: break
            }
        }
    }

    private func reportDuplicates(_ c: Component, _ name: String, _ first: ContentLine) {
        let all = c.properties(name)
        for p in all.dropFirst() {
            report(.error, "ics.duplicate-property",
                   "\(name) appears more than once in \(c.name) (first on line \(first.line.line)); at most one is allowed", at: p)
        }
    }

    // MARK: values

    func noteZoneReference(_ p: ContentLine) {
        guard let tzid = p.parameterValue("TZID") else { return }
        if !referencedOnce.contains(tzid) || zoneReferences.count < 1000 {
            let (l, c) = p.location(ofByte: p.nameStart)
            if referencedOnce.insert(tzid).inserted { zoneReferences.append((tzid, l, c)) }
        }
    }

    func valueError(_ p: ContentLine, _ error: ValueError, offset: Int = 0, severity: Severity = .error) {
        report(severity, error.code, "\(p.name): \(error.message)", at: p, byte: p.valueStart + offset + error.offset)
    }

    /// Value syntax of one property, from the value type table (VALUE= may pick another allowed type).
    func checkValue(_ p: ContentLine, in component: String) {
        if !p.parameters.isEmpty { noteZoneReference(p) }
        guard let entry = ValueTypeTable.entries[p.name] else {
            checkText(p, in: component)
            return
        }
        var type = entry.defaultType
        if let declared = p.parameterValue("VALUE")?.uppercased() {
            if let t = ValueTypeTable.ValueType(rawValue: declared), entry.allowed.contains(t) {
                type = t
            } else if !declared.hasPrefix("X-") {
                report(.error, "ics.bad-value-type", "VALUE=\(declared) is not allowed for \(p.name) (allowed: "
                       + entry.allowed.map(\.rawValue).sorted().joined(separator: ", ") + ")", at: p)
                return
            } else {
                return
            }
        }
        let tzid = p.parameters.isEmpty ? nil : p.parameterValue("TZID")
        let parts: [ArraySlice<UInt8>] = entry.list ? TextEscaping.split(p.value, separator: 0x2C) : [p.value]
        var offset = 0
        for part in parts {
            defer { offset += part.count + 1 }
            do throws(ValueError) {
                switch type {
                case .dateTime, .date:
                    let v = try CalendarDateTime.parse(part, tzid: nil)
                    if type == .date && !v.isDate {
                        throw ValueError("ics.value-type-mismatch", "VALUE=DATE but '\(String(decoding: part, as: UTF8.self))' has a time")
                    }
                    if type == .dateTime && v.isDate {
                        if entry.allowed.contains(.date) {
                            throw ValueError("ics.missing-value-date", "'\(String(decoding: part, as: UTF8.self))' is a DATE: "
                                             + "write \(p.name);VALUE=DATE:…")
                        }
                        throw ValueError("value.bad-date", "\(p.name) must be a DATE-TIME, not a DATE")
                    }
                    if v.isUTC, tzid != nil {
                        throw ValueError("ics.tzid-with-utc", "a UTC time (ending in Z) must not have a TZID parameter")
                    }
                    if entry.utcOnly, !v.isUTC {
                        let severity: Severity = profile == .rfc2445 ? .warning : .error
                        report(severity, "ics.must-be-utc", "\(p.name) must be in UTC (ending in Z)", at: p,
                               byte: p.valueStart + offset)
                    }
                case .period:
                    let v = try CalendarPeriod.parse(part)
                    if entry.utcOnly, !v.start.isUTC || (v.end.map { !$0.isUTC } ?? false) {
                        let severity: Severity = profile == .rfc2445 ? .warning : .error
                        report(severity, "ics.must-be-utc", "\(p.name) periods must be in UTC (ending in Z)", at: p,
                               byte: p.valueStart + offset)
                    }
                case .duration: _ = try CalendarDuration.parse(part)
                case .utcOffset: _ = try UTCOffset.parse(part)
                case .recur: _ = try RecurrenceRule.parse(part)
                case .integer:
                    let range: ClosedRange<Int>? = p.name == "PRIORITY" ? 0...9 : p.name == "PERCENT-COMPLETE" ? 0...100
                        : (p.name == "SEQUENCE" || p.name == "REPEAT") ? 0...Int.max : nil
                    if let e = SimpleValues.checkInteger(part, range: range) { throw e }
                case .float: if let e = SimpleValues.checkFloat(part) { throw e }
                case .boolean: if let e = SimpleValues.checkBoolean(part) { throw e }
                case .time: if let e = SimpleValues.checkTime(part) { throw e }
                case .uri, .calAddress:
                    if let e = SimpleValues.checkURI(part) { throw e }
                case .binary:
                    if !Base64.isValid(part) { throw ValueError("value.bad-binary", "BINARY value is not valid base64") }
                case .geo:
                    let pieces = part.split(separator: 0x3B, omittingEmptySubsequences: false)
                    guard pieces.count == 2, SimpleValues.checkFloat(pieces[0]) == nil, SimpleValues.checkFloat(pieces[1]) == nil
                    else { throw ValueError("value.bad-geo", "GEO must be two FLOATs separated by ';' (latitude;longitude)") }
                case .text: break
                }
            } catch {
                // A URI without a scheme (Apple's `ATTACH;VALUE=URI:Chord` alarm sounds) is a warning; a
                // CAL-ADDRESS without one cannot be used at all.
                valueError(p, error, offset: offset, severity: error.code == "value.bad-uri" && type == .uri ? .warning : .error)
                return
            }
        }
    }

    func checkText(_ p: ContentLine, in component: String) {
        if p.name.hasPrefix("X-") { return }
        if let bad = TextEscaping.firstInvalidEscape(p.value) {
            report(.warning, "ics.bad-escape", "\(p.name): '\\' may only escape '\\', ';', ',' and 'n' in TEXT", at: p,
                   byte: bad)
        }
        if let allowed = ValueTypeTable.enumerations[p.name]?[component] ?? ValueTypeTable.enumerations[p.name]?["*"] {
            let v = p.valueString.uppercased()
            if !allowed.contains(v) && !v.hasPrefix("X-") {
                report(.error, "ics.bad-enum", "\(p.name):\(p.valueString) is not one of "
                       + allowed.sorted().joined(separator: ", ") + " for \(component)", at: p, byte: p.valueStart)
            }
        }
    }

    // MARK: end of file

    func finish() {
        for (tzid, line, column) in zoneReferences where !definedZones.contains(tzid) {
            if let (_, windows) = TimeZoneTable.systemZone(named: tzid) {
                report(.warning, "ics.tzid-not-in-file",
                       "TZID \(tzid) has no VTIMEZONE in this file; it is a known \(windows ? "Windows" : "IANA") zone name, "
                       + "but RFC 5545 requires the VTIMEZONE", line: line, column: column)
            } else {
                report(.error, "ics.unknown-tzid", "TZID \(tzid) has no VTIMEZONE in this file and is no known zone name",
                       line: line, column: column)
            }
        }
        noteOmitted(noteCode: "validate.more")
    }
}
