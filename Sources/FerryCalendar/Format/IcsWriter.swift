import FerryCore
import FerryText

/// Writes calendar objects into one VCALENDAR.
///
/// While the objects arrive unchanged, in order and all from one input, it writes each one's leading
/// bytes and the object as read, and the input's trailing bytes at the end: the output is the input,
/// byte for byte. As soon as that stops (a filtered range, several inputs, a changed object) it writes
/// a well-formed merged calendar: the first calendar's header, every referenced VTIMEZONE once (before
/// its first use), the objects, END:VCALENDAR.
public final class IcsWriter: ItemWriter {
    private let sink: ByteSink
    private var buffer: [UInt8] = []
    private var identical = true
    private var lastSource: Int?
    private var lastIndex = -1
    private var lastTrailing: [UInt8]?
    private var started = false
    private var writtenZones = Set<String>()
    /// Zones an identical-mode object references whose VTIMEZONE comes later in the input.
    private var owedZones: [String: Component] = [:]
    private var header: CalendarHeader?
    private var count = 0

    public init(sink: ByteSink) {
        self.sink = sink
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        guard let object = item.payload as? CalendarObject else {
            return .skipped(reason: "ics holds calendar objects, not \(item.kind.rawValue)s")
        }
        count += 1
        if identical, let layout = object.layout, object.isUnchanged,
           (lastSource == nil && layout.index == 0) || (lastSource == layout.source && layout.index == lastIndex + 1) {
            buffer.append(contentsOf: layout.leading)
            for id in layout.leadingTimeZones {
                writtenZones.insert(id)
                owedZones[id] = nil
            }
            if !started {
                started = true
                header = object.calendar
            }
            for zone in object.timeZones {
                if let id = zone.property("TZID")?.textValue, !writtenZones.contains(id) { owedZones[id] = zone }
            }
            object.component.appendRaw(to: &buffer)
            lastSource = layout.source
            lastIndex = layout.index
            lastTrailing = layout.trailing
            // Zones in the input's trailing bytes stay owed: written with those bytes if the output stays
            // the input, by `leaveIdenticalMode` if another input follows (they were lost there before).
        } else {
            if identical { leaveIdenticalMode() }
            startIfNeeded(object.calendar)
            for zone in object.timeZones {
                guard let id = zone.property("TZID")?.textValue, !writtenZones.contains(id) else { continue }
                endLine()
                zone.appendClosed(to: &buffer)
                writtenZones.insert(id)
            }
            endLine()
            object.component.appendClosed(to: &buffer)
        }
        try flushIfLarge()
        return .written
    }

    private func startIfNeeded(_ calendar: CalendarHeader) {
        guard !started else { return }
        started = true
        header = calendar
        calendar.begin.appendRaw(to: &buffer)
        for p in calendar.properties { p.appendRaw(to: &buffer) }
        endLine()
        if calendar.property("VERSION") == nil { ContentLine(name: "VERSION", value: "2.0").appendRaw(to: &buffer) }
        if calendar.property("PRODID") == nil {
            ContentLine(name: "PRODID", value: "-//Ferry//Ferry Calendar//EN").appendRaw(to: &buffer)
        }
    }

    /// From here on the output is a merged calendar; what was written so far stays valid.
    private func leaveIdenticalMode() {
        identical = false
        guard started else { return }
        // Zones owed by objects already written go here (a VTIMEZONE may follow its use).
        for (id, zone) in owedZones.sorted(by: { $0.key < $1.key }) where !writtenZones.contains(id) {
            endLine()
            zone.appendClosed(to: &buffer)
            writtenZones.insert(id)
        }
        owedZones = [:]
        // If the identical part closed its VCALENDAR (concatenated calendars), nothing more is needed: a
        // merged calendar continues after the last object, inside the open VCALENDAR.
    }

    private func flushIfLarge() throws {
        if buffer.count >= 1 << 20 {
            lastFlushedByte = buffer.last
            try sink.write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// The last byte written so far (in the buffer or already flushed).
    private var lastFlushedByte: UInt8?

    /// Before a merged calendar appends more: an object kept as read that ended the input without a
    /// line break (an unclosed component at the end of a file) gets one, or the next line would join
    /// its last line (`UID:x` + `END:VCALENDAR` read back as the UID `xEND:VCALENDAR`).
    private func endLine() {
        guard let last = buffer.last ?? lastFlushedByte, last != 0x0A, last != 0x0D else { return }
        buffer.append(contentsOf: [0x0D, 0x0A])
    }

    public func finish() throws {
        if identical, started, let trailing = lastTrailing {
            buffer.append(contentsOf: trailing)
        } else {
            if !started { startIfNeeded(.ferry()) }
            for (id, zone) in owedZones.sorted(by: { $0.key < $1.key }) where !writtenZones.contains(id) {
                endLine()
                zone.appendClosed(to: &buffer)
                writtenZones.insert(id)
            }
            endLine()
            ContentLine(name: "END", value: "VCALENDAR").appendRaw(to: &buffer)
        }
        try sink.write(buffer)
        buffer = []
    }
}
