import FerryCalendar
import FerryCore
import FerryText
import Foundation
import Testing

/// RFC 5545's America/New_York VTIMEZONE (§3.6.5 example shape), with the pre-2007 and current US rules,
/// so the 1997 examples of §3.8.5.3 fall on the dates the RFC lists.
let newYorkVTIMEZONE = """
BEGIN:VTIMEZONE
TZID:America/New_York
LAST-MODIFIED:20050809T050000Z
BEGIN:DAYLIGHT
DTSTART:19670430T020000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=-1SU;UNTIL=19730429T070000Z
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:19671029T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20061029T060000Z
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19870405T020000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
END:DAYLIGHT
BEGIN:DAYLIGHT
DTSTART:20070311T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20071104T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
END:STANDARD
END:VTIMEZONE
"""

/// Parses a calendar text (LF in the literal, CRLF on the wire) into its components.
func components(_ text: String) throws -> [Component] {
    let parser = CalendarParser(source: MemorySource(text.replacingOccurrences(of: "\n", with: "\r\n"))) { _, code, msg, line, _ in
        Issue.record("unexpected diagnostic \(code) line \(line): \(msg)")
    }
    var result: [Component] = []
    while let event = try parser.next() {
        if case .component(let c) = event { result.append(c) }
    }
    return result
}

/// Expands an event of the RFC examples (TZID America/New_York) and returns local start times.
func rfcInstances(start: String, rule: String, extra: String = "", limit: Int = 40) throws -> [String] {
    let text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + newYorkVTIMEZONE + "\n"
        + "BEGIN:VEVENT\nUID:x\nDTSTAMP:19970901T000000Z\nDTSTART;TZID=America/New_York:\(start)\n"
        + (rule.isEmpty ? "" : "RRULE:\(rule)\n") + extra + "END:VEVENT\nEND:VCALENDAR\n"
    let all = try components(text)
    let zones = TimeZoneTable(floating: TimeZone(identifier: "UTC")!)
    zones.add(all[0])
    let ny = zones.rules(for: "America/New_York")!
    #expect(ny.source == .vtimezone)
    var expander = InstanceExpander(zones: zones)
    expander.maxInstances = limit + 10
    let expansion = try expander.expand(all[1])
    return expansion.instances.prefix(limit).map { LocalDateTime(seconds: ny.rules.local(fromUTC: $0.start)).basicFormat }
}

/// Builds expected instances as `YYYYMMDDT090000` from (year, month, [days]) groups.
func days(_ groups: [(Int, Int, [Int])], time: String = "090000") -> [String] {
    groups.flatMap { y, m, ds in ds.map { String(format: "%04d%02d%02dT", y, m, $0) + time } }
}

@Suite struct RFC5545RecurrenceExamples {
    // Each expectation is the instance list printed in RFC 5545 §3.8.5.3.

