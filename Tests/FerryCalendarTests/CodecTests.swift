import FerryCalendar
import FerryCore
import FerryText
import Foundation
import Testing

let producerFixtures = ["google.ics", "outlook.ics", "exchange-no-vtimezone.ics", "zimbra.ics", "evolution.ics",
                        "apple.ics", "thunderbird.ics", "zimbra.ifb", "open-xchange.ifb", "vcalendar-1.0.vcs"]

func readItems(_ bytes: [UInt8], options: ReadOptions = ReadOptions(), maxChunk: Int = .max,
               log: DiagnosticLog = DiagnosticLog()) throws -> [Item] {
    let reader = IcsReader(source: MemorySource(bytes, maxChunk: maxChunk), options: options, log: log)
    var items: [Item] = []
    while let item = try reader.next() { items.append(item) }
    return items
}

func writeItems(_ items: [Item]) throws -> [UInt8] {
    let sink = MemorySink()
    let writer = IcsWriter(sink: sink)
    for item in items { _ = try writer.write(item) }
    try writer.finish()
    return sink.bytes
}

@Suite struct IcsCodecTests {
    @Test(arguments: producerFixtures)
    func unchangedInputIsWrittenBackByteIdentical(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: fixture(name)))
        for chunk in [1, 7, 4096, Int.max] {
            let log = DiagnosticLog()
            let items = try readItems(bytes, maxChunk: chunk, log: log)
            #expect(!items.isEmpty)
            #expect(try writeItems(items) == bytes, "\(name) with chunks of \(chunk)")
            #expect(!log.hasErrors)
        }
    }

    /// An unclosed component at the end of a file, without a final line break, is kept as read; when
    /// it is merged with another calendar, or written out of its file (a Zimbra blob), the next line
    /// must not join its last one (fuzz finding: the UID became `…END:VCALENDAR`).
    @Test func anUnterminatedLastLineDoesNotJoinTheNextOne() throws {
        let broken = Array("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTAMP:20240101T000000Z\r\nUID:tail-uid".utf8)
        let other = Array("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:second\r\nDTSTAMP:20240101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".utf8)
        let first = try readItems(broken)
        #expect(try writeItems(first) == broken, "alone and unchanged: written back as read")
        // Merged with a second input, and alone once its layout is gone (as the Zimbra writer holds it).
        var unplaced = first
        for i in unplaced.indices {
            if var object = unplaced[i].payload as? CalendarObject { object.layout = nil; unplaced[i].payload = object }
        }
        for items in [first + (try readItems(other)), unplaced] {
            let uids = try readItems(try writeItems(items)).compactMap { ($0.payload as? CalendarObject)?.component.uid }
            #expect(uids.first == "tail-uid", "\(uids)")
            #expect(uids.count == items.count)
        }
    }

    /// An unclosed VTIMEZONE at the end of a file is kept as read; written before its event (merged, or
    /// out of its file) it gets its END line, so the event stays an event (fuzz finding: the Zimbra blob
    /// held the event inside the zone, and the event was lost on reading it back).
    @Test func anUnclosedZoneWrittenBeforeItsEventIsClosed() throws {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ev\r\nDTSTAMP:20240101T000000Z\r\n"
            + "DTSTART;TZID=Office:20240610T090000\r\nEND:VEVENT\r\nBEGIN:VTIMEZONE\r\nTZID:Office\r\nBEGIN:STANDARD\r\n"
            + "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100"
        let items = try readItems(Array(text.utf8))
        #expect(try writeItems(items) == Array(text.utf8), "alone and unchanged: written back as read")
        var unplaced = items
        for i in unplaced.indices {
            if var object = unplaced[i].payload as? CalendarObject { object.layout = nil; unplaced[i].payload = object }
        }
        let other = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:second\r\nDTSTAMP:20240101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        for batch in [unplaced, items + (try readItems(Array(other.utf8)))] {
            let back = try readItems(try writeItems(batch))
            let events = back.compactMap { ($0.payload as? CalendarObject) }.filter { $0.component.name == "VEVENT" }
            #expect(events.map { $0.component.uid ?? "" } == batch.compactMap { ($0.payload as? CalendarObject)?.component.uid })
            #expect(events.first?.timeZones.first?.property("TZID")?.textValue
                    == (batch.first?.payload as? CalendarObject)?.timeZones.first?.property("TZID")?.textValue)
        }
        #expect((items.first?.payload as? CalendarObject)?.timeZones.isEmpty == false, "the zone is the event's")
    }

    /// A VTIMEZONE after the last event of its file is kept when that file is merged with another
    /// (it used to count as written with the file's trailing bytes, which a merged calendar drops).
    @Test func aTrailingZoneSurvivesAMerge() throws {
        let first = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ev\r\nDTSTAMP:20240101T000000Z\r\n"
            + "DTSTART;TZID=Office:20240610T090000\r\nEND:VEVENT\r\nBEGIN:VTIMEZONE\r\nTZID:Office\r\nBEGIN:STANDARD\r\n"
            + "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n"
        let second = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:second\r\nDTSTAMP:20240101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let items = try readItems(Array(first.utf8))
        #expect(try writeItems(items) == Array(first.utf8))
        let merged = try readItems(try writeItems(items + (try readItems(Array(second.utf8)))))
        let event = try #require(merged.first?.payload as? CalendarObject)
        #expect(event.component.uid == "ev")
        #expect(event.timeZones.map { $0.property("TZID")?.textValue } == ["Office"])
        #expect(merged.count == 2)
    }

    @Test func oneItemPerTopLevelComponentWithItsTimeZones() throws {
        let items = try readItems(Array(try Data(contentsOf: fixture("google.ics"))))
        let objects = items.map { $0.payload as! CalendarObject }
        #expect(objects.map(\.component.name) == ["VEVENT", "VEVENT", "VEVENT", "VEVENT"])
        #expect(objects[0].timeZones.map { $0.property("TZID")!.textValue } == ["Europe/Berlin"])
        #expect(objects[2].timeZones.isEmpty, "the all-day event references no zone")
        #expect(objects[0].calendar.property("X-WR-CALNAME")?.textValue == "Team Berlin")
        #expect(objects[0].component.property("DESCRIPTION")?.textValue
                == "Weekly stand-up. Agenda:\n1. Blockers\n2. Releases, deploys and the on-call rota; notes in the team document.")
        #expect(objects[3].component.property("LOCATION")?.textValue == "Konferenzraum „Spree“, 2. OG")
        #expect(objects[3].component.components.map(\.name) == ["VALARM"])
        #expect(items[0].metadata.id == "4kd8s0a1v2b3c4d5e6f7g8h9i0@google.com")
        #expect(items[3].kind == .calendar)
        let zimbra = try readItems(Array(try Data(contentsOf: fixture("zimbra.ics"))))
        #expect(zimbra.map(\.kind) == [.calendar, .calendar, .task])
    }

    @Test func vtimezoneAfterItsFirstUseIsAttached() throws {
        // Evolution writes the VTIMEZONE at the end: the event waits for it.
        let items = try readItems(Array(try Data(contentsOf: fixture("evolution.ics"))), maxChunk: 5)
        let event = items[0].payload as! CalendarObject
        #expect(event.timeZones.count == 1)
        #expect(event.timeZones.first?.property("TZID")?.textValue == "/freeassociation.sourceforge.net/Europe/London")
    }

    @Test func mergingTwoCalendarsKeepsReferencedZonesOnce() throws {
        let a = try readItems(Array(try Data(contentsOf: fixture("google.ics"))))
        let b = try readItems(Array(try Data(contentsOf: fixture("thunderbird.ics"))))
        let merged = String(decoding: try writeItems(a + b), as: UTF8.self)
        #expect(merged.components(separatedBy: "BEGIN:VCALENDAR").count == 2)
        #expect(merged.components(separatedBy: "END:VCALENDAR").count == 2)
        #expect(merged.components(separatedBy: "TZID:Europe/Berlin\r\n").count == 2, "one VTIMEZONE for both")
        #expect(merged.components(separatedBy: "BEGIN:VEVENT").count == 6)
        #expect(merged.contains("BEGIN:VTODO"))
        // And the merged calendar is valid.
        let log = DiagnosticLog()
        _ = try CalendarValidator().validate(MemorySource(merged), log: log)
        #expect(!log.hasErrors, "\(log.diagnostics)")
    }

    @Test func timeRangeKeepsComponentsWithAnOverlappingInstance() throws {
        var options = ReadOptions()
        options.timeContext = TimeContext(now: iso("2024-03-20T12:00:00Z"), timeZone: TimeZone(identifier: "Europe/Berlin")!)
        options.timeRange = try TimeRange.from(start: "-7days", end: "+1day", in: options.timeContext)
        let items = try readItems(Array(try Data(contentsOf: fixture("google.ics"))), options: options)
        let summaries = items.map { ($0.payload as! CalendarObject).component.property("SUMMARY")!.textValue }
        // The weekly stand-up (instances on Mar 19), its override (Mar 19) and the Mar 15 planning; not Easter Monday.
        #expect(summaries == ["Stand-up", "Stand-up (moved)", "Quartalsplanung Q2"])
        // Only one end given: no filtering (Zimbra's ics formatter needs both).
        options.timeRange = TimeRange(start: iso("2030-01-01T00:00:00Z"), end: nil)
        #expect(try readItems(Array(try Data(contentsOf: fixture("google.ics"))), options: options).count == 4)
        // A range after the UNTIL drops the stand-up series.
        options.timeRange = TimeRange(start: iso("2024-05-01T00:00:00Z"), end: iso("2024-06-01T00:00:00Z"))
        #expect(try readItems(Array(try Data(contentsOf: fixture("google.ics"))), options: options).isEmpty)
    }

    @Test func filteredOutputIsAWellFormedCalendar() throws {
        var options = ReadOptions()
        options.timeRange = TimeRange(start: iso("2024-03-31T00:00:00Z"), end: iso("2024-04-03T00:00:00Z"))
        let items = try readItems(Array(try Data(contentsOf: fixture("google.ics"))), options: options)
        #expect(items.count == 1, "only the holiday")
        let out = String(decoding: try writeItems(items), as: UTF8.self)
        #expect(out.hasPrefix("BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"))
        #expect(out.hasSuffix("END:VEVENT\r\nEND:VCALENDAR\r\n"))
        #expect(!out.contains("BEGIN:VTIMEZONE"), "the holiday needs no zone")
    }

    @Test func vCalendar10QuotedPrintableIsJoinedAndDecodable() throws {
        let items = try readItems(Array(try Data(contentsOf: fixture("vcalendar-1.0.vcs"))))
        let c = (items[0].payload as! CalendarObject).component
        let description = c.property("DESCRIPTION")!
        #expect(String(decoding: QuotedPrintable.decode(description.value).bytes, as: UTF8.self) == "Kuchen mitbringen\r\nund Kerzen")
        #expect(String(decoding: QuotedPrintable.decode(c.property("SUMMARY")!.value).bytes, as: UTF8.self) == "Geburtstag Müller")
    }

    @Test func brokenComponentsAreKeptAndReported() throws {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nthis is garbage\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nUID:b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let log = DiagnosticLog()
        let items = try readItems(Array(text.utf8), log: log)
        #expect(items.count == 2)
        #expect(log.diagnostics.contains { $0.code == "text.no-colon" && $0.line == 6 })
        #expect(try writeItems(items) == Array(text.utf8), "the garbage line survives")
    }

    @Test func streamingMemoryIsOneComponentAtATime() throws {
        // 20,000 events through a 4 KiB-chunk source: every event comes out, in order, and the reader never
        // needs more than the current component (checked by the count of held objects staying at 2).
        var text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        for i in 0..<20_000 {
            text += "BEGIN:VEVENT\r\nUID:\(i)\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T090000Z\r\nEND:VEVENT\r\n"
        }
        text += "END:VCALENDAR\r\n"
        let reader = IcsReader(source: MemorySource(Array(text.utf8), maxChunk: 4096), options: ReadOptions(), log: DiagnosticLog())
        var n = 0
        while let item = try reader.next() {
            #expect((item.payload as! CalendarObject).component.uid == String(n))
            n += 1
        }
        #expect(n == 20_000)
    }
}

func iso(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }
