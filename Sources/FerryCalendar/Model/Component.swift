import FerryCore
import FerryText

/// One iCalendar component (VEVENT, VTIMEZONE, STANDARD, VALARM, X-…): a lossless tree that keeps every
/// line in order, unknown and X- properties and components included, and lines it could not parse.
public struct Component: Sendable {
    /// What a component holds, in file order.
    public enum Entry: Sendable {
        case property(ContentLine)
        case component(Component)
        /// A line that is not a valid content line (kept verbatim, reported when read).
        case invalid(UnfoldedLine)
    }

    /// Upper-cased component name (`VEVENT`).
    public var name: String
    /// The `BEGIN:` line.
    public var begin: ContentLine
    /// The `END:` line; nil when the input ended (or an ancestor ended) before it.
    public var end: ContentLine?
    public var entries: [Entry]

    public init(name: String, begin: ContentLine, end: ContentLine?, entries: [Entry]) {
        self.name = name
        self.begin = begin
        self.end = end
        self.entries = entries
    }

    /// Builds a component in code (written with CRLF, folded).
    public init(name: String, properties: [ContentLine] = [], components: [Component] = []) {
        let upper = name.uppercased()
        self.name = upper
        self.begin = ContentLine(name: "BEGIN", value: upper)
        self.end = ContentLine(name: "END", value: upper)
        self.entries = properties.map(Entry.property) + components.map(Entry.component)
    }

    /// Properties in order.
    public var properties: [ContentLine] {
        entries.compactMap { if case .property(let p) = $0 { p } else { nil } }
    }

    /// Sub-components in order.
    public var components: [Component] {
        entries.compactMap { if case .component(let c) = $0 { c } else { nil } }
    }

    /// The first property named `name` (upper case).
    public func property(_ name: String) -> ContentLine? {
        for entry in entries {
            if case .property(let p) = entry, p.name == name { return p }
        }
        return nil
    }

    /// All properties named `name` (upper case).
    public func properties(_ name: String) -> [ContentLine] {
        entries.compactMap { if case .property(let p) = $0, p.name == name { p } else { nil } }
    }

    /// Sub-components named `name`.
    public func components(_ name: String) -> [Component] {
        entries.compactMap { if case .component(let c) = $0, c.name == name { c } else { nil } }
    }

    /// The UID's text, if any.
    public var uid: String? { property("UID").map(\.textValue) }

    /// Physical line of the BEGIN line.
    public var line: Int { begin.line.line }

    /// Writes the component: read lines with their original bytes, built ones folded with CRLF.
    /// The component as read, made whole for writing among others: a missing END line (an unclosed
    /// component at the end of its input, kept as read) is supplied here and in every sub-component,
    /// and a last line without a line break gets one — otherwise whatever is written next would become
    /// part of it (a VEVENT after an unclosed VTIMEZONE read back as inside the zone).
    public func appendClosed(to out: inout [UInt8]) {
        begin.appendRaw(to: &out)
        for entry in entries {
            Component.endLine(&out)
            switch entry {
            case .property(let p): p.appendRaw(to: &out)
            case .component(let c): c.appendClosed(to: &out)
            case .invalid(let l): l.appendRaw(to: &out)
            }
        }
        Component.endLine(&out)
        if let end {
            end.appendRaw(to: &out)
            Component.endLine(&out)
        } else {
            ContentLine(name: "END", value: name).appendRaw(to: &out)
        }
    }

    /// A CRLF after bytes that do not end a line.
    static func endLine(_ out: inout [UInt8]) {
        if let last = out.last, last != 0x0A, last != 0x0D { out.append(contentsOf: [0x0D, 0x0A]) }
    }

    public func appendRaw(to out: inout [UInt8]) {
        begin.appendRaw(to: &out)
        for entry in entries {
            switch entry {
            case .property(let p): p.appendRaw(to: &out)
            case .component(let c): c.appendRaw(to: &out)
            case .invalid(let l): l.appendRaw(to: &out)
            }
        }
        end?.appendRaw(to: &out)
    }

    public var rawBytes: [UInt8] {
        var out: [UInt8] = []
        appendRaw(to: &out)
        return out
    }

    /// Every TZID parameter value used by this component and its sub-components (VTIMEZONE's own TZID
    /// property is not a parameter and is not included).
    public var referencedTimeZoneIDs: [String] {
        var seen: [String] = []
        collectTZIDs(into: &seen)
        return seen
    }

    private func collectTZIDs(into seen: inout [String]) {
        for entry in entries {
            switch entry {
            case .property(let p):
                if !p.parameters.isEmpty, let tzid = p.parameterValue("TZID"), !seen.contains(tzid) { seen.append(tzid) }
            case .component(let c): c.collectTZIDs(into: &seen)
            case .invalid: break
            }
        }
    }

    /// Replaces (or appends) the first property named like `line`; later ones of that name stay.
    public mutating func setProperty(_ line: ContentLine) {
        for (k, entry) in entries.enumerated() {
            if case .property(let p) = entry, p.name == line.name {
                entries[k] = .property(line)
                return
            }
        }
        entries.append(.property(line))
    }

    /// Removes every property named `name`.
    public mutating func removeProperties(_ name: String) {
        entries.removeAll { if case .property(let p) = $0 { p.name == name } else { false } }
    }
}
