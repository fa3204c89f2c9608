import FerryArchive
import FerryCalendar
import FerryCore
import FerryMIME
import Foundation
import Testing

/// Calendar objects that did not come from a Zimbra blob (an .ics) written in Zimbra's archive layout:
/// one `.appt`/`.task` + `.meta` pair per UID, the blob a multipart/digest of invites, the `.meta`'s
/// bencoded metadata holding the invites as Zimbra's `Invite.encodeMetadata` writes them.
@Suite struct ZimbraCalendarWriterTests {
    static let calendarFixtures = Paths.packageRoot.appendingPathComponent("Fixtures/calendar")

    static func readIcs(_ name: String) throws -> [Item] {
        let source = try FileSource(path: calendarFixtures.appendingPathComponent(name).path)
        return try readAll(IcsReader(source: source, options: ReadOptions(), log: DiagnosticLog()))
    }

    static func writeArchive(_ items: [Item], to path: String, container: ZimbraArchiveWriter.Container = .tgz,
                             log: DiagnosticLog = DiagnosticLog(), budget: Int? = nil) throws -> [WriteOutcome] {
        let sink = try AtomicFileSink(path: path)
        let writer = try ZimbraArchiveWriter(sink: sink, container: container, options: WriteOptions(), log: log)
        if let budget { writer.maxPendingCalendarBytes = budget }
        let outcomes = try items.map { try writer.write($0) }
        try writer.finish()
        try sink.finish()
        return outcomes
    }

    /// Every entry of an archive: name, gname and bytes.
    static func entries(_ path: String) throws -> [(name: String, group: String?, bytes: [UInt8])] {
        let reader = try ArchiveReader(source: try FileSource(path: path), log: DiagnosticLog())
        var out: [(name: String, group: String?, bytes: [UInt8])] = []
        while let entry = try reader.nextEntry() {
            out.append((entry.name, entry.groupName, try reader.entryData().readAll()))
        }
        return out
    }

    /// A component as comparable text: its properties (name, parameters, value) and sub-components, in order.
    static func signature(_ c: Component) -> [String] {
        var out: [String] = []
        for entry in c.entries {
            switch entry {
            case .property(let p):
                let params = p.parameters.map { "\($0.name)=\($0.values.joined(separator: ","))" }.joined(separator: ";")
                out.append("\(p.name);\(params):\(p.valueString)")
            case .component(let sub):
                out.append("BEGIN:\(sub.name)")
                out += signature(sub)
                out.append("END:\(sub.name)")
            case .invalid(let line):
                out.append("INVALID:\(String(decoding: line.bytes, as: UTF8.self))")
            }
        }
        return out
    }

    static func key(_ object: CalendarObject) -> String {
        (object.component.uid ?? "") + "|" + (object.component.property("RECURRENCE-ID")?.valueString ?? "")
    }

    static func objects(_ items: [Item]) -> [String: CalendarObject] {
        var out: [String: CalendarObject] = [:]
        for item in items { if let o = item.payload as? CalendarObject { out[key(o)] = o } }
        return out
    }

