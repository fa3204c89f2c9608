import FerryCore
import FerryText

/// The VCALENDAR an object came from: its BEGIN line and its own properties (VERSION, PRODID, METHOD,
/// CALSCALE, X-WR-CALNAME, …), kept as read.
public struct CalendarHeader: Sendable {
    public var begin: ContentLine
    public var properties: [ContentLine]

    public init(begin: ContentLine, properties: [ContentLine]) {
        self.begin = begin
        self.properties = properties
    }

    /// A header for calendars Ferry writes from scratch.
    public static func ferry(method: String? = nil) -> CalendarHeader {
        var props = [ContentLine(name: "VERSION", value: "2.0"),
                     ContentLine(name: "PRODID", value: "-//Ferry//Ferry Calendar//EN")]
        if let method { props.append(ContentLine(name: "METHOD", value: method)) }
        return CalendarHeader(begin: ContentLine(name: "BEGIN", value: "VCALENDAR"), properties: props)
    }

    public func property(_ name: String) -> ContentLine? { properties.first { $0.name == name } }

    public var version: String? { property("VERSION")?.valueString.trimmingCharacters(in: .whitespaces) }
    public var method: String? { property("METHOD")?.valueString.uppercased() }
}

/// Where an object sat in its input, so a writer can reproduce the input byte for byte when every
/// object of a file passes through unchanged and in order.
public struct CalendarLayout: Sendable {
    /// Identifies the reader (one per input).
    public var source: Int
    /// 0-based position among the objects of that input.
    public var index: Int
    /// The exact bytes between the previous object and this one (BEGIN:VCALENDAR, calendar properties,
    /// VTIMEZONEs, blank or stray lines, END/BEGIN:VCALENDAR of concatenated calendars).
    public var leading: [UInt8]
    /// TZIDs of the VTIMEZONEs inside `leading`.
    public var leadingTimeZones: [String]
    /// For the last object of its input: the bytes after it (VTIMEZONEs placed at the end, END:VCALENDAR).
    public var trailing: [UInt8]?
    public var trailingTimeZones: [String]
}

/// One calendar object: a VEVENT, VTODO, VJOURNAL, VFREEBUSY (or unknown component) with its
/// sub-components, the VTIMEZONEs it references, and the calendar it belongs to.
public struct CalendarObject: ItemPayload {
    public var component: Component
    /// The VTIMEZONEs of its input that the component references by TZID.
    public var timeZones: [Component]
    public var calendar: CalendarHeader
    public var layout: CalendarLayout?
    /// False once changed in code; then `originalBytes` is nil.
    public var isUnchanged = true

    public init(component: Component, timeZones: [Component] = [], calendar: CalendarHeader = .ferry(),
                layout: CalendarLayout? = nil) {
        self.component = component
        self.timeZones = timeZones
        self.calendar = calendar
        self.layout = layout
    }

    public var kind: ItemKind { component.name == "VTODO" ? .task : .calendar }

    public var originalBytes: [UInt8]? { isUnchanged ? component.rawBytes : nil }

    public func jsonObject() -> [String: any Sendable] {
        var o: [String: any Sendable] = ["component": component.name]
        if let uid = component.uid { o["uid"] = uid }
        for (key, name) in [("summary", "SUMMARY"), ("location", "LOCATION"), ("description", "DESCRIPTION"),
                            ("status", "STATUS")] {
            if let p = component.property(name) { o[key] = p.textValue }
        }
        for (key, name) in [("start", "DTSTART"), ("end", "DTEND"), ("due", "DUE"), ("duration", "DURATION"),
                            ("rrule", "RRULE"), ("recurrenceId", "RECURRENCE-ID")] {
            if let p = component.property(name) {
                var v: [String: any Sendable] = ["value": p.valueString]
                if let tz = p.parameterValue("TZID") { v["tzid"] = tz }
                o[key] = v
            }
        }
        o["properties"] = component.properties.map { p -> [String: any Sendable] in
            var d: [String: any Sendable] = ["name": p.name, "value": p.valueString]
            if !p.parameters.isEmpty {
                var params: [String: any Sendable] = [:]
                for param in p.parameters { params[param.name] = param.values.joined(separator: ",") }
                d["parameters"] = params
            }
            return d
        }
        let subs = component.components.map(\.name)
        if !subs.isEmpty { o["components"] = subs }
        return o
    }
}
