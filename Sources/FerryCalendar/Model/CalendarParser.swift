import FerryCore
import FerryText

/// Streams an iCalendar (or vCalendar 1.0) input as top-level events: the VCALENDAR's BEGIN, each of its
/// properties, each complete child component (a VEVENT with its VALARMs, a VTIMEZONE, …), its END.
/// Memory is one child component at a time.
///
/// Structural problems (unbalanced BEGIN/END, lines that are not content lines) are reported through
/// `report` with stable codes and positions; the offending lines are kept in the tree, never dropped.
public final class CalendarParser {
    public enum Event {
        case calendarBegin(ContentLine)
        case calendarProperty(ContentLine)
        case component(Component)
        case calendarEnd(ContentLine)
        /// A line outside any VCALENDAR or an unparseable line at the calendar level (kept for the round trip).
        case stray(UnfoldedLine)
    }

    /// Receives each diagnostic: severity, code, message, line, column.
    public typealias Report = (Severity, String, String, Int, Int) -> Void

    private let reader: ContentLineReader
    private let report: Report
    /// Called with every logical line as read (for line-level checks: length, line ends, UTF-8).
    public var onLine: ((UnfoldedLine) -> Void)?
    public let maxDepth: Int
    private var inCalendar = false
    private var calendarDepth = 0
    private var pendingEvents: [Event] = []
    /// Number of VCALENDAR objects begun.
    public private(set) var calendarsSeen = 0
    public var sourceName: String { reader.sourceName }

    public init(source: ByteSource, maxDepth: Int = 32, report: @escaping Report) {
        // Quoted-printable soft breaks are joined only on properties declaring that encoding, which only
        // vCalendar 1.0 uses, so the option is safe for iCalendar 2.0 too.
        self.reader = ContentLineReader(source: source, options: .init(quotedPrintableSoftBreaks: true))
        self.report = report
        self.maxDepth = maxDepth
    }

    private func readLine() throws -> (UnfoldedLine, ContentLine?)? {
        guard let raw = try reader.next() else { return nil }
        lastLine = raw.line + raw.folds.count
        onLine?(raw)
        if raw.bytes.isEmpty {
            return (raw, nil)
        }
        do throws(ContentLineError) {
            return (raw, try ContentLine(parsing: raw))
        } catch {
            let (l, c) = raw.location(ofByte: error.index)
            report(.error, error.code, error.message, l, c)
            return (raw, nil)
        }
    }

    /// The next top-level event, or nil at the end of the input.
    public func next() throws -> Event? {
        if !pendingEvents.isEmpty { return pendingEvents.removeFirst() }
        if let begin = pendingBegin {
            pendingBegin = nil
            let component = try readComponent(begin: begin, depth: 1)
            abortAll = false
            unwinding = nil
            return .component(component)
        }
        while let (raw, parsed) = try readLine() {
            guard let line = parsed else {
                if raw.bytes.isEmpty {
                    if inCalendar {
                        report(.warning, "ics.blank-line", "blank line inside VCALENDAR (RFC 5545 allows none)", raw.line, 1)
                    }
                }
                return .stray(raw)
            }
            if !inCalendar {
                if line.name == "BEGIN", line.value.elementsEqual("VCALENDAR".utf8) || upperValue(line) == "VCALENDAR" {
                    inCalendar = true
                    calendarsSeen += 1
                    return .calendarBegin(line)
                }
                if line.name == "BEGIN" {
                    // A component outside VCALENDAR (a bare VEVENT, as some generators write): read it whole.
                    report(.error, "ics.outside-calendar", "BEGIN:\(upperValue(line)) outside BEGIN:VCALENDAR … END:VCALENDAR",
                           raw.line, 1)
                    let component = try readComponent(begin: line, depth: 1)
                    abortAll = false
                    unwinding = nil
                    return .component(component)
                }
                report(.error, "ics.outside-calendar", "\(line.name) line outside BEGIN:VCALENDAR … END:VCALENDAR", raw.line, 1)
                return .stray(raw)
            }
            switch line.name {
            case "BEGIN":
                let component = try readComponent(begin: line, depth: 1)
                abortAll = false
                unwinding = nil
                return .component(component)
            case "END":
                let name = upperValue(line)
                if name == "VCALENDAR" {
                    inCalendar = false
                    return .calendarEnd(line)
                }
                report(.error, "ics.unmatched-end", "END:\(name) without a matching BEGIN:\(name)", raw.line, 1)
                return .stray(raw)
            default:
                return .calendarProperty(line)
            }
        }
        if inCalendar {
            inCalendar = false
            report(.error, "ics.unclosed-component", "the input ends before END:VCALENDAR", max(1, lastLine), 1)
        }
        return nil
    }