    static func metadata(_ metaEntry: [UInt8]) throws -> (meta: ZimbraMeta, metadata: BencodeValue) {
        let meta = try ZimbraMeta(json: metaEntry)
        return (meta, try #require(try meta.metadata()))
    }

    // MARK: ics → tgz → items

    @Test(arguments: ["google.ics", "zimbra.ics", "outlook.ics", "thunderbird.ics", "apple.ics"])
    func icsThroughTgzGivesTheSameObjects(_ fixture: String) throws {
        let items = try Self.readIcs(fixture)
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outcomes = try Self.writeArchive(items, to: dir + "/cal.tgz")
        #expect(outcomes.allSatisfy { $0 == .written }, "\(outcomes)")
        let back = try readAll(ZimbraArchiveReader(source: try FileSource(path: dir + "/cal.tgz"), options: ReadOptions(),
                                                   log: DiagnosticLog()))
        let before = Self.objects(items), after = Self.objects(back)
        #expect(Set(before.keys) == Set(after.keys))
        for (key, original) in before {
            let copy = try #require(after[key])
            #expect(Self.signature(copy.component) == Self.signature(original.component), "\(fixture) \(key)")
            #expect(copy.component.name == original.component.name)
            // The zones it references travel with it, as they were.
            #expect(copy.timeZones.map(Self.signature) == original.timeZones.map(Self.signature), "\(fixture) \(key)")
            #expect(copy.kind == original.kind)
        }
    }

    /// Once written, the items are Zimbra calendar items: read and written again, the archive is the same
    /// byte for byte (the blob and `.meta` travel with the items, as for any Zimbra export).
    @Test func writtenArchiveIsAFixedPoint() throws {
        let items = try Self.readIcs("google.ics") + Self.readIcs("zimbra.ics")
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.writeArchive(items, to: dir + "/first.tgz")
        let read = try readAll(ZimbraArchiveReader(source: try FileSource(path: dir + "/first.tgz"), options: ReadOptions(),
                                                   log: DiagnosticLog()))
        #expect(try Self.writeArchive(read, to: dir + "/second.tgz").allSatisfy { $0 == .written })
        let first = try Self.entries(dir + "/first.tgz"), second = try Self.entries(dir + "/second.tgz")
        #expect(first.map(\.name) == second.map(\.name))
        #expect(first.map(\.bytes) == second.map(\.bytes))
    }

    /// An appointment read from a Zimbra blob and then changed (an edited account tree) is rebuilt from
    /// its objects under the same id and entry name, not written back as the stale blob.
    @Test func aChangedBlobItemIsRebuilt() throws {
        let source = try FileSource(path: Paths.fixture("zimbra-export.tgz"))
        var items = try readAll(ZimbraArchiveReader(source: source, options: ReadOptions(), log: DiagnosticLog()))
        let index = try #require(items.firstIndex { $0.kind == .calendar })
        var object = try #require(items[index].payload as? CalendarObject)
        let summary = try #require(object.component.property("SUMMARY"))
        object.component.setProperty(summary.replacingValue("Standup (renamed)"))
        object.isUnchanged = false
        items[index].payload = object
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = DiagnosticLog()
        _ = try Self.writeArchive(items, to: dir + "/edited.tgz", log: log)
        #expect(log.diagnostics.filter { $0.code == "zimbra.calendar-rebuilt" }.count == 1)
        let entries = try Self.entries(dir + "/edited.tgz")
        let appt = try #require(entries.firstIndex { $0.name.hasSuffix(".appt") })
        #expect(entries[appt].name == "Calendar/0000000310-Standup.appt")
        let (meta, metadata) = try Self.metadata(entries[appt - 1].bytes)
        #expect(meta.id == 310 && meta.type == .appointment && meta.string("subject") == "Standup (renamed)")
        #expect(metadata["inv0"]?["n"] == .string("Standup (renamed)"))
        #expect(metadata["inv0"]?["u"] == .string("3f1e6f2a-5d1c-4d84-8d2d-2a9c1e4b7a10"))
        let back = try readAll(ZimbraArchiveReader(source: try FileSource(path: dir + "/edited.tgz"), options: ReadOptions(),
                                                   log: DiagnosticLog()))
        let event = try #require(back.first { $0.kind == .calendar }?.payload as? CalendarObject)
        #expect(event.component.property("SUMMARY")?.textValue == "Standup (renamed)")
        #expect(event.component.property("RRULE")?.valueString == "FREQ=WEEKLY;BYDAY=MO")
        // Every other entry is as it was.
        let original = try Self.entries(Paths.fixture("zimbra-export.tgz"))
        #expect(original.map(\.name) == entries.map(\.name))
        #expect(zip(original, entries).filter { $0.0.bytes != $0.1.bytes }.map(\.0.name)
                == ["Calendar/0000000310-Standup.appt.meta", "Calendar/0000000310-Standup.appt"])
    }

