@testable import FerryCalendar
import FerryCore
import Foundation
import Testing
import FerryTestSupport

/// The fast pass may only say "valid" when the complete validator reports nothing at all (and counts
/// the same components); anything else must go to the complete validator.
@Suite struct FastValidationTests {
    static let allFixtures = producerFixtures + invalidCases.map { "invalid/" + $0.file } + itipCases.map { "itip/" + $0.file }

    func full(_ bytes: [UInt8]) throws -> (Int, [Diagnostic]) {
        let log = DiagnosticLog()
        let n = try CalendarValidator().validateFully(MemorySource(bytes), log: log)
        return (n, log.diagnostics)
    }

    func checkSound(_ bytes: [UInt8], _ what: String) throws {
        let fast = FastCalendarValidator.run(MemorySource(bytes, maxChunk: 4093))
        // Chunk boundaries anywhere (tiny reads, a chunk that must grow for a line) change nothing.
        #expect(FastCalendarValidator.run(MemorySource(bytes, maxChunk: 7), chunkSize: 32) == fast, "\(what)")
        let (n, diagnostics) = try full(bytes)
        if case .valid(let components) = fast {
            #expect(diagnostics.isEmpty, "fast pass accepted \(what), full check says \(diagnostics.map(\.code))")
            #expect(components == n, "\(what): \(components) components vs \(n)")
        }
    }

    @Test(arguments: allFixtures)
    func fastPassAgreesOnFixtures(_ name: String) throws {
        try checkSound(Array(try Data(contentsOf: fixture(name))), name)
    }

    @Test func invalidFixturesAllGoToTheFullCheck() throws {
        for expected in invalidCases {
            let bytes = Array(try Data(contentsOf: fixture("invalid/" + expected.file)))
            #expect(FastCalendarValidator.run(MemorySource(bytes)) == .needsFullCheck, "\(expected.file)")
        }
    }

    /// Files the complete validator finds clean take the fast path (it is not a rubber stamp that
    /// always defers): every clean producer fixture and iTIP message.
    @Test func cleanProducerFilesTakeTheFastPath() throws {
        var accepted = 0
        for name in producerFixtures + itipCases.filter { $0.code == nil }.map({ "itip/" + $0.file }) {
            let bytes = Array(try Data(contentsOf: fixture(name)))
            let (n, diagnostics) = try full(bytes)
            guard diagnostics.isEmpty else { continue }
            #expect(FastCalendarValidator.run(MemorySource(bytes)) == .valid(components: n), "\(name)")
            accepted += 1
        }
        #expect(accepted >= 6)
        #expect(FastCalendarValidator.run(MemorySource(Array(generatedCalendar.utf8))) == .valid(components: 5))
    }

    /// Mutations of clean files (lines dropped, doubled, swapped; bytes replaced by the characters that
    /// matter to the grammar): whenever the fast pass still says valid, the complete validator agrees.
    @Test func fastPassIsSoundUnderMutation() throws {
        var rng = SplitMix(seed: 0x5EED_CA1E)
        let sources = [Array(generatedCalendar.utf8)] + (try ["google.ics", "apple.ics", "thunderbird.ics", "zimbra.ics",
                                                              "itip/request-valid.ics", "itip/cancel-valid.ics"]
            .map { Array(try Data(contentsOf: fixture($0))) })
        let alphabet: [UInt8] = Array(":;,=\\\" -+TZzP0129WDHMSx\t".utf8) + [0x0D, 0x0A, 0xC3, 0xA9, 0xFF, 0x7F, 0x01]
        var fastAccepted = 0
        for (s, original) in sources.enumerated() {
            for round in 0..<400 {
                var bytes = original
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                switch rng.next() % 5 {
                case 0 where lines.count > 2: lines.remove(at: Int(rng.next() % UInt64(lines.count)))
                case 1: let k = Int(rng.next() % UInt64(lines.count)); lines.insert(lines[k], at: k)
                case 2: lines.swapAt(Int(rng.next() % UInt64(lines.count)), Int(rng.next() % UInt64(lines.count)))
                default:
                    for _ in 0...(rng.next() % 2) {
                        let k = Int(rng.next() % UInt64(bytes.count))
                        bytes[k] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                    }
                    lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                }
                let mutated = Array(lines.joined(separator: [0x0A]))
                if case .valid = FastCalendarValidator.run(MemorySource(mutated)) { fastAccepted += 1 }
                try checkSound(mutated, "source \(s) mutation \(round)")
            }
        }
        // Some mutations keep a file valid (a swapped pair of properties): the fast pass still takes those.
        #expect(fastAccepted > 0)
    }

