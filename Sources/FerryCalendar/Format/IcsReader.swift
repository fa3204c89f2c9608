import Foundation
import FerryCore
import FerryText

/// Reads an iCalendar stream as calendar objects, one per top-level component other than VTIMEZONE.
///
/// Streaming with two small exceptions, both bounded: the VTIMEZONEs of the input are kept (they are
/// small), and objects whose TZID refers to a VTIMEZONE not seen yet (Evolution writes them after their
/// first use) are held back until it arrives — at most `maxHeld` objects, after which they go on with
/// the zone resolved from the IANA database and a warning.
///
/// With a time range whose start and end are both set (Zimbra's ics semantics), only objects having an
/// instance that overlaps the range are yielded; overrides (RECURRENCE-ID) follow their master.
public final class IcsReader: FilteringItemReader {
    private let parser: CalendarParser
    private let log: DiagnosticLog
    private let file: String
    public let zones: TimeZoneTable
    private let range: TimeRange
    private let expander: InstanceExpander
    private let sourceID: Int
    private var header: CalendarHeader?
    private var leading: [UInt8] = []
    private var leadingTZ: [String] = []
    private var held: [CalendarObject] = []
    private var heldBytes = 0
    private var index = 0
    private var ended = false
    private var keptUIDs = Set<String>()
    public var maxHeld = 10_000
    /// Objects left out by the time range.
    public private(set) var filteredCounts: [ItemKind: Int] = [:]
    public var maxHeldBytes = 64 << 20

    nonisolated(unsafe) private static var nextSource = 0
    private static let sourceLock = NSLock()

    public init(source: ByteSource, options: ReadOptions, log: DiagnosticLog) {
        self.log = log
        self.file = source.name
        self.zones = TimeZoneTable(floating: options.timeContext.timeZone)
        self.expander = InstanceExpander(zones: zones)
        let filtered = options.timeRange.start != nil && options.timeRange.end != nil
        self.range = filtered ? options.timeRange : TimeRange()
        Self.sourceLock.lock()
        Self.nextSource += 1
        self.sourceID = Self.nextSource
        Self.sourceLock.unlock()
        let file = source.name
        self.parser = CalendarParser(source: source) { severity, code, message, line, column in
            log.emit(Diagnostic(severity == .error ? .warning : severity, code: code, message + " (kept as read)",
                                file: file, line: line, column: column))
        }
    }

    public func next() throws -> Item? {
        while true {
            if let ready = releasable() { return ready }
            if ended { return nil }
            guard let event = try parser.next() else {
                ended = true
                finishInput()
                continue
            }
            switch event {
            case .calendarBegin(let line):
                header = CalendarHeader(begin: line, properties: [])
                line.appendRaw(to: &leading)
            case .calendarProperty(let line):
                header?.properties.append(line)
                line.appendRaw(to: &leading)
            case .calendarEnd(let line):
                line.appendRaw(to: &leading)
            case .stray(let raw):
                raw.appendRaw(to: &leading)
            case .component(let component):
                if component.name == "VTIMEZONE" {
                    zones.add(component)
                    component.appendRaw(to: &leading)
                    if let id = component.property("TZID")?.textValue { leadingTZ.append(id) }
                    continue
                }
                let layout = CalendarLayout(source: sourceID, index: index, leading: leading, leadingTimeZones: leadingTZ,
                                            trailing: nil, trailingTimeZones: [])
                index += 1
                leading = []
                leadingTZ = []
                let object = CalendarObject(component: component, timeZones: [],
                                            calendar: header ?? CalendarHeader(begin: ContentLine(name: "BEGIN", value: "VCALENDAR"), properties: []),
                                            layout: layout)
                held.append(object)
                heldBytes += layout.leading.count + 256
            }
        }
    }

    /// The first held object, when it may go: another object follows it (so it is not the last) and its
    /// zones are known, or the input ended, or the hold limits are reached.
    private func releasable() -> Item? {
        while !held.isEmpty {
            let canGo: Bool
            if ended {
                canGo = true
            } else if held.count < 2 {
                canGo = false
            } else if held.count > maxHeld || heldBytes > maxHeldBytes {
                if held.count == maxHeld + 1 {
                    log.emit(.warning("ics.forward-tzid", "more than \(maxHeld) objects refer to time zones that are "
                                      + "neither defined so far nor known by name; they go on unresolved", file: file))
                }
                canGo = true
            } else {
                // Wait only for names nothing can resolve yet (a VTIMEZONE may still come).
                canGo = held[0].component.referencedTimeZoneIDs.allSatisfy { zones.rules(for: $0) != nil }
            }
            guard canGo else { return nil }
            var object = held.removeFirst()
            heldBytes = max(0, heldBytes - (object.layout?.leading.count ?? 0) - 256)
            object.timeZones = object.component.referencedTimeZoneIDs.compactMap { zones.component($0) }
            if keep(object) {
                return Item(object, metadata: ItemMetadata(id: object.component.uid),
                            origin: "\(file):\(object.component.line)")
            }
            filteredCounts[object.kind, default: 0] += 1
        }
        return nil
    }

    private func finishInput() {
        if !leading.isEmpty || !leadingTZ.isEmpty, !held.isEmpty {
            held[held.count - 1].layout?.trailing = leading
            held[held.count - 1].layout?.trailingTimeZones = leadingTZ
            leading = []
            leadingTZ = []
        } else if let last = held.indices.last {
            held[last].layout?.trailing = []
        }
    }

    /// Time-range filter (only when both ends are set, as Zimbra's ics formatter does).
    private func keep(_ object: CalendarObject) -> Bool {
        guard let start = range.start, let end = range.end else { return true }
        let c = object.component
        let uid = c.uid ?? ""
        if !uid.isEmpty, keptUIDs.contains(uid) { return true }
        let from = Int64(start.timeIntervalSince1970.rounded(.down))
        let to = Int64(end.timeIntervalSince1970.rounded(.up))
        do {
            let expansion = try expander.expand(c, from: from, to: to)
            if expansion.truncated {
                log.emit(.warning("rrule.truncated", "recurrence of \(c.name) \(uid) stopped after \(expander.maxInstances) instances "
                                  + "or a rule that produces none", file: file, line: c.line, column: 1))
            }
            if !expansion.instances.isEmpty || (c.property("DTSTART") == nil && c.property("DUE") == nil) {
                if !uid.isEmpty { keptUIDs.insert(uid) }
                return true
            }
            return false
        } catch {
            log.emit(.warning(error.code, "\(c.name) \(uid): \(error.message); kept (cannot tell its times)",
                              file: file, line: c.line, column: 1))
            return true
        }
    }
}
