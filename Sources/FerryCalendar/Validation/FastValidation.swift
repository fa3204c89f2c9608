import FerryCore
import FerryText
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte-level proof that an iCalendar file is valid under RFC 5545: no `String`, `Array` or tree per
/// line, property names mapped to small integer ids through a precomputed table, rule checks as bit
/// masks built from `RuleTable` and `ValueTypeTable`, typed values read only where a rule needs them.
///
/// It answers one question: would `CalendarValidator` report nothing at all for this input? It
/// accepts a file only when every line passes every check the complete validator makes; anything it
/// does not fully understand (an unknown property, `METHOD`, a blank line, a lower-case name, a BOM, a
/// vCalendar 1.0 file, …) makes it give up. Then `CalendarValidator` reads the file again and explains
/// each problem with its code and position. Valid files — what CI runs on — take the fast path only.
struct FastCalendarValidator {
    enum Outcome: Equatable {
        /// No diagnostic at all; the number of top-level components (what `CalendarValidator` returns).
        case valid(components: Int)
        /// Something the complete validator must look at (or explain).
        case needsFullCheck
    }

    static func run(_ source: ByteSource, chunkSize: Int = 1 << 16) -> Outcome {
        var engine = FastEngine(chunkSize: chunkSize)
        defer { engine.deallocate() }
        do {
            return try engine.run(source) ? .valid(components: engine.topComponents) : .needsFullCheck
        } catch {
            return .needsFullCheck
        }
    }
}

// MARK: - Tables

/// Component and property ids, masks and value kinds, derived once from the rule tables.
enum FastTables {
    /// Components the fast path handles (those with a row set in `RuleTable`).
    static let componentNames = ["VCALENDAR", "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "STANDARD",
                                 "DAYLIGHT", "VALARM"]
    static let vcalendar: UInt8 = 0, vevent: UInt8 = 1, vtodo: UInt8 = 2, vjournal: UInt8 = 3, vfreebusy: UInt8 = 4
    static let vtimezone: UInt8 = 5, standard: UInt8 = 6, daylight: UInt8 = 7, valarm: UInt8 = 8

    /// Every property name of the rule and value tables, sorted; the id is the index (< 64).
    static let propertyNames: [String] = {
        var names = RuleTable.knownProperties
        names.formUnion(ValueTypeTable.entries.keys)
        let sorted = names.sorted()
        precondition(sorted.count < 64, "the fast validator keeps property ids in a 64-bit mask")
        return sorted
    }()

    static func id(_ name: String) -> Int { propertyNames.firstIndex(of: name)! }

    static let DTSTART = id("DTSTART"), DTEND = id("DTEND"), DUE = id("DUE"), DURATION = id("DURATION")
    static let RECURRENCE_ID = id("RECURRENCE-ID"), RRULE = id("RRULE"), RDATE = id("RDATE"), EXDATE = id("EXDATE")
    static let UID = id("UID"), VERSION = id("VERSION"), METHOD = id("METHOD"), TZID = id("TZID"), ACTION = id("ACTION")
    static let REPEAT = id("REPEAT"), DESCRIPTION = id("DESCRIPTION"), SUMMARY = id("SUMMARY"), ATTENDEE = id("ATTENDEE")
    static let FREEBUSY = id("FREEBUSY"), PRIORITY = id("PRIORITY"), PERCENT_COMPLETE = id("PERCENT-COMPLETE")
    static let SEQUENCE = id("SEQUENCE")

    /// Per component: properties allowed, allowed at most once, and required (RFC 5545 column).
    static let allowed: [UInt64] = masks { $0 != .none }
    static let atMostOnce: [UInt64] = masks { $0 == .one || $0 == .oneUnlessMethod || $0 == .atMostOne }
    static let required: [UInt64] = masks { $0 == .one || $0 == .oneUnlessMethod || $0 == .atLeastOne }

    private static func masks(_ include: (RuleTable.Count) -> Bool) -> [UInt64] {
        componentNames.map { component in
            var mask: UInt64 = 0
            for (name, row) in RuleTable.rows[component] ?? [:] where include(row.count5545) {
                mask |= 1 << UInt64(id(name))
            }
            return mask
        }
    }

    /// Per component: which child components it may hold (bit = component id).
    static let children: [UInt16] = componentNames.map { parent in
        var mask: UInt16 = 0
        for child in RuleTable.children[parent] ?? [] {
            if let k = componentNames.firstIndex(of: child) { mask |= 1 << UInt16(k) }
        }
        return mask
    }

    /// Value type of each property id (nil: TEXT, checked for escapes and enumerations).
    static let entries: [ValueTypeTable.Entry?] = propertyNames.map { ValueTypeTable.entries[$0] }

    /// Enumerated values per property id and component id (nil: not enumerated there).
    static let enumerations: [[[[UInt8]]?]] = propertyNames.map { name in
        componentNames.map { component in
            guard let table = ValueTypeTable.enumerations[name], let set = table[component] ?? table["*"] else { return nil }
            return set.map { Array($0.utf8) }
        }
    }