    /// Found by the mutation test: a byte that is not UTF-8 inside a property name once crashed the
    /// complete validator (the decoded name is longer than its bytes).
    @Test func invalidUTF8InAPropertyNameIsReported() throws {
        let parts = generatedCalendar.components(separatedBy: "LOCATION:Room 4")
        let bytes = Array(parts[0].utf8) + [0x4C, 0x4F, 0xFF] + Array("ATION:Room 4".utf8) + Array(parts[1].utf8)
        let log = DiagnosticLog()
        _ = try CalendarValidator().validate(MemorySource(bytes), log: log)
        #expect(log.diagnostics.contains { $0.code == "ics.invalid-utf8" })
        #expect(log.diagnostics.contains { $0.code == "ics.bad-name" })
    }

    @Test func validatorUsesTheFastPassAndStillExplainsProblems() throws {
        // Through `validate` (re-readable source): a clean file has no diagnostic, a broken one its code.
        let log = DiagnosticLog()
        #expect(try CalendarValidator().validate(MemorySource(generatedCalendar), log: log) == 5)
        #expect(log.diagnostics.isEmpty)
        let broken = generatedCalendar.replacingOccurrences(of: "PRIORITY:5", with: "PRIORITY:15")
        let log2 = DiagnosticLog()
        _ = try CalendarValidator().validate(MemorySource(broken), log: log2)
        #expect(log2.diagnostics.map(\.code) == ["value.out-of-range"])
    }
}

typealias SplitMix = SplitMix64

/// The shape the benchmark generator writes: time zones, recurring events with exceptions, alarms, a
/// to-do, attendees, folded lines, escapes and non-ASCII text.
let generatedCalendar = [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ferry//bench//EN", "CALSCALE:GREGORIAN", "X-WR-CALNAME:Team",
    "BEGIN:VTIMEZONE", "TZID:Europe/Berlin", "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
    "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT", "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD", "END:VTIMEZONE",
    "BEGIN:VEVENT", "UID:ev-1@ferry.test", "DTSTAMP:20240101T120000Z", "DTSTART;TZID=Europe/Berlin:20240108T090000",
    "DTEND;TZID=Europe/Berlin:20240108T093000", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20241231T230000Z",
    "EXDATE;TZID=Europe/Berlin:20240110T090000,20240115T090000", "SUMMARY:Stand-up \\, daily",
    "DESCRIPTION:Notes: agenda\\nsecond line with a long text that needs f",
    " olding at seventy-five octets — ünïcödé", "LOCATION:Room 4", "ORGANIZER;CN=\"Doe, Jane\":mailto:jane@example.com",
    "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:bob@example.com", "CATEGORIES:Work,Meeting",
    "STATUS:CONFIRMED", "TRANSP:OPAQUE", "SEQUENCE:3", "PRIORITY:5", "CLASS:PUBLIC",
    "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "TRIGGER:-PT15M", "END:VALARM", "END:VEVENT",
    "BEGIN:VEVENT", "UID:ev-1@ferry.test", "RECURRENCE-ID;TZID=Europe/Berlin:20240117T090000",
    "DTSTAMP:20240101T120000Z", "DTSTART;TZID=Europe/Berlin:20240117T100000", "DURATION:PT45M", "SUMMARY:Moved",
    "END:VEVENT",
    "BEGIN:VEVENT", "UID:ev-2@ferry.test", "DTSTAMP:20240101T120000Z", "DTSTART;VALUE=DATE:20240301",
    "DTEND;VALUE=DATE:20240302", "RRULE:FREQ=YEARLY;COUNT=5", "SUMMARY:Birthday", "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
    "END:VEVENT",
    "BEGIN:VTODO", "UID:todo-1@ferry.test", "DTSTAMP:20240101T120000Z", "DUE:20240115T170000Z", "STATUS:NEEDS-ACTION",
    "PERCENT-COMPLETE:40", "SUMMARY:Report", "END:VTODO",
    "END:VCALENDAR", "",
].joined(separator: "\r\n")