    @Test func seriesWithExceptionIsOneAppointmentWithTwoInvites() throws {
        let items = try Self.readIcs("google.ics")
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.writeArchive(items, to: dir + "/cal.tgz")
        let entries = try Self.entries(dir + "/cal.tgz")
        let uids = Set(items.compactMap { ($0.payload as? CalendarObject)?.component.uid })
        // One .meta + .appt pair per UID, the .meta first, both marked as appointments.
        #expect(entries.count == 2 * uids.count)
        for pair in stride(from: 0, to: entries.count, by: 2) {
            #expect(entries[pair].name == entries[pair + 1].name + ".meta")
            #expect(entries[pair + 1].name.hasSuffix(".appt"))
            #expect(entries[pair].group == "appointment" && entries[pair + 1].group == "appointment")
            let parsed = ZimbraNaming.parse(entries[pair + 1].name)
            #expect(parsed.folder == "Calendar" && parsed.id != nil && parsed.fileExtension == "appt")
        }
        let series = try #require(entries.firstIndex { $0.name.hasSuffix(".appt") && String(decoding: $0.bytes, as: UTF8.self)
                .contains("RECURRENCE-ID") })
        let (meta, metadata) = try Self.metadata(entries[series - 1].bytes)
        #expect(meta.type == .appointment)
        #expect(meta.path == "Calendar" && meta.string("Path") == "/Calendar")
        #expect(meta.int("Ver") == 10)
        #expect(meta.size == Int64(entries[series].bytes.count))
        #expect(meta.string("blob_digest") == ZimbraMeta.blobDigest(SHA256.hash(entries[series].bytes)))
        #expect(meta.string("subject") == "Stand-up")
        #expect(entries[series].name.hasPrefix("Calendar/\(String(format: "%010d", meta.id ?? 0))-Stand-up"))

        // CalendarItem.decodeMetadata: tzm must be present or no invite is read; nc and inv<N> are required.
        #expect(metadata["tzm"] != nil)
        #expect(metadata["u"] == .string("4kd8s0a1v2b3c4d5e6f7g8h9i0@google.com"))
        #expect(metadata["nc"] == .integer(2))
        let master = try #require(metadata["inv0"]), exception = try #require(metadata["inv1"])
        // Invite.decodeMetadata: mid, comp and byme have no default; tzm is read with getMap (required).
        for invite in [master, exception] {
            for key in ["mid", "comp", "byme", "tzm", "u", "it", "st", "et", "mthd", "n", "seq", "dts", "status", "af"] {
                #expect(invite[key] != nil, "invite lacks \(key)")
            }
            #expect(invite["it"] == .integer(11))
            #expect(invite["mthd"] == .string("PUBLISH"))
            #expect(invite["u"] == metadata["u"])
            // Times as ParsedDateTime.toString writes them, the zone in the invite's map.
            guard case .string(let st)? = invite["st"] else { Issue.record("st"); continue }
            #expect(st.hasPrefix("TZID=Europe/Berlin:202403"))
            #expect(invite["tzm"]?["#0"]?["tzid"] == .string("Europe/Berlin"))
            #expect(invite["tzm"]?["#0"]?["so"] == .integer(3_600_000))
            #expect(invite["tzm"]?["#0"]?["do"] == .integer(7_200_000))
        }
        #expect(master["st"] == .string("TZID=Europe/Berlin:20240305T093000"))
        #expect(master["et"] == .string("TZID=Europe/Berlin:20240305T100000"))
        #expect(master["n"] == .string("Stand-up"))
        #expect(master["rid"] == nil)
        // The series: Recurrence.RecurrenceRule with the RRULE as a SimpleRepeatingRule and the EXDATE
        // as a subtracted SingleDates.
        let recurrence = try #require(master["recurrence"])
        #expect(recurrence["t"] == .integer(4))
        #expect(recurrence["dts"] == master["st"])
        #expect(recurrence["duration"] == .string("PT30M"))
        #expect(recurrence["add"]?["nr"] == .integer(1))
        #expect(recurrence["add"]?["r0"]?["t"] == .integer(2))
        #expect(recurrence["add"]?["r0"]?["recur"] == .string("FREQ=WEEKLY;WKST=MO;UNTIL=20240430T073000Z;BYDAY=TU"))
        #expect(recurrence["sub"]?["r0"]?["t"] == .integer(6))
        #expect(recurrence["sub"]?["r0"]?["rexd"]?["isrd"] == .integer(0))
        #expect(recurrence["sub"]?["r0"]?["rexd"]?["tzid"] == .string("Europe/Berlin"))
        #expect(recurrence["sub"]?["r0"]?["rexd"]?["v0"] == .string("20240402T093000"))
        #expect(recurrence["invid"]?["i"] == master["mid"])
        #expect(master["af"] == .integer(0x02 | 0x20))
        // The exception: RecurId with the original start, no recurrence.
        #expect(exception["rid"]?["dt"] == .string("TZID=Europe/Berlin:20240319T093000"))
        #expect(exception["rid"]?["r"] == .integer(1))
        #expect(exception["recurrence"] == nil)
        #expect(exception["st"] == .string("TZID=Europe/Berlin:20240319T110000"))

        // The blob: a multipart/digest whose parts carry invId = the invite's mid and wrap message/rfc822
        // invites with a text/calendar; method=PUBLISH part.
        let blob = entries[series].bytes
        let message = try MIMEParser().parse(MemorySource(blob, name: "blob"), sizeHint: blob.count)
        #expect(message.root.contentType.type == "multipart" && message.root.contentType.subtype == "digest")
        let digestParts = message.root.children
        #expect(digestParts.count == 2)
        for (i, part) in digestParts.enumerated() {
            #expect(part.kind == .message)
            let invId = part.header.text("invId")
            guard case .integer(let mid)? = [master, exception][i]["mid"] else { Issue.record("mid"); continue }
            #expect(invId == String(mid))
            let calendar = try #require(part.children.first { $0.contentType.subtype == "calendar" })
            #expect(calendar.contentType.parameter("method") == "PUBLISH")
            let ics = try message.text(of: calendar)
            #expect(ics.contains("METHOD:PUBLISH\r\n"))
            #expect(ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"))
        }
        #expect(metadata["ape"] != nil && metadata["aps"] == .integer(1_709_627_400_000))
    }

    @Test func attendeesOrganizerAndTaskFields() throws {
        let items = try Self.readIcs("zimbra.ics")
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.writeArchive(items, to: dir + "/cal.tar", container: .tar)
        let entries = try Self.entries(dir + "/cal.tar")
        #expect(entries.map(\.name).filter { !$0.hasSuffix(".meta") }.map { ($0 as NSString).pathExtension }.sorted()
                == ["appt", "appt", "task"])
        // The VTODO: a task (type 15) in Tasks, its DUE in `et`.
        let task = try #require(entries.firstIndex { $0.name.hasSuffix(".task") })
        #expect(entries[task].name.hasPrefix("Tasks/") && entries[task].name.hasSuffix("-Send minutes.task"))
        #expect(entries[task].group == "task" && entries[task - 1].group == "task")
        let (taskMeta, taskMetadata) = try Self.metadata(entries[task - 1].bytes)
        #expect(taskMeta.type == .task && taskMeta.path == "Tasks")
        let todo = try #require(taskMetadata["inv0"])
        #expect(todo["it"] == .integer(15))
        #expect(todo["et"] == .string("VALUE=DATE:20241029"))
        #expect(todo["status"] == .string("NEED"))
        #expect(todo["prio"] == .string("5"))
        #expect(todo["pctcompl"] == .string("0"))
        #expect(todo["af"] == .integer(0x01))
        // The meeting: organizer and attendee as CalendarUser/ZAttendee, codes in IcalXmlStrMap's short forms.
        let meeting = try #require(entries.firstIndex { $0.name.hasSuffix("-Board meeting.appt") })
        let (_, metadata) = try Self.metadata(entries[meeting - 1].bytes)
        let invite = try #require(metadata["inv0"])
        #expect(invite["org"]?["a"] == .string("sam@example.org"))
        #expect(invite["org"]?["cn"] == .string("Sam Chen"))
        #expect(invite["numAt"] == .string("1"))
        #expect(invite["at0"]?["a"] == .string("alex@example.org"))
        #expect(invite["at0"]?["cn"] == .string("Alex Rivera"))
        #expect(invite["at0"]?["r"] == .string("REQ"))
        #expect(invite["at0"]?["ptst"] == .string("AC"))
        #expect(invite["status"] == .string("CONF"))
        #expect(invite["tr"] == .string("O"))
        #expect(invite["dts"] == .integer(1_727_784_000_000))
        #expect(invite["tzm"]?["#0"]?["tzid"] == .string("America/New_York"))
        #expect(invite["tzm"]?["#0"]?["d2sr"] == .string("FREQ=YEARLY;WKST=MO;INTERVAL=1;BYMONTH=11;BYDAY=1SU"))
        // The reminder as Alarm.encodeMetadata writes it.
        #expect(invite["numAl"] == .integer(1))
        #expect(invite["al0"] == .dictionary([("ac", .string("d")), ("ds", .string("Reminder")), ("tr", .string("-PT5M")),
                                               ("trd", .string("s")), ("tt", .string("r"))]))
        // X- properties as Util.encodeXPropsAsMetadata writes them.
        #expect(invite["numX"] == .integer(1))
        #expect(invite["x0"]?["n"] == .string("X-MICROSOFT-CDO-INTENDEDSTATUS"))
        #expect(invite["x0"]?["v"] == .string("BUSY"))
        // The all-day holiday: dates, the all-day flag, transparent.
        let holiday = try #require(entries.firstIndex { $0.name.hasSuffix("-Company holiday.appt") })
        let day = try #require(try Self.metadata(entries[holiday - 1].bytes).metadata["inv0"])
        #expect(day["st"] == .string("VALUE=DATE:20241128"))
        #expect(day["af"] == .integer(0x02 | 0x04))
        #expect(day["tr"] == .string("T"))
        // The tar carries devmajor = the type code (Zimbra's type check on import).
        let script = """
            import tarfile, sys
            for m in tarfile.open(sys.argv[1]): print(m.name, m.gname, m.devmajor)
            """
        guard let result = try runPython(script, [dir + "/cal.tar"]) else { return }
        for line in result.output.split(separator: "\n") {
            #expect(line.hasSuffix(line.contains(".task") ? " task 15" : " appointment 11"), "\(line)")
        }
    }

    /// An exception far from its master (beyond the grouping budget) still arrives, as a second item of
    /// that UID, and is said; with the budget it joins its master.
    @Test func exceptionsGroupByUIDWhereverTheyAre() throws {
        var ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        ics += "BEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240108T090000Z\r\nDTEND:20240108T100000Z\r\n"
            + "RRULE:FREQ=DAILY;COUNT=5\r\nSUMMARY:Daily\r\nEND:VEVENT\r\n"
        for i in 0..<20 {
            ics += "BEGIN:VEVENT\r\nUID:single-\(i)\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240201T090000Z\r\n"
                + "SUMMARY:Single \(i) \(String(repeating: "x", count: 200))\r\nEND:VEVENT\r\n"
        }
        ics += "BEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20240101T000000Z\r\nRECURRENCE-ID:20240110T090000Z\r\n"
            + "DTSTART:20240110T110000Z\r\nDTEND:20240110T120000Z\r\nSUMMARY:Daily (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let items = try readAll(IcsReader(source: MemorySource(Array(ics.utf8), name: "x.ics"), options: ReadOptions(),
                                          log: DiagnosticLog()))
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.writeArchive(items, to: dir + "/grouped.tgz")
        let grouped = try Self.entries(dir + "/grouped.tgz")
        #expect(grouped.count == 2 * 21)
        let series = try #require(grouped.firstIndex { $0.name.hasSuffix("-Daily.appt") })
        #expect(try Self.metadata(grouped[series - 1].bytes).metadata["nc"] == .integer(2))
        // A budget smaller than the calendar: the series goes out before its exception arrives.
        let log = DiagnosticLog()
        let outcomes = try Self.writeArchive(items, to: dir + "/split.tgz", log: log, budget: 2048)
        #expect(outcomes.allSatisfy { $0 == .written })
        #expect(log.diagnostics.filter { $0.code == "zimbra.calendar-split" }.count == 1)
        let back = try readAll(ZimbraArchiveReader(source: try FileSource(path: dir + "/split.tgz"), options: ReadOptions(),
                                                   log: DiagnosticLog()))
        #expect(Set(Self.objects(back).keys) == Set(Self.objects(items).keys))
    }

    /// Generated calendars: series with RRULE/RDATE/EXDATE, exceptions placed anywhere in the file,
    /// alarms, X- properties, tasks, floating/UTC/zoned/all-day times. Everything reads back as it was,
    /// one item per UID whose invites match the blob's parts.
    @Test(arguments: [1 as UInt64, 2, 3])
    func generatedCalendarsRoundTrip(_ seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let zone = "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
            + "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n"
            + "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\n"
            + "TZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
        var components: [String] = []
        var expectedInvites: [String: Int] = [:]
        for i in 0..<40 {
            let uid = "gen-\(seed)-\(i)@example.org"
            let day = String(format: "%02d", 1 + rng.below(28))
            let start: String
            switch rng.below(4) {
            case 0: start = "DTSTART;TZID=Europe/Paris:202403\(day)T090000"
            case 1: start = "DTSTART:202403\(day)T090000Z"
            case 2: start = "DTSTART;VALUE=DATE:202403\(day)"
            default: start = "DTSTART:202403\(day)T090000"
            }
            let isTask = rng.chance(15)
            var c = "BEGIN:\(isTask ? "VTODO" : "VEVENT")\r\nUID:\(uid)\r\nDTSTAMP:20240101T000000Z\r\n\(start)\r\n"
            c += "SUMMARY:Item \(i) — \(rng.pick(["plain", "Ünïcødé", "emoji 🎉", "comma\\, semi\\;"]))\r\n"
            if !isTask && rng.chance(60) { c += "DURATION:PT\(1 + rng.below(3))H\r\n" }
            if rng.chance(50) { c += "X-GEN-\(rng.below(5));X-P=\"a:b\":value \(i)\r\n" }
            if rng.chance(40) { c += "CATEGORIES:One,Two\r\n" }
            let recurring = !isTask && rng.chance(60)
            if recurring {
                c += "RRULE:\(rng.pick(["FREQ=DAILY;COUNT=10", "FREQ=WEEKLY;BYDAY=MO,WE", "FREQ=MONTHLY;BYMONTHDAY=-1"]))\r\n"
                if rng.chance(40) { c += "EXDATE:20240401T090000Z\r\n" }
                if rng.chance(20) { c += "RDATE;VALUE=DATE:20240501,20240502\r\n" }
                if rng.chance(20) { c += "RDATE;VALUE=PERIOD:20240601T090000Z/PT2H,20240602T090000Z/20240602T100000Z\r\n" }
            }
            if rng.chance(30) { c += "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Ding\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n" }
            c += "END:\(isTask ? "VTODO" : "VEVENT")\r\n"
            components.append(c)
            expectedInvites[uid] = 1
            if recurring {
                for k in 0..<rng.below(3) {
                    components.append("BEGIN:VEVENT\r\nUID:\(uid)\r\nDTSTAMP:20240101T000000Z\r\n"
                        + "RECURRENCE-ID:202404\(String(format: "%02d", 10 + k))T090000Z\r\n"
                        + "DTSTART:202404\(String(format: "%02d", 10 + k))T110000Z\r\nSUMMARY:Moved \(k)\r\nEND:VEVENT\r\n")
                    expectedInvites[uid, default: 1] += 1
                }
            }
        }
        components.shuffle(using: &rng)
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ferry tests//Generated//EN\r\n" + zone
            + components.joined() + "END:VCALENDAR\r\n"
        let items = try readAll(IcsReader(source: MemorySource(Array(ics.utf8), name: "gen.ics"), options: ReadOptions(),
                                          log: DiagnosticLog()))
        #expect(items.count == components.count)
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Self.writeArchive(items, to: dir + "/gen.tgz").allSatisfy { $0 == .written })
        let back = try readAll(ZimbraArchiveReader(source: try FileSource(path: dir + "/gen.tgz"), options: ReadOptions(),
                                                   log: DiagnosticLog()))
        let before = Self.objects(items), after = Self.objects(back)
        #expect(Set(before.keys) == Set(after.keys))
        for (key, original) in before {
            #expect(after[key].map { Self.signature($0.component) } == Self.signature(original.component), "\(key)")
        }
        let entries = try Self.entries(dir + "/gen.tgz")
        #expect(entries.count == 2 * expectedInvites.count)
        var periods = 0
        defer { #expect(periods > 0 || !ics.contains("VALUE=PERIOD")) }
        for pair in stride(from: 0, to: entries.count, by: 2) {
            let (_, metadata) = try Self.metadata(entries[pair].bytes)
            guard case .string(let uid)? = metadata["u"], let invites = expectedInvites[uid] else {
                Issue.record("no UID in \(entries[pair].name)"); continue
            }
            #expect(metadata["nc"] == .integer(Int64(invites)))
            // RDATE periods as Period.encodeMetadata writes them.
            if let adds = metadata["inv0"]?["recurrence"]?["add"], case .dictionary(let rules) = adds {
                for rule in rules.map(\.value) where rule["rexd"]?["vt"] == .string("p") {
                    #expect(rule["rexd"]?["v0"] == .dictionary([("dts", .string("20240601T090000Z")), ("dur", .string("PT2H"))]))
                    #expect(rule["rexd"]?["v1"] == .dictionary([("dte", .string("20240602T100000Z")), ("dts", .string("20240602T090000Z"))]))
                    periods += 1
                }
            }
            // Keys at every level in Zimbra's order (Metadata is a TreeMap).
            #expect(metadata.sorted() == metadata, "\(uid)")
            let blob = entries[pair + 1].bytes
            let message = try MIMEParser().parse(MemorySource(blob, name: "blob"), sizeHint: blob.count)
            let invIds = message.root.children.map { $0.header.text("invId") ?? "" }
            let mids = (0..<invites).map { n -> String in
                if case .integer(let mid)? = metadata["inv\(n)"]?["mid"] { return String(mid) }
                return "?"
            }
            #expect(invIds == mids, "\(uid)")
            #expect(metadata["inv0"]?["rid"] == nil, "the master comes first: \(uid)")
        }
    }

    @Test func subjectsAreEncodedWordsAndBencodeCountsUTF16() throws {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:emoji\r\nDTSTAMP:20240101T000000Z\r\n"
            + "DTSTART:20240108T090000Z\r\nSUMMARY:Café 📅 planning\r\nLOCATION:Zürich\r\nCATEGORIES:Work,Team\\, core\r\n"
            + "END:VEVENT\r\nEND:VCALENDAR\r\n"
        let items = try readAll(IcsReader(source: MemorySource(Array(ics.utf8), name: "x.ics"), options: ReadOptions(),
                                          log: DiagnosticLog()))
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.writeArchive(items, to: dir + "/cal.zip", container: .zip)
        let entries = try Self.entries(dir + "/cal.zip")
        #expect(entries.count == 2)
        let (meta, metadata) = try Self.metadata(entries[0].bytes)
        #expect(meta.string("subject") == "Café 📅 planning")
        // 📅 is two UTF-16 units: "Café 📅 planning" is 16 units long in Zimbra's bencode.
        #expect(meta.string("metadata")?.contains("1:n16:Café 📅 planning") == true)
        let invite = try #require(metadata["inv0"])
        #expect(invite["l"] == .string("Zürich"))
        #expect(invite["numCat"] == .integer(2))
        #expect(invite["cat1"] == .string("Team, core"))
        let blob = String(decoding: entries[1].bytes, as: UTF8.self)
        #expect(blob.contains("Subject: =?UTF-8?B?"))
        let back = try readAll(ZimbraArchiveReader(source: try FileSource(path: dir + "/cal.zip"), options: ReadOptions(),
                                                   log: DiagnosticLog()))
        let object = try #require(back.first?.payload as? CalendarObject)
        #expect(object.component.property("SUMMARY")?.textValue == "Café 📅 planning")
    }

    /// A Zimbra folder has one view: the tasks of a calendar that also holds events get a task list.
    @Test func tasksOfAnAppointmentFolderGetTheirOwnList() throws {
        let items = try Self.readIcs("zimbra.ics").map { item -> Item in
            var copy = item
            copy.metadata.folder = "Work"
            return copy
        }
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = DiagnosticLog()
        _ = try Self.writeArchive(items, to: dir + "/cal.tgz", log: log)
        let names = try Self.entries(dir + "/cal.tgz").map(\.name).filter { !$0.hasSuffix(".meta") }
        #expect(names.filter { $0.hasPrefix("Work/") && $0.hasSuffix(".appt") }.count == 2, "\(names)")
        #expect(names.filter { $0.hasPrefix("Work Tasks/") && $0.hasSuffix(".task") }.count == 1, "\(names)")
        #expect(log.diagnostics.filter { $0.code == "zimbra.task-folder" }.count == 1)
        let back = try readAll(ZimbraArchiveReader(source: try FileSource(path: dir + "/cal.tgz"), options: ReadOptions(),
                                                   log: DiagnosticLog()))
        #expect(back.filter { $0.kind == .task }.map(\.metadata.folder) == ["Work Tasks"])
        #expect(back.filter { $0.kind == .calendar }.allSatisfy { $0.metadata.folder == "Work" })
    }

    /// The writer keeps one zone table for the archive (each zone's rules worked out once); a later
    /// VTIMEZONE with the same TZID but other rules replaces the earlier one for the items after it.
    @Test func aZoneRedefinedUnderTheSameTZIDIsUsedForItsOwnItems() throws {
        func calendar(_ uid: String, offset: String) -> String {
            ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
             "BEGIN:VTIMEZONE", "TZID:Office", "BEGIN:STANDARD", "DTSTART:19700101T000000",
             "TZOFFSETFROM:\(offset)", "TZOFFSETTO:\(offset)", "END:STANDARD", "END:VTIMEZONE",
             "BEGIN:VEVENT", "UID:\(uid)", "DTSTAMP:20240101T000000Z", "DTSTART;TZID=Office:20240610T090000",
             "DTEND;TZID=Office:20240610T100000", "SUMMARY:\(uid)", "END:VEVENT", "END:VCALENDAR", ""].joined(separator: "\r\n")
        }
        var items: [Item] = []
        for (uid, offset) in [("east", "+0500"), ("west", "+0100"), ("east-again", "+0500")] {
            let source = MemorySource(Array(calendar(uid, offset: offset).utf8), name: uid + ".ics")
            items += try readAll(IcsReader(source: source, options: ReadOptions(), log: DiagnosticLog()))
        }
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.writeArchive(items, to: dir + "/cal.tgz")
        var offsets: [String: BencodeValue] = [:]
        var starts: [String: BencodeValue] = [:]
        for entry in try Self.entries(dir + "/cal.tgz") where entry.name.hasSuffix(".appt.meta") {
            let (meta, metadata) = try Self.metadata(entry.bytes)
            let invite = try #require(metadata["inv0"])
            offsets[meta.string("subject") ?? ""] = invite["tzm"]?["#0"]?["so"]
            starts[meta.string("subject") ?? ""] = metadata["aps"]
        }
        #expect(offsets["east"] == .integer(18_000_000))
        #expect(offsets["west"] == .integer(3_600_000))
        #expect(offsets["east-again"] == .integer(18_000_000))
        // 09:00 at +05:00 is 04:00Z, at +01:00 08:00Z.
        #expect(starts["east"] == .integer(1_717_992_000_000))
        #expect(starts["west"] == .integer(1_718_006_400_000))
    }

    @Test func journalsAreSkippedWithAReason() throws {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VJOURNAL\r\nUID:j\r\nDTSTAMP:20240101T000000Z\r\n"
            + "SUMMARY:Notes\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n"
        let items = try readAll(IcsReader(source: MemorySource(Array(ics.utf8), name: "x.ics"), options: ReadOptions(),
                                          log: DiagnosticLog()))
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outcomes = try Self.writeArchive(items, to: dir + "/cal.tgz")
        guard case .skipped(let reason)? = outcomes.first else { Issue.record("not skipped: \(outcomes)"); return }
        #expect(reason.contains("VJOURNAL"))
    }
}