    /// Property name → id: open addressing on a hash of the name's bytes; slots compare the bytes.
    static let slotCount = 256
    static let slots: [(hash: UInt64, id: Int, name: [UInt8])?] = {
        var table = [(hash: UInt64, id: Int, name: [UInt8])?](repeating: nil, count: slotCount)
        for (k, name) in propertyNames.enumerated() {
            let bytes = Array(name.utf8)
            let h = bytes.withUnsafeBufferPointer { hash($0.baseAddress!, $0.count) }
            var slot = Int(h & UInt64(slotCount - 1))
            while table[slot] != nil { slot = (slot + 1) & (slotCount - 1) }
            table[slot] = (h, k, bytes)
        }
        return table
    }()

    /// FNV-1a, 64 bits.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for k in 0..<n { h = (h ^ UInt64(p[k])) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// Required properties when the calendar has a METHOD (RFC 5545 §3.6.1 relaxes DTSTART then).
    static let requiredUnderMethod: [UInt64] = masks { $0 == .one || $0 == .atLeastOne }

    /// RFC 5546 methods, by id (the index), and the statuses a method table may name.
    static let methodNames: [[UInt8]] = MethodTable.methods.sorted().map { Array($0.utf8) }
    static let statusNames: [[UInt8]] = ["TENTATIVE", "CONFIRMED", "CANCELLED", "NEEDS-ACTION", "COMPLETED", "IN-PROCESS",
                                         "DRAFT", "FINAL"].map { Array($0.utf8) }

    /// One method's table for one component, as masks.
    struct MethodMasks {
        var required: UInt64 = 0
        var forbidden: UInt64 = 0
        var single: UInt64 = 0
        var alarmForbidden = false
        /// Allowed statuses (bit = index in `statusNames`); all bits when the table names none.
        var statuses: UInt16 = 0xFFFF
    }

    /// [method id][component id]: nil when the method does not carry that (scheduled) component.
    static let methodMasks: [[MethodMasks?]] = MethodTable.methods.sorted().map { method in
        componentNames.map { component in
            guard let rules = MethodTable.rules[method]?[component] else { return nil }
            var m = MethodMasks()
            for (name, count) in rules.counts {
                if name == "VALARM" { m.alarmForbidden = count == .none; continue }
                let bit: UInt64 = 1 << UInt64(id(name))
                switch count {
                case .one: m.required |= bit; m.single |= bit
                case .atLeastOne: m.required |= bit
                case .atMostOne: m.single |= bit
                case .none: m.forbidden |= bit
                }
            }
            if let statuses = rules.statuses {
                m.statuses = 0
                for (k, name) in statusNames.enumerated() where statuses.contains(String(decoding: name, as: UTF8.self)) {
                    m.statuses |= 1 << UInt16(k)
                }
            }
            return m
        }
    }

    static let STATUS = id("STATUS")

    static let componentIDs: [(name: [UInt8], id: UInt8)] = componentNames.enumerated().map { (Array($1.utf8), UInt8($0)) }
}

// MARK: - Engine

private struct DateInfo {
    var isDate = false
    /// 0 floating, 1 UTC, 2 TZID.
    var anchor: UInt8 = 0
    var zone: UInt64 = 0
    var key: Int64 = 0
}

private struct Frame {
    var component: UInt8
    var seen: UInt64 = 0
    var children = 0
    var hasObservance = false
    var start: DateInfo?
    var end: DateInfo?
    var startOK = false
    var recurrenceIDIsDate: Bool?
    var hasDuration = false
    var durationNegative = false
    var durationHasTime = false
    var listSawDate = false
    var listSawDateTime = false
    /// 0 no UNTIL, 1 DATE, 2 floating DATE-TIME, 3 UTC DATE-TIME (of the last RRULE).
    var untilKind: UInt8 = 0
    var hasRRule = false
    var rruleTimeParts = false
    var uid: UInt64 = 0
    var hasUID = false
    /// 1 DISPLAY, 2 EMAIL, 0 other.
    var action: UInt8 = 0
    /// Properties met more than once; a VALARM inside; the STATUS (index in `statusNames`, or -1).
    var repeated: UInt64 = 0
    var hasAlarm = false
    var status = -1

    init(component: UInt8) { self.component = component }
}

private struct Parameter {
    var nameStart: Int
    var nameEnd: Int
    var valueStart: Int
    var valueEnd: Int
}

/// A struct, not a class: its state is checked for exclusive access at compile time, not per access.
private struct FastEngine {
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 4096
    private var length = 0
    private var stack: [Frame] = []
    private var uids = Set<UInt64>()
    private var definedZones = Set<UInt64>()
    private var referencedZones = Set<UInt64>()
    private var calendars = 0
    /// The current VCALENDAR's METHOD (index in `FastTables.methodNames`), -1 without one.
    private var method = -1
    private(set) var topComponents = 0
    /// Parameters of the current line (reused).
    private var parameters: [Parameter] = []

    /// Input chunks; physical lines are read in place from here.
    private var chunk: UnsafeMutablePointer<UInt8>
    private var chunkCapacity: Int
    /// The current logical line: in `chunk` (unfolded lines, nearly all) or in `scratch` (folded ones).
    private var line: UnsafeMutablePointer<UInt8>
    private var inScratch = false
    static let maxLineLength = 64 << 20

