import Foundation
import FerryCore
import FerryText

// MARK: - ics → CSV

/// `calendar-csv`: events and to-dos as CSV rows for spreadsheets (RFC 4180, UTF-8, CRLF), written
/// only. One row per event; with the format option `instances=1` (`ferry convert --expand`) one row per
/// occurrence inside the time range, overrides (RECURRENCE-ID) in place of the occurrences they replace.
/// Picked by `-o events.csv` when the input is a calendar (contact CSV stays the `.csv` of contacts).
public struct CalendarCSVFormat: Format {
    public let name = "calendar-csv"
    public let summary = "calendar events as CSV rows (write only)"
    public let extensions = ["csv"]
    public let kinds: [ItemKind] = [.calendar, .task]
    public var canRead: Bool { false }

    public init() {}

    public func bid(prefix: [UInt8], name: String?) -> Int { 0 }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else {
            throw FerryError.usage("calendar-csv.directory", "calendar-csv writes a file or stdout, not a directory")
        }
        let expand = options.formatOptions["instances"] == "1"
        if expand, options.timeRange.end == nil {
            throw FerryError.usage("calendar-csv.range", "--expand needs --end (and usually --start): "
                                   + "recurring events can go on forever")
        }
        return CalendarCSVWriter(sink: sink, expandIn: expand ? options.timeRange : nil,
                                 floating: options.timeContext.timeZone)
    }
}

/// Writes the CSV rows of `CalendarCSVFormat`.
public final class CalendarCSVWriter: ItemWriter {
    public static let columns = ["UID", "Type", "Summary", "Start", "End", "All Day", "Time Zone", "Location",
                                 "Description", "Recurrence", "Recurrence ID", "Organizer", "Attendees", "Categories",
                                 "Status", "Priority", "Class", "URL"]
    private let sink: ByteSink
    private let range: TimeRange?
    private let floating: TimeZone
    private var started = false
    /// Instances mode: the objects of one UID (master and overrides), written when another UID comes.
    private var group: [CalendarObject] = []

    public init(sink: ByteSink, expandIn range: TimeRange?, floating: TimeZone = .current) {
        self.sink = sink
        self.range = range
        self.floating = floating
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        guard let object = item.payload as? CalendarObject else {
            return .skipped(reason: "calendar-csv holds calendar objects, not \(item.kind.rawValue)s")
        }
        guard ["VEVENT", "VTODO", "VJOURNAL"].contains(object.component.name) else {
            return .skipped(reason: "calendar-csv holds events, to-dos and journal entries, not \(object.component.name)")
        }
        try startIfNeeded()
        if range == nil {
            try sink.write(row(object.component, start: nil, end: nil, recurrenceID: nil))
            return .written
        }
        if let first = group.first, first.component.uid != object.component.uid || object.component.uid == nil {
            try flushGroup()
        }
        group.append(object)
        return .written
    }

    public func finish() throws {
        try startIfNeeded()
        try flushGroup()
    }

    private func startIfNeeded() throws {
        guard !started else { return }
        started = true
        try sink.write(Self.columns.map(Self.quote).joined(separator: ",") + "\r\n")
    }

    /// Instances of a master, minus those its overrides replace, plus the overrides' own instances.
    private func flushGroup() throws {
        defer { group = [] }
        guard let range else { return }
        let zones = TimeZoneTable(floating: floating)
        for object in group { for zone in object.timeZones { zones.add(zone) } }
        let expander = InstanceExpander(zones: zones)
        let from = range.start.map { Int64($0.timeIntervalSince1970) }
        let to = range.end.map { Int64($0.timeIntervalSince1970) }
        var overridden = Set<Int64>()
        for object in group where object.component.property("RECURRENCE-ID") != nil {
            if let r = object.component.property("RECURRENCE-ID"), let v = try? CalendarDateTime.parse(property: r) {
                overridden.insert(zones.utc(v).0)
            }
        }
        for object in group {
            let c = object.component
            guard let expansion = try? expander.expand(c, from: from, to: to) else {
                try sink.write(row(c, start: nil, end: nil, recurrenceID: nil))
                continue
            }
            let isOverride = c.property("RECURRENCE-ID") != nil
            for instance in expansion.instances where isOverride || !overridden.contains(instance.recurrenceID) {
                try sink.write(row(c, start: instance.start, end: instance.end,
                                   recurrenceID: !isOverride && (c.property("RRULE") != nil || c.property("RDATE") != nil)
                                       ? instance.recurrenceID : nil, zones: zones))
            }
        }
    }