    @Test func dailyForTenOccurrences() throws {
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=DAILY;COUNT=10")
                == days([(1997, 9, Array(2...11))]))
    }

    @Test func dailyUntilDecember24() throws {
        let r = try rfcInstances(start: "19970902T090000", rule: "FREQ=DAILY;UNTIL=19971224T000000Z", limit: 200)
        #expect(r.count == 113)
        #expect(r.first == "19970902T090000")
        #expect(r.last == "19971223T090000")
    }

    @Test func everyTenDaysFiveOccurrences() throws {
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=DAILY;INTERVAL=10;COUNT=5")
                == days([(1997, 9, [2, 12, 22]), (1997, 10, [2, 12])]))
    }

    @Test func everyDayInJanuaryForThreeYears() throws {
        let expected = days([(1998, 1, Array(1...31)), (1999, 1, Array(1...31)), (2000, 1, Array(1...31))])
        #expect(try rfcInstances(start: "19980101T090000",
                                 rule: "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
                                 limit: 200) == expected)
        #expect(try rfcInstances(start: "19980101T090000", rule: "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
                                 limit: 200) == expected)
    }

    @Test func weeklyForTenOccurrences() throws {
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=WEEKLY;COUNT=10")
                == days([(1997, 9, [2, 9, 16, 23, 30]), (1997, 10, [7, 14, 21, 28]), (1997, 11, [4])]))
    }

    @Test func weeklyOnTuesdayAndThursdayForFiveWeeks() throws {
        let expected = days([(1997, 9, [2, 4, 9, 11, 16, 18, 23, 25, 30]), (1997, 10, [2])])
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH") == expected)
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH") == expected)
    }

    @Test func everyOtherWeekMondayWednesdayFriday() throws {
        #expect(try rfcInstances(start: "19970901T090000",
                                 rule: "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR", limit: 100)
                == days([(1997, 9, [1, 3, 5, 15, 17, 19, 29]), (1997, 10, [1, 3, 13, 15, 17, 27, 29, 31]),
                         (1997, 11, [10, 12, 14, 24, 26, 28]), (1997, 12, [8, 10, 12, 22])]))
    }

    @Test func everyOtherWeekTuesdayThursdayEightTimes() throws {
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH")
                == days([(1997, 9, [2, 4, 16, 18, 30]), (1997, 10, [2, 14, 16])]))
    }

    @Test func monthlyOnFirstFriday() throws {
        #expect(try rfcInstances(start: "19970905T090000", rule: "FREQ=MONTHLY;COUNT=10;BYDAY=1FR")
                == days([(1997, 9, [5]), (1997, 10, [3]), (1997, 11, [7]), (1997, 12, [5]), (1998, 1, [2]),
                         (1998, 2, [6]), (1998, 3, [6]), (1998, 4, [3]), (1998, 5, [1]), (1998, 6, [5])]))
    }

    @Test func everyOtherMonthFirstAndLastSunday() throws {
        #expect(try rfcInstances(start: "19970907T090000", rule: "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU")
                == days([(1997, 9, [7, 28]), (1997, 11, [2, 30]), (1998, 1, [4, 25]), (1998, 3, [1, 29]), (1998, 5, [3, 31])]))
    }

    @Test func monthlySecondToLastMonday() throws {
        #expect(try rfcInstances(start: "19970922T090000", rule: "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO")
                == days([(1997, 9, [22]), (1997, 10, [20]), (1997, 11, [17]), (1997, 12, [22]), (1998, 1, [19]), (1998, 2, [16])]))
    }

    @Test func monthlyThirdToLastDay() throws {
        #expect(try rfcInstances(start: "19970928T090000", rule: "FREQ=MONTHLY;BYMONTHDAY=-3", limit: 6)
                == days([(1997, 9, [28]), (1997, 10, [29]), (1997, 11, [28]), (1997, 12, [29]), (1998, 1, [29]), (1998, 2, [26])]))
    }

    @Test func monthlyFirstAndLastDay() throws {
        #expect(try rfcInstances(start: "19970930T090000", rule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1")
                == days([(1997, 9, [30]), (1997, 10, [1, 31]), (1997, 11, [1, 30]), (1997, 12, [1, 31]), (1998, 1, [1, 31]),
                         (1998, 2, [1])]))
    }

    @Test func every18MonthsOnTenthToFifteenth() throws {
        #expect(try rfcInstances(start: "19970910T090000", rule: "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15")
                == days([(1997, 9, [10, 11, 12, 13, 14, 15]), (1999, 3, [10, 11, 12, 13])]))
    }

    @Test func yearlyInJuneAndJuly() throws {
        #expect(try rfcInstances(start: "19970610T090000", rule: "FREQ=YEARLY;COUNT=10;BYMONTH=6,7")
                == (1997...2001).flatMap { days([($0, 6, [10]), ($0, 7, [10])]) })
    }

    @Test func everyOtherYearJanuaryToMarch() throws {
        #expect(try rfcInstances(start: "19970310T090000", rule: "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3")
                == days([(1997, 3, [10]), (1999, 1, [10]), (1999, 2, [10]), (1999, 3, [10]), (2001, 1, [10]), (2001, 2, [10]),
                         (2001, 3, [10]), (2003, 1, [10]), (2003, 2, [10]), (2003, 3, [10])]))
    }

    @Test func everyThirdYearOnYearDays() throws {
        #expect(try rfcInstances(start: "19970101T090000", rule: "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200")
                == days([(1997, 1, [1]), (1997, 4, [10]), (1997, 7, [19]), (2000, 1, [1]), (2000, 4, [9]), (2000, 7, [18]),
                         (2003, 1, [1]), (2003, 4, [10]), (2003, 7, [19]), (2006, 1, [1])]))
    }

    @Test func twentiethMondayAndWeekTwenty() throws {
        #expect(try rfcInstances(start: "19970519T090000", rule: "FREQ=YEARLY;BYDAY=20MO", limit: 3)
                == days([(1997, 5, [19]), (1998, 5, [18]), (1999, 5, [17])]))
        #expect(try rfcInstances(start: "19970512T090000", rule: "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", limit: 3)
                == days([(1997, 5, [12]), (1998, 5, [11]), (1999, 5, [17])]))
    }

    @Test func thursdaysInMarchAndSummer() throws {
        #expect(try rfcInstances(start: "19970313T090000", rule: "FREQ=YEARLY;BYMONTH=3;BYDAY=TH", limit: 11)
                == days([(1997, 3, [13, 20, 27]), (1998, 3, [5, 12, 19, 26]), (1999, 3, [4, 11, 18, 25])]))
        #expect(try rfcInstances(start: "19970605T090000", rule: "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", limit: 13)
                == days([(1997, 6, [5, 12, 19, 26]), (1997, 7, [3, 10, 17, 24, 31]), (1997, 8, [7, 14, 21, 28])]))
    }

    @Test func fridayThe13thWithExdate() throws {
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
                                 extra: "EXDATE;TZID=America/New_York:19970902T090000\n", limit: 5)
                == days([(1998, 2, [13]), (1998, 3, [13]), (1998, 11, [13]), (1999, 8, [13]), (2000, 10, [13])]))
    }

    @Test func firstSaturdayAfterFirstSunday() throws {
        #expect(try rfcInstances(start: "19970913T090000", rule: "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", limit: 10)
                == days([(1997, 9, [13]), (1997, 10, [11]), (1997, 11, [8]), (1997, 12, [13]), (1998, 1, [10]), (1998, 2, [7]),
                         (1998, 3, [7]), (1998, 4, [11]), (1998, 5, [9]), (1998, 6, [13])]))
    }

    @Test func presidentialElectionDay() throws {
        #expect(try rfcInstances(start: "19961105T090000", rule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
                                 limit: 3) == days([(1996, 11, [5]), (2000, 11, [7]), (2004, 11, [2])]))
    }

    @Test func bySetPos() throws {
        #expect(try rfcInstances(start: "19970904T090000", rule: "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3")
                == days([(1997, 9, [4]), (1997, 10, [7]), (1997, 11, [6])]))
        #expect(try rfcInstances(start: "19970929T090000", rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", limit: 7)
                == days([(1997, 9, [29]), (1997, 10, [30]), (1997, 11, [27]), (1997, 12, [30]), (1998, 1, [29]), (1998, 2, [26]),
                         (1998, 3, [30])]))
    }

    @Test func minutelyAndHourly() throws {
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=MINUTELY;INTERVAL=15;COUNT=6")
                == ["090000", "091500", "093000", "094500", "100000", "101500"].map { "19970902T" + $0 })
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=MINUTELY;INTERVAL=90;COUNT=4")
                == ["090000", "103000", "120000", "133000"].map { "19970902T" + $0 })
        let everyTwenty = (9...16).flatMap { h in [0, 20, 40].map { String(format: "19970902T%02d%02d00", h, $0) } }
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
                                 limit: 24) == everyTwenty)
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
                                 limit: 24) == everyTwenty)
    }

    @Test func weekStartChangesTheResult() throws {
        #expect(try rfcInstances(start: "19970805T090000", rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO")
                == days([(1997, 8, [5, 10, 19, 24])]))
        #expect(try rfcInstances(start: "19970805T090000", rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU")
                == days([(1997, 8, [5, 17, 19, 31])]))
    }

    @Test func invalidDatesAreSkipped() throws {
        #expect(try rfcInstances(start: "20070115T090000", rule: "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5")
                == days([(2007, 1, [15, 30]), (2007, 2, [15]), (2007, 3, [15, 30])]))
    }

    @Test func rdateAddsInstances() throws {
        #expect(try rfcInstances(start: "19970902T090000", rule: "FREQ=DAILY;COUNT=2",
                                 extra: "RDATE;TZID=America/New_York:19970910T090000,19970911T100000\n")
                == ["19970902T090000", "19970903T090000", "19970910T090000", "19970911T100000"])
    }

    @Test func runawayRuleIsCutOffAndReported() throws {
        // February 30th never happens: the iterator must stop and say so.
        let all = try components("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTAMP:20240101T000000Z\n"
                                 + "DTSTART:20240101T090000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\nEND:VCALENDAR\n")
        let expansion = try InstanceExpander(zones: TimeZoneTable()).expand(all[0])
        #expect(expansion.instances.count == 1, "only DTSTART")
        #expect(expansion.truncated)
        var capped = InstanceExpander(zones: TimeZoneTable())
        capped.maxInstances = 500
        let daily = try components("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:y\nDTSTAMP:20240101T000000Z\n"
                                   + "DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY\nEND:VEVENT\nEND:VCALENDAR\n")
        let forever = try capped.expand(daily[0])
        #expect(forever.truncated)
        #expect(forever.instances.count == 500)
    }
}

