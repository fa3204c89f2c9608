import Foundation
import Testing
@testable import FerryCore

@Suite struct TimeSpecTests {
    /// 2024-03-30 12:00 in Berlin (CET, the day before the spring DST change).
    let berlin = TimeZone(identifier: "Europe/Berlin")!
    var context: TimeContext { TimeContext(now: date("2024-03-30T11:00:00Z"), timeZone: berlin) }

    func date(_ iso: String) -> Date {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: iso)!
    }

    func parse(_ text: String, _ ctx: TimeContext? = nil) throws -> Date {
        try TimeSpec.parse(text, in: ctx ?? context)
    }

    @Test func epochMilliseconds() throws {
        #expect(try parse("0") == Date(timeIntervalSince1970: 0))
        #expect(try parse("7") == Date(timeIntervalSince1970: 0.007))   // 7 ms, never 7 days
        #expect(try parse("20240101") == Date(timeIntervalSince1970: 20_240.101))  // a number, not a date
        #expect(try parse("1700000000000") == date("2023-11-14T22:13:20Z"))
        #expect(throws: FerryError.self) { try parse("99999999999999999999") }
    }

    @Test func absoluteDatesAreLocalMidnight() throws {
        #expect(try parse("1989/12/25") == date("1989-12-24T23:00:00Z"))
        #expect(try parse("2024-01-05") == date("2024-01-04T23:00:00Z"))
        #expect(try parse("2024/1/5") == date("2024-01-04T23:00:00Z"))
        #expect(try parse("2024/01-05") == date("2024-01-04T23:00:00Z"))  // separators may be mixed
        #expect(try parse("12/25/1998") == date("1998-12-24T23:00:00Z"))  // US order
        #expect(try parse("7/4/2024") == date("2024-07-03T22:00:00Z"))    // summer time: UTC+2
        #expect(try parse("2024-07-01", TimeContext(now: Date(), timeZone: TimeZone(identifier: "America/New_York")!))
                == date("2024-07-01T04:00:00Z"))
    }

    @Test func impossibleDatesAreErrorsNotRollovers() throws {
        for bad in ["2024-13-01", "2024-02-30", "2023-02-29", "13/01/2024", "2024-00-10", "2024-01-00"] {
            #expect(throws: FerryError.self, "\(bad)") { try parse(bad) }
        }
        #expect(try parse("2024-02-29") == date("2024-02-28T23:00:00Z"))  // leap day exists
    }

    @Test func relativeExamplesFromTheReference() throws {
        let now = context.now
        let day: TimeInterval = 86_400
        // Wall-clock days: 2024-03-31 has 23 hours in Berlin.
        #expect(try parse("1day") == date("2024-03-31T10:00:00Z"))
        #expect(try parse("+1day") == date("2024-03-31T10:00:00Z"))
        #expect(try parse("p1day") == date("2024-03-31T10:00:00Z"))
        #expect(try parse("+2days") == date("2024-04-01T10:00:00Z"))
        #expect(try parse("-2days") == now.addingTimeInterval(-2 * day))
        #expect(try parse("+60mi") == now.addingTimeInterval(3600))
        #expect(try parse("+60minute") == now.addingTimeInterval(3600))
        #expect(try parse("-60mi") == now.addingTimeInterval(-3600))
        #expect(try parse("+1week") == date("2024-04-06T10:00:00Z"))
        #expect(try parse("m3weeks") == now.addingTimeInterval(-21 * day))
        #expect(try parse("p10day") == date("2024-04-09T10:00:00Z"))
        #expect(try parse("0day") == now)
        #expect(try parse("+6mon") == date("2024-09-30T10:00:00Z"))
        #expect(try parse("+1month") == date("2024-04-30T10:00:00Z"))
        #expect(try parse("1year") == date("2025-03-30T10:00:00Z"))   // 2025-03-30 is itself a DST day
    }

    @Test func missingUnitMeansDays() throws {
        #expect(try parse("+7") == date("2024-04-06T10:00:00Z"))
        #expect(try parse("p7") == date("2024-04-06T10:00:00Z"))
        #expect(try parse("-7") == date("2024-03-23T11:00:00Z"))
        #expect(try parse("m7") == date("2024-03-23T11:00:00Z"))
    }

    @Test func onlyTheFirstLetterOfTheUnitCounts() throws {
        #expect(try parse("1dec") == date("2024-03-31T10:00:00Z"))      // d… = days
        #expect(try parse("+1mango") == date("2024-04-30T10:00:00Z"))   // m… = months
        #expect(try parse("+2h") == context.now.addingTimeInterval(7200))
        #expect(try parse("+2hippos") == context.now.addingTimeInterval(7200))
        #expect(try parse("+1y") == date("2025-03-30T10:00:00Z"))
        #expect(try parse("+3mi") == context.now.addingTimeInterval(180))
        #expect(try parse("+3m") == date("2024-06-30T10:00:00Z"))       // bare m = months
    }

    @Test func monthsAndYearsClampTheDayOfMonth() throws {
        let jan31 = TimeContext(now: date("2024-01-31T09:00:00Z"), timeZone: berlin)
        #expect(try parse("+1month", jan31) == date("2024-02-29T09:00:00Z"))
        #expect(try parse("-2months", jan31) == date("2023-11-30T09:00:00Z"))
        let jan31b = TimeContext(now: date("2023-01-31T09:00:00Z"), timeZone: berlin)
        #expect(try parse("+1month", jan31b) == date("2023-02-28T09:00:00Z"))
        let leap = TimeContext(now: date("2024-02-29T09:00:00Z"), timeZone: berlin)
        #expect(try parse("+1year", leap) == date("2025-02-28T09:00:00Z"))
    }

    @Test func daysKeepWallClockAcrossDSTButHoursAreAbsolute() throws {
        // Spring forward in Berlin: 2024-03-31 02:00 → 03:00.
        #expect(try parse("+1day") == date("2024-03-31T10:00:00Z"))        // 12:00 local → 12:00 local
        #expect(try parse("+24hours") == date("2024-03-31T11:00:00Z"))     // 13:00 local
        // Fall back: 2024-10-27 03:00 → 02:00.
        let autumn = TimeContext(now: date("2024-10-26T10:00:00Z"), timeZone: berlin)  // 12:00 CEST
        #expect(try parse("+1day", autumn) == date("2024-10-27T11:00:00Z"))         // 12:00 CET
        #expect(try parse("+1week", autumn) == date("2024-11-02T11:00:00Z"))
        #expect(try parse("-1day", TimeContext(now: date("2024-10-27T11:00:00Z"), timeZone: berlin))
                == date("2024-10-26T10:00:00Z"))
    }

    @Test func overflowAndBadInputAreErrorsListingTheForms() throws {
        let bad = ["", "today", "2Days", "+2Days", "+1.5days", "+1 day", "+1d2h", "+1s", "1week ago",
                   "+2147483648days", "--7", "+-7", "2024/01", "24/01/05", "p", "+", "Z"]
        for text in bad {
            do {
                _ = try parse(text)
                Issue.record("'\(text)' should not parse")
            } catch let error as FerryError {
                #expect(error.kind == .usage)
                #expect(error.diagnostic.message.contains("accepted forms"), "\(text)")
                #expect(error.diagnostic.code == "time.invalid")
            }
        }
        #expect(try parse("+2147483647mi") > context.now)                // fits Int32
        #expect(throws: FerryError.self) { try parse("+2147483647years") }  // out of any calendar
    }

    @Test func iso8601Forms() throws {
        #expect(try parse("2024-03-31T14:00:00Z") == date("2024-03-31T14:00:00Z"))
        #expect(try parse("2024-03-31T14:00:00+02:00") == date("2024-03-31T12:00:00Z"))
        #expect(try parse("2024-03-31T14:00:00-0500") == date("2024-03-31T19:00:00Z"))
        #expect(try parse("2024-03-31T14:00") == date("2024-03-31T12:00:00Z"))   // local (Berlin, CEST)
        #expect(try parse("2024-03-31 14:00:30") == date("2024-03-31T12:00:30Z"))
        #expect(try parse("2024-03-31T14:00:00.250Z") == date("2024-03-31T14:00:00Z").addingTimeInterval(0.25))
        #expect(throws: FerryError.self) { try parse("2024-03-31T25:00") }
        #expect(throws: FerryError.self) { try parse("2024-02-30T10:00Z") }
    }

    @Test func contextFromOptions() throws {
        let ctx = try TimeContext.from(now: "2024-03-30T12:00:00+01:00", tz: "Europe/Berlin")
        #expect(ctx.now == date("2024-03-30T11:00:00Z"))
        #expect(ctx.timeZone.identifier == "Europe/Berlin")
        #expect(throws: FerryError.self) { try TimeContext.from(now: nil, tz: "Not/AZone") }
        #expect(throws: FerryError.self) { try TimeContext.from(now: "yesterday-ish", tz: nil) }
    }

    @Test func rangesRejectReversedEnds() throws {
        let range = try TimeRange.from(start: "-7days", end: "+2weeks", in: context)
        #expect(range.start == date("2024-03-23T11:00:00Z"))
        #expect(range.end == date("2024-04-13T10:00:00Z"))
        #expect(throws: FerryError.self) { try TimeRange.from(start: "+1day", end: "-1day", in: context) }
        #expect(range.overlaps(from: date("2024-03-20T00:00:00Z"), to: date("2024-03-24T00:00:00Z")))
        #expect(!range.overlaps(from: date("2024-03-20T00:00:00Z"), to: date("2024-03-23T11:00:00Z")))
        #expect(!range.overlaps(from: date("2024-04-13T10:00:00Z"), to: date("2024-04-14T00:00:00Z")))
        #expect(range.contains(date("2024-03-23T11:00:00Z")))
    }
}