    /// One row; `start`/`end` (UTC seconds) replace DTSTART/DTEND for an occurrence.
    private func row(_ c: Component, start: Int64?, end: Int64?, recurrenceID: Int64?, zones: TimeZoneTable? = nil) -> String {
        func text(_ name: String) -> String { c.property(name)?.textValue ?? "" }
        let startLine = c.property("DTSTART")
        let startValue = startLine.flatMap { try? CalendarDateTime.parse(property: $0) }
        let endLine = c.property("DTEND") ?? c.property("DUE")
        var endValue = endLine.flatMap { try? CalendarDateTime.parse(property: $0) }
        if endValue == nil, let s = startValue, let d = c.property("DURATION").flatMap({ try? CalendarDuration.parse($0.value) }) {
            // Wall-clock end: nominal days, then the exact time part.
            var e = s
            e.local = LocalDateTime(seconds: s.local.seconds + Int64(d.nominalDays) * 86400 + d.exactSeconds)
            endValue = e
        }
        let isDate = startValue?.isDate ?? endValue?.isDate ?? false
        let zoneName = startValue.map { v -> String in v.isUTC ? "UTC" : v.tzid ?? "" } ?? ""
        func format(_ v: CalendarDateTime?) -> String {
            guard let v else { return "" }
            return Self.format(v.local, isDate: v.isDate)
        }
        func formatInstant(_ utc: Int64) -> String {
            guard let startValue else { return "" }
            if startValue.isDate { return Self.format(LocalDateTime(seconds: floatingLocal(utc, zones)), isDate: true) }
            if startValue.isUTC { return Self.format(LocalDateTime(seconds: utc), isDate: false) }
            let rules = zones?.zoneRules(for: startValue)
            return Self.format(LocalDateTime(seconds: rules?.local(fromUTC: utc) ?? utc), isDate: false)
        }
        let attendees = c.properties("ATTENDEE").map(Self.person).joined(separator: "; ")
        let categories = c.properties("CATEGORIES").flatMap { p in
            TextEscaping.split(p.value, separator: 0x2C).map { TextEscaping.unescape($0) }
        }.joined(separator: ", ")
        let fields = [
            text("UID"), c.name, text("SUMMARY"),
            start.map(formatInstant) ?? format(startValue),
            end.map(formatInstant) ?? format(endValue),
            isDate ? "TRUE" : "FALSE", zoneName, text("LOCATION"), text("DESCRIPTION"),
            c.properties("RRULE").map(\.valueString).joined(separator: "\n"),
            recurrenceID.map(formatInstant) ?? (c.property("RECURRENCE-ID").flatMap { try? CalendarDateTime.parse(property: $0) })
                .map { Self.format($0.local, isDate: $0.isDate) } ?? "",
            c.property("ORGANIZER").map(Self.person) ?? "", attendees, categories,
            c.property("STATUS")?.valueString ?? "", c.property("PRIORITY")?.valueString ?? "",
            c.property("CLASS")?.valueString ?? "", c.property("URL")?.valueString ?? "",
        ]
        return fields.map(Self.quote).joined(separator: ",") + "\r\n"
    }

    private func floatingLocal(_ utc: Int64, _ zones: TimeZoneTable?) -> Int64 {
        (zones?.floating.local(fromUTC: utc)) ?? utc
    }