@Suite struct TimeZoneTests {
    @Test func dstAcrossNewYorkFromVTIMEZONE() throws {
        // Weekly 09:00 New York across the 1997-10-26 change: 13:00Z before, 14:00Z after.
        let all = try components("BEGIN:VCALENDAR\n" + newYorkVTIMEZONE + "\n" + "BEGIN:VEVENT\nUID:x\nDTSTAMP:19970901T000000Z\n"
                                 + "DTSTART;TZID=America/New_York:19971021T090000\nDTEND;TZID=America/New_York:19971021T100000\n"
                                 + "RRULE:FREQ=WEEKLY;COUNT=2\nEND:VEVENT\nEND:VCALENDAR\n")
        let zones = TimeZoneTable()
        zones.add(all[0])
        let instances = try InstanceExpander(zones: zones).expand(all[1]).instances
        #expect(instances.map { FreeBusyMerge.utcString($0.start) } == ["19971021T130000Z", "19971028T140000Z"])
        #expect(instances.allSatisfy { $0.end - $0.start == 3600 })
    }

    @Test func dstAcrossBerlinFromIANAAndFromVTIMEZONEAgree() throws {
        let event = "BEGIN:VEVENT\nUID:x\nDTSTAMP:20240101T000000Z\nDTSTART;TZID=Europe/Berlin:20240326T093000\n"
            + "RRULE:FREQ=WEEKLY;COUNT=2\nEND:VEVENT\n"
        let iana = try components("BEGIN:VCALENDAR\n" + event + "END:VCALENDAR\n")
        let fromIANA = try InstanceExpander(zones: TimeZoneTable()).expand(iana[0]).instances.map { FreeBusyMerge.utcString($0.start) }
        #expect(fromIANA == ["20240326T083000Z", "20240402T073000Z"])
        let google = try String(contentsOf: fixture("google.ics"), encoding: .utf8)
        let vtimezone = try components(google.replacingOccurrences(of: "\r\n", with: "\n")).first { $0.name == "VTIMEZONE" }!
        let zones = TimeZoneTable()
        zones.add(vtimezone)
        #expect(zones.rules(for: "Europe/Berlin")?.source == .vtimezone)
        let withVTZ = try InstanceExpander(zones: zones).expand(iana[0]).instances.map { FreeBusyMerge.utcString($0.start) }
        #expect(withVTZ == fromIANA)
    }