    init(chunkSize: Int) {
        scratch = .allocate(capacity: scratchCapacity)
        chunkCapacity = max(chunkSize, 16)
        chunk = .allocate(capacity: chunkCapacity)
        line = chunk
        stack.reserveCapacity(8)
        parameters.reserveCapacity(8)
    }

    func deallocate() {
        scratch.deallocate()
        chunk.deallocate()
    }

    /// Moves the current logical line into `scratch` (before the chunk is compacted, or to unfold).
    private mutating func moveLineToScratch() {
        guard !inScratch else { return }
        reserveScratch(length)
        scratch.update(from: line, count: length)
        line = scratch
        inScratch = true
    }

    private mutating func reserveScratch(_ total: Int) {
        guard total > scratchCapacity else { return }
        var c = scratchCapacity * 2
        while c < total { c *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        bigger.update(from: scratch, count: inScratch ? length : 0)
        scratch.deallocate()
        scratch = bigger
        scratchCapacity = c
        if inScratch { line = scratch }
    }

    /// True when the input is valid (no diagnostic at all).
    ///
    /// Lines are found with `memchr` in the chunk and checked where they lie; only a folded line is
    /// copied (unfolded into `scratch`). CRLF only: an LF alone or a lone CR goes to the full check.
    mutating func run(_ source: ByteSource) throws -> Bool {
        var start = 0, end = 0
        var eof = false
        var first = true
        var haveLine = false
        while true {
            var lineEnd: Int
            var next: Int
            if let lf = memchr(chunk + start, 0x0A, end - start) {
                let k = UnsafeMutablePointer<UInt8>(lf.assumingMemoryBound(to: UInt8.self)) - chunk
                guard k > start, chunk[k - 1] == 0x0D else { return false }
                lineEnd = k - 1
                next = k + 1
            } else if eof {
                if start == end { break }
                lineEnd = end  // the last line, without a line end
                next = end
            } else {
                // Keep the pending logical line safe, move the partial line to the front, read more.
                if haveLine { moveLineToScratch() }
                let partial = end - start
                if partial > 0, start > 0 { chunk.update(from: chunk + start, count: partial) }
                start = 0
                end = partial
                if end == chunkCapacity {
                    guard chunkCapacity < FastEngine.maxLineLength else { return false }
                    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkCapacity * 2)
                    bigger.update(from: chunk, count: end)
                    chunk.deallocate()
                    chunk = bigger
                    chunkCapacity *= 2
                }
                let n = try source.read(into: UnsafeMutableRawBufferPointer(start: chunk + end, count: chunkCapacity - end))
                if n == 0 { eof = true } else { end += n }
                continue
            }
            let ls = start
            let n = lineEnd - ls
            start = next
            // At most 75 octets per physical line.
            if n > 75 { return false }
            let lead: UInt8 = n > 0 ? chunk[ls] : 0
            if lead == 0x20 || lead == 0x09 {
                // A continuation (at the very start: an orphan the full check reports).
                if first || qpSoftBreakPending() { return false }
                moveLineToScratch()
                reserveScratch(length + n - 1)
                (scratch + length).update(from: chunk + ls + 1, count: n - 1)
                length += n - 1
                continue
            }
            if first {
                first = false
                if n >= 3, chunk[ls] == 0xEF, chunk[ls + 1] == 0xBB, chunk[ls + 2] == 0xBF { return false }
            }
            if haveLine {
                if qpSoftBreakPending() { return false }
                guard process() else { return false }
            }
            line = chunk + ls
            length = n
            inScratch = false
            haveLine = true
        }
        if haveLine {
            guard process() else { return false }
        }
        guard stack.isEmpty, calendars > 0 else { return false }
        // Every TZID used has its VTIMEZONE somewhere in the file.
        return referencedZones.isSubset(of: definedZones)
    }

    /// The content-line reader joins a line ending in `=` with the next when it is quoted-printable:
    /// such lines are the full check's business.
    private mutating func qpSoftBreakPending() -> Bool {
        guard length > 0, line[length - 1] == 0x3D else { return false }
        let pattern = Array("QUOTED-PRINTABLE".utf8)
        var colon = 0
        while colon < length, line[colon] != 0x3A { colon += 1 }
        guard colon < length, colon >= pattern.count else { return false }
        var i = 0
        while i + pattern.count <= colon {
            var matched = true
            for k in 0..<pattern.count where line[i + k] & 0xDF != pattern[k] & 0xDF { matched = false; break }
            if matched { return true }
            i += 1
        }
        return false
    }

    // MARK: one logical line