    /// `2024-01-08 09:00:00` or `2024-01-08`: what spreadsheets read as dates.
    static func format(_ t: LocalDateTime, isDate: Bool) -> String {
        func pad(_ v: Int, _ w: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let date = "\(pad(t.year, 4))-\(pad(t.month))-\(pad(t.day))"
        return isDate ? date : date + " \(pad(t.hour)):\(pad(t.minute)):\(pad(t.second))"
    }

    /// `Jane Doe <jane@example.com>` from `ATTENDEE;CN=Jane Doe:mailto:jane@example.com`.
    static func person(_ p: ContentLine) -> String {
        var address = p.valueString
        if address.lowercased().hasPrefix("mailto:") { address.removeFirst(7) }
        if let cn = p.parameterValue("CN").map(ParameterEscaping.decode), !cn.isEmpty { return "\(cn) <\(address)>" }
        return address
    }

    /// RFC 4180 quoting (fields with a comma, quote or line break).
    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

// MARK: - one file per event

/// `ics-files`: a directory with one standalone `.ics` per event, to-do or journal entry (what CalDAV
/// servers store: a UID's master and its overrides share a file), each with the VTIMEZONEs it uses and
/// its calendar's properties, named by its sanitized UID. Picked by `-o dir/` (or `--to ics -o dir/`)
/// for a calendar input.
public struct IcsFilesFormat: Format, DirectoryForm {
    public let name = "ics-files"
    public let summary = "a directory with one .ics file per event (named by UID)"
    public let extensions: [String] = []
    public let kinds: [ItemKind] = [.calendar, .task]
    public var canRead: Bool { false }
    public var writesDirectory: Bool { true }
    public var fileFormat: String { "ics" }

    public init() {}

    /// Bids on a directory output only (`name` ending in `/`); mail directory formats bid too, and the
    /// input's kind decides between them.
    public func bid(prefix: [UInt8], name: String?) -> Int {
        guard let name, name.hasSuffix("/"), prefix.isEmpty else { return 0 }
        return 10
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .directory(let path) = output else {
            throw FerryError.usage("ics-files.stream", "ics-files writes into a directory: name one with -o dir/")
        }
        return try IcsFilesWriter(directory: path)
    }
}

/// Writes `IcsFilesFormat`: each file atomically; a UID met again later (an override far from its
/// master) is added to its file.
public final class IcsFilesWriter: ItemWriter {
    private let directory: String
    /// UID → file name; file name → UID (names taken).
    private var files: [String: String] = [:]
    private var taken: [String: String] = [:]
    /// Zones already in each file.
    private var zonesIn: [String: Set<String>] = [:]
    private var unnamed = 0

    public init(directory: String) throws {
        var path = directory
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        self.directory = path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FerryError.io("io.mkdir", "cannot create the directory: \(error.localizedDescription)", file: path)
        }
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        guard let object = item.payload as? CalendarObject else {
            return .skipped(reason: "ics-files holds calendar objects, not \(item.kind.rawValue)s")
        }
        let uid = object.component.uid
        if let uid, let existing = files[uid] {
            try append(object, to: existing)
            return .written
        }
        let file = name(for: uid)
        if let uid { files[uid] = file }
        var out: [UInt8] = []
        object.calendar.begin.appendRaw(to: &out)
        let names = Set(object.calendar.properties.map(\.name))
        if !names.contains("VERSION") { ContentLine(name: "VERSION", value: "2.0").appendRaw(to: &out) }
        if !names.contains("PRODID") { ContentLine(name: "PRODID", value: "-//Ferry//Ferry Calendar//EN").appendRaw(to: &out) }
        for p in object.calendar.properties { p.appendRaw(to: &out) }
        var zones = Set<String>()
        for zone in object.timeZones {
            guard let id = zone.property("TZID")?.textValue, zones.insert(id).inserted else { continue }
            zone.appendRaw(to: &out)
        }
        object.component.appendRaw(to: &out)
        ContentLine(name: "END", value: "VCALENDAR").appendRaw(to: &out)
        zonesIn[file] = zones
        try save(out, file)
        return .written
    }

    public func finish() throws {}

    /// Adds a component (and zones it needs) before the file's END:VCALENDAR.
    private func append(_ object: CalendarObject, to file: String) throws {
        let path = directory + "/" + file
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let end = Array("END:VCALENDAR".utf8)
        var k = bytes.count - end.count
        while k >= 0, !bytes[k...].starts(with: end) { k -= 1 }
        guard k >= 0 else { throw FerryError.data("ics-files.append", "no END:VCALENDAR to append to", file: path) }
        var insert: [UInt8] = []
        var zones = zonesIn[file] ?? []
        for zone in object.timeZones {
            guard let id = zone.property("TZID")?.textValue, zones.insert(id).inserted else { continue }
            zone.appendRaw(to: &insert)
        }
        zonesIn[file] = zones
        object.component.appendRaw(to: &insert)
        bytes.insert(contentsOf: insert, at: k)
        try save(bytes, file)
    }

    private func save(_ bytes: [UInt8], _ file: String) throws {
        let sink = try AtomicFileSink(path: directory + "/" + file)
        do {
            try sink.write(bytes)
            try sink.finish()
        } catch {
            sink.abort()
            throw error
        }
    }

    /// `uid.ics` with characters outside `A-Z a-z 0-9 . _ - @ +` replaced by `_`, at most 120 of
    /// them; a name another UID already took gets `-2`, `-3`, …; no UID: `event-N.ics`.
    func name(for uid: String?) -> String {
        var base: String
        if let uid, !uid.isEmpty {
            base = String(uid.unicodeScalars.prefix(120).map { c -> Character in
                (c.isASCII && (CharacterSet.alphanumerics.contains(c) || "._-@+".unicodeScalars.contains(c))) ? Character(c) : "_"
            })
            if base.hasPrefix(".") { base = "_" + base.dropFirst() }
        } else {
            unnamed += 1
            base = "event-\(unnamed)"
        }
        var candidate = base + ".ics"
        var n = 1
        while taken[candidate.lowercased()] != nil {
            n += 1
            candidate = "\(base)-\(n).ics"
        }
        taken[candidate.lowercased()] = uid ?? candidate
        return candidate
    }
}