    @Test func gapsAndOverlapsFollowRFC5545() throws {
        let zones = TimeZoneTable()
        let ny = zones.rules(for: "America/New_York")!.rules
        // 02:30 on 2024-03-10 does not exist: read with the offset before the gap (EST) → 07:30Z.
        #expect(ny.utc(fromLocal: LocalDateTime(year: 2024, month: 3, day: 10, hour: 2, minute: 30).seconds)
                == LocalDateTime(year: 2024, month: 3, day: 10, hour: 7, minute: 30).seconds)
        // 01:30 on 2024-11-03 happens twice: the first (EDT) → 05:30Z.
        #expect(ny.utc(fromLocal: LocalDateTime(year: 2024, month: 11, day: 3, hour: 1, minute: 30).seconds)
                == LocalDateTime(year: 2024, month: 11, day: 3, hour: 5, minute: 30).seconds)
        // The same through a VTIMEZONE.
        let vtz = try components("BEGIN:VCALENDAR\n" + newYorkVTIMEZONE + "\n" + "END:VCALENDAR\n")[0]
        let rules = try VTimeZoneRules(vtz)
        #expect(rules.utc(fromLocal: LocalDateTime(year: 2024, month: 3, day: 10, hour: 2, minute: 30).seconds)
                == LocalDateTime(year: 2024, month: 3, day: 10, hour: 7, minute: 30).seconds)
        #expect(rules.utc(fromLocal: LocalDateTime(year: 2024, month: 11, day: 3, hour: 1, minute: 30).seconds)
                == LocalDateTime(year: 2024, month: 11, day: 3, hour: 5, minute: 30).seconds)
    }

    @Test func windowsAndVendorZoneNamesResolve() {
        #expect(TimeZoneTable.systemZone(named: "W. Europe Standard Time")?.zone.identifier == "Europe/Berlin")
        #expect(TimeZoneTable.systemZone(named: "W. Europe Standard Time")?.windows == true)
        #expect(TimeZoneTable.systemZone(named: "/freeassociation.sourceforge.net/Tzfile/Europe/London")?.zone.identifier
                == "Europe/London")
        #expect(TimeZoneTable.systemZone(named: "Custom Office Time") == nil)
    }
}