    private mutating func process() -> Bool {
        let b = line
        let n = length
        if n == 0 {
            // A blank line: a warning inside VCALENDAR, ignored outside.
            return stack.isEmpty
        }
        // Control characters and UTF-8.
        var high = false
        for k in 0..<n {
            let c = b[k]
            if c >= 0x80 { high = true } else if (c < 0x20 && c != 0x09) || c == 0x7F { return false }
        }
        if high, !FastEngine.isUTF8(b, n) { return false }
        // Name: letters, digits and '-' only, upper case (a group or a lower-case name goes to the full check).
        var i = 0
        var xName = false
        while i < n {
            let c = b[i]
            if c == 0x3B || c == 0x3A { break }
            guard (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D else { return false }
            i += 1
        }
        guard i < n, i > 0 else { return false }
        let nameEnd = i
        if nameEnd >= 2, b[0] == 0x58, b[1] == 0x2D { xName = true }
        // Parameters.
        parameters.removeAll(keepingCapacity: true)
        while b[i] == 0x3B {
            i += 1
            let pStart = i
            while i < n, b[i] != 0x3D, b[i] != 0x3B, b[i] != 0x3A {
                if b[i] >= 0x80 { return false }  // non-ASCII names upper-case in surprising ways
                i += 1
            }
            guard i < n, i > pStart, b[i] == 0x3D else { return false }
            let pEnd = i
            i += 1
            var first: (Int, Int)?
            while true {
                if i < n, b[i] == 0x22 {
                    i += 1
                    let vStart = i
                    while i < n, b[i] != 0x22 { i += 1 }
                    guard i < n else { return false }
                    if first == nil { first = (vStart, i) }
                    i += 1
                    if i < n, b[i] != 0x2C, b[i] != 0x3B, b[i] != 0x3A { return false }
                } else {
                    let vStart = i
                    while i < n, b[i] != 0x2C, b[i] != 0x3B, b[i] != 0x3A { i += 1 }
                    if first == nil { first = (vStart, i) }
                }
                guard i < n else { return false }
                if b[i] == 0x2C { i += 1; continue }
                break
            }
            parameters.append(Parameter(nameStart: pStart, nameEnd: pEnd, valueStart: first!.0, valueEnd: first!.1))
        }
        let valueStart = i + 1

        // BEGIN / END.
        if nameEnd == 5, FastEngine.equals(b, 0, 5, "BEGIN") {
            guard parameters.isEmpty, let id = FastEngine.component(b, valueStart, n) else { return false }
            return begin(id)
        }
        if nameEnd == 3, FastEngine.equals(b, 0, 3, "END") {
            guard parameters.isEmpty, let id = FastEngine.component(b, valueStart, n), let top = stack.last,
                  top.component == id else { return false }
            return end()
        }
        guard !stack.isEmpty else { return false }  // a property outside VCALENDAR
        let zone = parameterValue("TZID")
        if let zone { referencedZones.insert(FastTables.hash(b + zone.0, zone.1 - zone.0)) }
        if xName { return true }  // kept as is; nothing else to check
        guard let property = FastEngine.propertyID(b, nameEnd) else { return false }
        return property_(property, valueStart: valueStart, zone: zone)
    }

    private mutating func parameterValue(_ name: StaticString) -> (Int, Int)? {
        if parameters.isEmpty { return nil }
        for p in parameters where FastEngine.equalsIgnoringCase(line, p.nameStart, p.nameEnd, name) {
            return (p.valueStart, p.valueEnd)
        }
        return nil
    }

    // MARK: structure

    private mutating func begin(_ id: UInt8) -> Bool {
        if let parent = stack.last {
            guard FastTables.children[Int(parent.component)] & (1 << UInt16(id)) != 0 else { return false }
            stack[stack.count - 1].children += 1
            if id == FastTables.standard || id == FastTables.daylight { stack[stack.count - 1].hasObservance = true }
            if id == FastTables.valarm { stack[stack.count - 1].hasAlarm = true }
            if stack.count == 1 { topComponents += 1 }
        } else {
            guard id == FastTables.vcalendar else { return false }
            calendars += 1
            method = -1
        }
        stack.append(Frame(component: id))
        return true
    }

    private mutating func end() -> Bool {
        let f = stack.removeLast()
        let c = Int(f.component)
        // Required properties (a METHOD relaxes DTSTART; its own table is checked below).
        let required = method >= 0 ? FastTables.requiredUnderMethod[c] : FastTables.required[c]
        guard f.seen & required == required else { return false }
        if method >= 0, stack.count == 1, f.component >= FastTables.vevent, f.component <= FastTables.vfreebusy {
            // RFC 5546: the method's table for this component.
            guard let m = FastTables.methodMasks[method][c], f.seen & m.required == m.required, f.seen & m.forbidden == 0,
                  f.repeated & m.single == 0, !(m.alarmForbidden && f.hasAlarm),
                  f.status < 0 || m.statuses & (1 << UInt16(f.status)) != 0 else { return false }
        }
        let has = { (id: Int) in f.seen & (1 << UInt64(id)) != 0 }
        switch f.component {
        case FastTables.vcalendar:
            guard f.children > 0 else { return false }
        case FastTables.vevent, FastTables.vtodo, FastTables.vjournal:
            if f.component != FastTables.vjournal {
                let endID = f.component == FastTables.vtodo ? FastTables.DUE : FastTables.DTEND
                if has(endID) && f.hasDuration { return false }
            }
            if (has(FastTables.RRULE) || has(FastTables.RDATE)) && !has(FastTables.DTSTART) { return false }
            if let start = f.start {
                if let recurrenceID = f.recurrenceIDIsDate, recurrenceID != start.isDate { return false }
                if (f.listSawDate && !start.isDate) || (f.listSawDateTime && start.isDate) { return false }
                if let end = f.end {
                    if end.isDate != start.isDate { return false }
                    if f.component != FastTables.vjournal,
                       (start.anchor == end.anchor && start.zone == end.zone) || (start.anchor == 1 && end.anchor == 1) {
                        if end.key < start.key || (start.isDate && end.key == start.key) { return false }
                    }
                }
                if f.component != FastTables.vjournal, f.hasDuration {
                    if f.durationNegative || (start.isDate && f.durationHasTime) { return false }
                }
                if !untilMatches(f, start) { return false }
            }
            if f.hasUID && !has(FastTables.RECURRENCE_ID) && stack.count == 1 {
                guard uids.insert(f.uid).inserted else { return false }
            }
        case FastTables.vtimezone:
            if !f.hasObservance { return false }
        case FastTables.standard, FastTables.daylight:
            guard let start = f.start, !start.isDate, start.anchor == 0 else { return false }
            if !untilMatches(f, start) { return false }
        case FastTables.valarm:
            if has(FastTables.DURATION) != has(FastTables.REPEAT) { return false }
            if f.action != 0, !has(FastTables.DESCRIPTION) { return false }
            if f.action == 2, !(has(FastTables.SUMMARY) && has(FastTables.ATTENDEE)) { return false }
        default:
            break
        }
        return true
    }

    /// `rrule.until-type` and `rrule.time-parts-with-date`.
    private func untilMatches(_ f: Frame, _ start: DateInfo) -> Bool {
        guard f.hasRRule else { return true }
        if start.isDate && f.rruleTimeParts { return false }
        switch f.untilKind {
        case 0: return true
        case 1: return start.isDate
        case 2: return !start.isDate && start.anchor == 0
        default:
            if start.isDate { return false }
            if start.anchor == 0 { return f.component == FastTables.standard || f.component == FastTables.daylight }
            return true
        }
    }

    // MARK: properties

    private mutating func property_(_ id: Int, valueStart: Int, zone: (Int, Int)?) -> Bool {
        let top = stack.count - 1
        let c = Int(stack[top].component)
        let bit: UInt64 = 1 << UInt64(id)
        guard FastTables.allowed[c] & bit != 0 else { return false }
        if stack[top].seen & bit != 0 {
            if FastTables.atMostOnce[c] & bit != 0 { return false }
            stack[top].repeated |= bit
        }
        stack[top].seen |= bit
        let b = line
        let n = length
        guard let entry = FastTables.entries[id] else {
            // TEXT: valid escapes, enumerated values.
            if !FastEngine.validEscapes(b, valueStart, n) { return false }
            if let allowed = FastTables.enumerations[id][c] {
                guard allowed.contains(where: { FastEngine.equals(b, valueStart, n, $0) }) else { return false }
                if id == FastTables.ACTION {
                    stack[top].action = FastEngine.equals(b, valueStart, n, "DISPLAY") ? 1
                        : FastEngine.equals(b, valueStart, n, "EMAIL") ? 2 : 0
                }
            }
            switch id {
            case FastTables.VERSION:
                return FastEngine.equals(b, valueStart, n, "2.0")
            case FastTables.METHOD:
                // Only before the calendar's first component (the full check applies it from where it stands).
                guard stack[top].children == 0,
                      let m = FastTables.methodNames.firstIndex(where: { FastEngine.equals(b, valueStart, n, $0) })
                else { return false }
                method = m
            case FastTables.STATUS:
                stack[top].status = FastTables.statusNames.firstIndex { FastEngine.equals(b, valueStart, n, $0) } ?? -1
            case FastTables.UID:
                if c == Int(FastTables.vevent) || c == Int(FastTables.vtodo) || c == Int(FastTables.vjournal) {
                    for k in valueStart..<n where b[k] == 0x5C { return false }  // compared unescaped: full check
                    stack[top].uid = FastTables.hash(b + valueStart, n - valueStart)
                    stack[top].hasUID = true
                }
            case FastTables.TZID where c == Int(FastTables.vtimezone):
                for k in valueStart..<n where b[k] == 0x5C { return false }
                definedZones.insert(FastTables.hash(b + valueStart, n - valueStart))
            default: break
            }
            return true
        }
        var type = entry.defaultType
        if let declared = parameterValue("VALUE") {
            guard let t = FastEngine.valueType(b, declared.0, declared.1), entry.allowed.contains(t) else { return false }
            type = t
        }
        if id == FastTables.FREEBUSY, let fbtype = parameterValue("FBTYPE") {
            guard ["FREE", "BUSY", "BUSY-UNAVAILABLE", "BUSY-TENTATIVE"].contains(where: {
                FastEngine.equalsIgnoringCase(b, fbtype.0, fbtype.1, $0)
            }) else { return false }
        }
        let zoneHash = zone.map { FastTables.hash(b + $0.0, $0.1 - $0.0) }
        // Split lists at commas (a backslash in a typed list goes to the full check).
        var partStart = valueStart
        var k = valueStart
        while true {
            if k < n, b[k] == 0x5C { return false }
            if k == n || (entry.list && b[k] == 0x2C) {
                guard checkPart(id, type, entry, partStart, k, zone: zoneHash, top: top) else { return false }
                if k == n { break }
                partStart = k + 1
            }
            k += 1
        }
        return true
    }

    private mutating func checkPart(_ id: Int, _ type: ValueTypeTable.ValueType, _ entry: ValueTypeTable.Entry, _ s: Int, _ e: Int,
                           zone: UInt64?, top: Int) -> Bool {
        let b = line
        switch type {
        case .dateTime, .date:
            guard var v = FastEngine.dateTime(b, s, e) else { return false }
            if type == .date && !v.isDate { return false }
            if type == .dateTime && v.isDate { return false }
            if v.anchor == 1 && zone != nil { return false }
            if entry.utcOnly && v.anchor != 1 { return false }
            if let zone, v.anchor == 0 { v.anchor = 2; v.zone = zone }
            switch id {
            case FastTables.DTSTART: stack[top].start = v
            case FastTables.DTEND where stack[top].component != FastTables.vtodo: stack[top].end = v
            case FastTables.DUE where stack[top].component == FastTables.vtodo: stack[top].end = v
            case FastTables.RECURRENCE_ID: stack[top].recurrenceIDIsDate = v.isDate
            case FastTables.EXDATE, FastTables.RDATE:
                if v.isDate { stack[top].listSawDate = true } else { stack[top].listSawDateTime = true }
            default: break
            }
            return true
        case .period:
            guard let slash = (s..<e).first(where: { b[$0] == 0x2F }),
                  let start = FastEngine.dateTime(b, s, slash), !start.isDate else { return false }
            let r = slash + 1
            if r < e, b[r] == 0x50 || b[r] == 0x2B || b[r] == 0x2D || b[r] == 0x70 {
                guard FastEngine.duration(b, r, e) != nil else { return false }
                if entry.utcOnly && start.anchor != 1 { return false }
            } else {
                guard let end = FastEngine.dateTime(b, r, e), !end.isDate else { return false }
                if entry.utcOnly && (start.anchor != 1 || end.anchor != 1) { return false }
            }
            return true
        case .duration:
            guard let d = FastEngine.duration(b, s, e) else { return false }
            if id == FastTables.DURATION {
                stack[top].hasDuration = true
                stack[top].durationNegative = d.negative
                stack[top].durationHasTime = d.hasTime
            }
            return true
        case .utcOffset:
            return FastEngine.utcOffset(b, s, e)
        case .recur:
            guard let rule = FastEngine.recur(b, s, e) else { return false }
            if id == FastTables.RRULE {
                stack[top].hasRRule = true
                stack[top].untilKind = rule.until
                if rule.timeParts { stack[top].rruleTimeParts = true }
            }
            return true
        case .integer:
            guard let v = FastEngine.unsigned(b, s, e) else { return false }
            if id == FastTables.PRIORITY { return v <= 9 }
            if id == FastTables.PERCENT_COMPLETE { return v <= 100 }
            return true
        case .uri, .calAddress:
            return FastEngine.uri(b, s, e)
        case .geo:
            guard let semicolon = (s..<e).first(where: { b[$0] == 0x3B }) else { return false }
            return FastEngine.float(b, s, semicolon) && FastEngine.float(b, semicolon + 1, e)
        case .text, .float, .boolean, .time, .binary:
            return false
        }
    }

    // MARK: byte-level values

    private static func equals(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard e - s == n else { return false }
        let l = literal.utf8Start
        for k in 0..<n where b[s + k] != l[k] { return false }
        return true
    }

    private static func equals(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int, _ literal: [UInt8]) -> Bool {
        guard e - s == literal.count else { return false }
        for k in 0..<literal.count where b[s + k] != literal[k] { return false }
        return true
    }

    private static func equalsIgnoringCase(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int, _ upper: StaticString) -> Bool {
        let n = upper.utf8CodeUnitCount
        guard e - s == n else { return false }
        let l = upper.utf8Start
        for k in 0..<n {
            var c = b[s + k]
            if c >= 0x61 && c <= 0x7A { c -= 0x20 }
            if c != l[k] { return false }
        }
        return true
    }

    private static func equalsIgnoringCase(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int, _ upper: String) -> Bool {
        var k = s
        for u in upper.utf8 {
            guard k < e else { return false }
            var c = b[k]
            if c >= 0x61 && c <= 0x7A { c -= 0x20 }
            if c != u { return false }
            k += 1
        }
        return k == e
    }

    private static func component(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int) -> UInt8? {
        for (name, id) in FastTables.componentIDs where equals(b, s, e, name) { return id }
        return nil
    }

    private static func propertyID(_ b: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int? {
        let h = FastTables.hash(b, n)
        var slot = Int(h & UInt64(FastTables.slotCount - 1))
        while let entry = FastTables.slots[slot] {
            if entry.hash == h, equals(b, 0, n, entry.name) { return entry.id }
            slot = (slot + 1) & (FastTables.slotCount - 1)
        }
        return nil
    }

    private static func valueType(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int) -> ValueTypeTable.ValueType? {
        var upper = ""
        for k in s..<e {
            var c = b[k]
            if c >= 0x61 && c <= 0x7A { c -= 0x20 }
            upper.unicodeScalars.append(Unicode.Scalar(c))
        }
        return ValueTypeTable.ValueType(rawValue: upper)
    }

    /// TEXT escapes: only `\\ \; \, \n \N`.
    private static func validEscapes(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var k = s
        while k < e {
            if b[k] == 0x5C {
                guard k + 1 < e else { return false }
                switch b[k + 1] {
                case 0x6E, 0x4E, 0x5C, 0x3B, 0x2C: k += 2; continue
                default: return false
                }
            }
            k += 1
        }
        return true
    }

    private static func digits(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ count: Int) -> Int? {
        var v = 0
        for k in s..<(s + count) {
            let d = b[k] &- 0x30
            guard d <= 9 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// DATE or DATE-TIME exactly as `CalendarDateTime.parse` accepts it.
    private static func dateTime(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int) -> DateInfo? {
        let n = e - s
        guard n == 8 || n == 15 || n == 16 else { return nil }
        guard let y = digits(b, s, 4), let m = digits(b, s + 4, 2), let d = digits(b, s + 6, 2),
              m >= 1, m <= 12, d >= 1, d <= daysInMonth(y, m) else { return nil }
        let days = Int64(daysFromCivil(y, m, d))
        if n == 8 { return DateInfo(isDate: true, anchor: 0, zone: 0, key: days * 86400) }
        guard b[s + 8] == 0x54 || b[s + 8] == 0x74, let h = digits(b, s + 9, 2), let mi = digits(b, s + 11, 2),
              let sec = digits(b, s + 13, 2), h <= 23, mi <= 59, sec <= 60 else { return nil }
        var anchor: UInt8 = 0
        if n == 16 {
            guard b[s + 15] == 0x5A || b[s + 15] == 0x7A else { return nil }
            anchor = 1
        }
        return DateInfo(isDate: false, anchor: anchor, zone: 0, key: days * 86400 + Int64(h * 3600 + mi * 60 + min(sec, 59)))
    }

    /// DURATION as `CalendarDuration.parse` accepts it: (negative, has a nonzero time part).
    private static func duration(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int) -> (negative: Bool, hasTime: Bool)? {
        var i = s
        var negative = false
        if i < e, b[i] == 0x2B || b[i] == 0x2D { negative = b[i] == 0x2D; i += 1 }
        guard i < e, b[i] == 0x50 || b[i] == 0x70 else { return nil }
        i += 1
        var inTime = false, sawUnit = false, lastRank = -1, time = 0
        while i < e {
            if b[i] == 0x54 || b[i] == 0x74 {
                if inTime { return nil }
                inTime = true
                i += 1
                continue
            }
            var v = 0
            let start = i
            while i < e, b[i] >= 0x30, b[i] <= 0x39 {
                v = v &* 10 &+ Int(b[i] - 0x30)
                if v > 100_000_000 { return nil }
                i += 1
            }
            guard i > start, i < e else { return nil }
            let rank: Int
            switch (b[i] & 0xDF, inTime) {
            case (0x57, false): rank = 0
            case (0x44, false): rank = 1
            case (0x48, true): rank = 2; time += v
            case (0x4D, true): rank = 3; time += v
            case (0x53, true): rank = 4; time += v
            default: return nil
            }
            guard rank > lastRank else { return nil }
            lastRank = rank
            sawUnit = true
            i += 1
        }
        guard sawUnit, !(inTime && lastRank < 2) else { return nil }
        return (negative, time != 0)
    }

    private static func utcOffset(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        let n = e - s
        guard n == 5 || n == 7, b[s] == 0x2B || b[s] == 0x2D, let h = digits(b, s + 1, 2), let m = digits(b, s + 3, 2)
        else { return false }
        let sec = n == 7 ? digits(b, s + 5, 2) : 0
        guard let sec, h < 24, m < 60, sec < 60 else { return false }
        return !(b[s] == 0x2D && h == 0 && m == 0 && sec == 0)
    }

    /// An unsigned INTEGER of 1–18 digits (signs go to the full check).
    private static func unsigned(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int) -> Int? {
        guard e > s, e - s <= 18 else { return nil }
        return digits(b, s, e - s)
    }

    private static func float(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var i = s
        if i < e, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
        var digitCount = 0, dots = 0
        while i < e {
            if b[i] >= 0x30 && b[i] <= 0x39 { digitCount += 1 } else if b[i] == 0x2E { dots += 1 } else { return false }
            i += 1
        }
        return digitCount > 0 && dots <= 1
    }

    private static func uri(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        guard e > s, (b[s] | 0x20) >= 0x61, (b[s] | 0x20) <= 0x7A else { return false }
        var k = s
        while k < e, b[k] != 0x3A {
            let c = b[k]
            guard ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E
            else { return false }
            k += 1
        }
        guard k < e else { return false }
        for j in k..<e where b[j] == 0x20 { return false }
        return true
    }

    /// A RECUR value as `RecurrenceRule.parse` accepts it: (UNTIL kind, BYHOUR/BYMINUTE/BYSECOND present).
    private static func recur(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int) -> (until: UInt8, timeParts: Bool)? {
        // Part bits: FREQ 0, UNTIL 1, COUNT 2, INTERVAL 3, BYSECOND 4, BYMINUTE 5, BYHOUR 6, BYDAY 7, BYMONTHDAY 8,
        // BYYEARDAY 9, BYWEEKNO 10, BYMONTH 11, BYSETPOS 12, WKST 13.
        let names: [StaticString] = ["FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
                                     "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST"]
        var seen: UInt16 = 0
        var frequency = -1  // 0 SECONDLY … 6 YEARLY
        var until: UInt8 = 0
        var dayOrdinal = false
        var i = s
        while i < e {
            var partEnd = i
            while partEnd < e, b[partEnd] != 0x3B { partEnd += 1 }
            // An empty part before another (a trailing ';' ends the loop instead).
            if partEnd == i { return nil }
            var eq = i
            while eq < partEnd, b[eq] != 0x3D { eq += 1 }
            guard eq < partEnd else { return nil }
            guard let part = names.firstIndex(where: { equalsIgnoringCase(b, i, eq, $0) }) else { return nil }
            guard seen & (1 << UInt16(part)) == 0 else { return nil }
            seen |= 1 << UInt16(part)
            let v = eq + 1
            switch part {
            case 0:
                let frequencies: [StaticString] = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
                guard let f = frequencies.firstIndex(where: { equalsIgnoringCase(b, v, partEnd, $0) }) else { return nil }
                frequency = f
            case 1:
                guard let d = dateTime(b, v, partEnd) else { return nil }
                until = d.isDate ? 1 : d.anchor == 1 ? 3 : 2
            case 2, 3:
                guard let n = unsigned(b, v, partEnd), n >= 1 else { return nil }
            case 13:
                guard weekday(b, v, partEnd) else { return nil }
            case 7:
                var k = v
                while true {
                    var itemEnd = k
                    while itemEnd < partEnd, b[itemEnd] != 0x2C { itemEnd += 1 }
                    guard itemEnd - k >= 2, weekday(b, itemEnd - 2, itemEnd) else { return nil }
                    if itemEnd - 2 > k {
                        var d = k
                        if b[d] == 0x2B || b[d] == 0x2D { d += 1 }
                        guard itemEnd - 2 > d, itemEnd - 2 - d <= 2, let o = digits(b, d, itemEnd - 2 - d), o >= 1, o <= 53
                        else { return nil }
                        dayOrdinal = true
                    }
                    if itemEnd == partEnd { break }
                    k = itemEnd + 1
                }
            default:
                let (low, high, signed): (Int, Int, Bool) = switch part {
                case 4: (0, 60, false)
                case 5: (0, 59, false)
                case 6: (0, 23, false)
                case 8: (1, 31, true)
                case 9: (1, 366, true)
                case 10: (1, 53, true)
                case 11: (1, 12, false)
                default: (1, 366, true)
                }
                var k = v
                while true {
                    var itemEnd = k
                    while itemEnd < partEnd, b[itemEnd] != 0x2C { itemEnd += 1 }
                    var d = k
                    if d < itemEnd, b[d] == 0x2B || (signed && b[d] == 0x2D) { d += 1 }
                    guard itemEnd > d, itemEnd - d <= 3, let n = digits(b, d, itemEnd - d), n >= low, n <= high, n != 0 || !signed
                    else { return nil }
                    if itemEnd == partEnd { break }
                    k = itemEnd + 1
                }
            }
            i = partEnd + 1
        }
        guard frequency >= 0 else { return nil }
        let has = { (bit: Int) in seen & (1 << UInt16(bit)) != 0 }
        if has(1) && has(2) { return nil }
        if has(10) && frequency != 6 { return nil }
        if has(9) && (frequency == 3 || frequency == 4 || frequency == 5) { return nil }
        if has(8) && frequency == 4 { return nil }
        if dayOrdinal && (frequency < 5 || (frequency == 6 && has(10))) { return nil }
        if has(12) && seen & 0b0000_1111_1111_0000 == 0 { return nil }
        return (until, has(4) || has(5) || has(6))
    }

    private static func weekday(_ b: UnsafeMutablePointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        guard e - s == 2 else { return false }
        let days: [StaticString] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
        return days.contains { equalsIgnoringCase(b, s, e, $0) }
    }

    /// Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
    private static func isUTF8(_ b: UnsafeMutablePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            if c >= 0xC2 && c <= 0xDF {
                guard i + 1 < n, b[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
            } else if c >= 0xE0 && c <= 0xEF {
                guard i + 2 < n, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80 else { return false }
                if c == 0xE0 && b[i + 1] < 0xA0 { return false }
                if c == 0xED && b[i + 1] >= 0xA0 { return false }
                i += 3
            } else if c >= 0xF0 && c <= 0xF4 {
                guard i + 3 < n, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80, b[i + 3] & 0xC0 == 0x80 else { return false }
                if c == 0xF0 && b[i + 1] < 0x90 { return false }
                if c == 0xF4 && b[i + 1] >= 0x90 { return false }
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}