    private var lastLine = 0

    /// Reads a component whose BEGIN line was just read, up to its END (nested components included).
    private func readComponent(begin: ContentLine, depth: Int) throws -> Component {
        let name = upperValue(begin)
        var entries: [Component.Entry] = []
        stack.append(name)
        defer { stack.removeLast() }
        if depth > maxDepth {
            report(.error, "ics.too-deep", "components nested more than \(maxDepth) deep", begin.line.line, 1)
        }
        while let (raw, parsed) = try readLine() {
            guard let line = parsed else {
                if raw.bytes.isEmpty {
                    report(.warning, "ics.blank-line", "blank line inside \(name) (RFC 5545 allows none)", raw.line, 1)
                }
                entries.append(.invalid(raw))
                continue
            }
            if line.name == "BEGIN" {
                if upperValue(line) == "VCALENDAR" {
                    report(.error, "ics.unclosed-component",
                           "BEGIN:\(name) (line \(begin.line.line)) is not closed before a new BEGIN:VCALENDAR",
                           begin.line.line, 1)
                    pendingEvents.append(.calendarBegin(line))
                    calendarsSeen += 1
                    abortAll = true
                    return Component(name: name, begin: begin, end: nil, entries: entries)
                }
                if depth == 1, upperValue(line) == name, CalendarParser.topLevelNames.contains(name) {
                    // BEGIN:VEVENT inside an unclosed VEVENT: the first one lacks its END.
                    report(.error, "ics.unclosed-component", "BEGIN:\(name) (line \(begin.line.line)) has no END:\(name)",
                           begin.line.line, 1)
                    pendingBegin = line
                    return Component(name: name, begin: begin, end: nil, entries: entries)
                }
                let child = try readComponent(begin: line, depth: depth + 1)
                entries.append(.component(child))
                if abortAll {
                    report(.error, "ics.unclosed-component", "BEGIN:\(name) (line \(begin.line.line)) has no END:\(name)",
                           begin.line.line, 1)
                    return Component(name: name, begin: begin, end: nil, entries: entries)
                }
                if let closing = unwinding {
                    if closing == name {
                        unwinding = nil
                        return Component(name: name, begin: begin, end: unwindLine, entries: entries)
                    }
                    report(.error, "ics.unclosed-component", "BEGIN:\(name) (line \(begin.line.line)) has no END:\(name)",
                           begin.line.line, 1)
                    return Component(name: name, begin: begin, end: nil, entries: entries)
                }
                continue
            }
            if line.name == "END" {
                let endName = upperValue(line)
                if endName == name {
                    return Component(name: name, begin: begin, end: line, entries: entries)
                }
                if endName == "VCALENDAR" || stack.dropLast().contains(endName) {
                    // Closes an ancestor: this component was never closed.
                    report(.error, "ics.unclosed-component", "BEGIN:\(name) (line \(begin.line.line)) has no END:\(name)",
                           begin.line.line, 1)
                    if endName == "VCALENDAR" {
                        inCalendar = false
                        abortAll = true
                        pendingEvents.append(.calendarEnd(line))
                    } else {
                        unwinding = endName
                        unwindLine = line
                    }
                    return Component(name: name, begin: begin, end: nil, entries: entries)
                }
                report(.error, "ics.unmatched-end", "END:\(endName) inside \(name) without a matching BEGIN:\(endName)",
                       raw.line, 1)
                entries.append(.invalid(raw))
                continue
            }
            entries.append(.property(line))
        }
        report(.error, "ics.unclosed-component", "the input ends before END:\(name) (BEGIN on line \(begin.line.line))",
               begin.line.line, 1)
        return Component(name: name, begin: begin, end: nil, entries: entries)
    }

    // Names of components being read (for END lines that close an ancestor).
    private var stack: [String] = []
    private var pendingBegin: ContentLine?
    static let topLevelNames: Set<String> = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE"]
    private var abortAll = false
    private var unwinding: String?
    private var unwindLine: ContentLine?

    private func upperValue(_ line: ContentLine) -> String {
        ContentLineNames.upper(line.value)
    }
}

enum ContentLineNames {
    /// Upper-cased ASCII value, trailing spaces removed (`BEGIN:vevent ` → `VEVENT`).
    static func upper(_ value: ArraySlice<UInt8>) -> String {
        var end = value.endIndex
        while end > value.startIndex, value[end - 1] == 0x20 || value[end - 1] == 0x09 { end -= 1 }
        return String(decoding: value[value.startIndex..<end].map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 },
                      as: UTF8.self)
    }
}