@Suite struct ValueTests {
    @Test func civilArithmeticRoundTrips() {
        for d in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, day) = civilFromDays(d)
            #expect(daysFromCivil(y, m, day) == d)
        }
        #expect(weekdayOf(days: daysFromCivil(2024, 3, 20)) == 2, "2024-03-20 was a Wednesday")
    }

    @Test func durationsParseAndRejectBadShapes() throws {
        let d = try CalendarDuration.parse(Array("-P1DT2H30M".utf8))
        #expect(d.negative && d.days == 1 && d.hours == 2 && d.minutes == 30)
        #expect(d.totalSeconds == -(86400 + 9000))
        #expect(try CalendarDuration.parse(Array("P2W".utf8)).nominalDays == 14)
        for bad in ["PT1H30", "P1H", "1D", "PT", "P1DT", "PT1M1H"] {
            #expect(throws: ValueError.self, "\(bad)") { try CalendarDuration.parse(Array(bad.utf8)) }
        }
    }

    @Test func periodsAndOffsets() throws {
        let p = try CalendarPeriod.parse(Array("19970101T180000Z/PT5H30M".utf8))
        #expect(p.start.isUTC && p.duration?.hours == 5)
        #expect(try UTCOffset.parse(Array("-0500".utf8)) == -18000)
        #expect(try UTCOffset.parse(Array("+053000".utf8)) == 19800)
        #expect(throws: ValueError.self) { try UTCOffset.parse(Array("-0000".utf8)) }
    }
}

func fixture(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/calendar").appendingPathComponent(name)
}
