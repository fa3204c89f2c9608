@testable import FerryCalendar
import FerryCore
import FerryText
import Foundation
import Testing
import FerryTestSupport

struct ExpectedDiagnostic: Sendable, CustomStringConvertible {
    var file: String
    var code: String
    var line: Int
    var description: String { "\(file) \(code) @\(line)" }
}

/// `Fixtures/calendar/invalid/expected.txt`: one invalid file per rule, with the code and line written by hand.
let invalidCases: [ExpectedDiagnostic] = {
    let text = (try? String(contentsOf: fixture("invalid/expected.txt"), encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { line in
        let f = line.split(separator: " ")
        guard f.count == 3, !line.hasPrefix("#"), let n = Int(f[2]) else { return nil }
        return ExpectedDiagnostic(file: String(f[0]), code: String(f[1]), line: n)
    }
}()

func validate(_ path: URL, profile: CalendarValidator.Profile = .rfc5545) throws -> [Diagnostic] {
    let log = DiagnosticLog()
    _ = try CalendarValidator(profile: profile).validate(try FileSource(path: path.path), log: log)
    return log.diagnostics
}

@Suite struct ValidationTests {
    @Test func everyRuleHasAnInvalidFixture() {
        #expect(invalidCases.count >= 35)
    }

    @Test(arguments: invalidCases)
    func invalidFixtureReportsItsCodeOnItsLine(_ expected: ExpectedDiagnostic) throws {
        let diagnostics = try validate(fixture("invalid/" + expected.file))
        #expect(diagnostics.contains { $0.code == expected.code && $0.line == expected.line && $0.column != nil },
                "\(expected): got \(diagnostics.map { "\($0.code)@\($0.line ?? 0)" })")
        #expect(diagnostics.allSatisfy { $0.file != nil && $0.line != nil })
    }

    @Test(arguments: producerFixtures.filter { !$0.hasSuffix(".ifb") })
    func producerExportsHaveNoErrors(_ name: String) throws {
        let diagnostics = try validate(fixture(name))
        #expect(!diagnostics.contains { $0.severity == .error }, "\(diagnostics)")
    }

    @Test func serverFreeBusyNeedsThe2445Profile() throws {
        // Zimbra's .ifb has no UID: an error under RFC 5545, fine in the RFC 2445-compatible profile.
        #expect(try validate(fixture("zimbra.ifb")).contains { $0.code == "ics.missing-property" && $0.message.contains("UID") })
        #expect(!(try validate(fixture("zimbra.ifb"), profile: .rfc2445)).contains { $0.severity == .error })
        #expect(!(try validate(fixture("open-xchange.ifb"), profile: .rfc2445)).contains { $0.severity == .error })
    }

    @Test func methodRelaxesDTSTART() throws {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\nUID:a\r\nORGANIZER:mailto:a@example.com\r\n"
            + "DTSTAMP:20240101T000000Z\r\nSEQUENCE:2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let log = DiagnosticLog()
        _ = try CalendarValidator().validate(MemorySource(text), log: log)
        #expect(log.diagnostics.isEmpty, "\(log.diagnostics)")
    }

    @Test func oneBadComponentDoesNotStopTheRest() throws {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:2024\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T000000Z\r\nSTATUS:MAYBE\r\nEND:VEVENT\r\n"
            + "END:VCALENDAR\r\n"
        let log = DiagnosticLog()
        let count = try CalendarValidator().validate(MemorySource(text), log: log)
        #expect(count == 2)
        let codes = log.diagnostics.map { "\($0.code)@\($0.line!)" }
        #expect(codes.contains("ics.missing-property@4"))
        #expect(codes.contains("value.bad-date@6"))
        #expect(codes.contains("ics.bad-enum@12"))
    }
}

@Suite struct FreeBusyTests {
    func interval(_ s: Int64, _ e: Int64, _ t: FreeBusyType) -> BusyInterval { BusyInterval(start: s, end: e, type: t) }

    @Test func zimbraPrecedenceAndJoining() {
        let merged = FreeBusyMerge.merge([
            interval(9, 10, .busy), interval(10, 11, .busy),              // touching, same type → 9–11
            interval(12, 14, .busyTentative), interval(13, 15, .busy),    // BUSY wins where they overlap
            interval(16, 20, .busy), interval(17, 18, .busyUnavailable),  // unavailable punches through
            interval(30, 40, .busy),                                     // clipped by the window end
        ], from: 0, to: 35)
        #expect(merged == [
            interval(9, 11, .busy), interval(12, 13, .busyTentative), interval(13, 15, .busy),
            interval(16, 17, .busy), interval(17, 18, .busyUnavailable), interval(18, 20, .busy), interval(30, 35, .busy),
        ])
    }

    @Test func mergeIsOrderIndependentIdempotentAndKeepsBusyTime() {
        var rng = SeededRandom(seed: 99)
        for _ in 0..<200 {
            let input = (0..<Int(rng.next() % 30)).map { _ -> BusyInterval in
                let s = Int64(rng.next() % 200), l = Int64(rng.next() % 40)
                return interval(s, s + l, FreeBusyType(rawValue: Int(rng.next() % 3) + 1)!)
            }
            let merged = FreeBusyMerge.merge(input, from: 10, to: 190)
            #expect(FreeBusyMerge.merge(input.shuffled(using: &rng), from: 10, to: 190) == merged)
            #expect(FreeBusyMerge.merge(merged, from: 10, to: 190) == merged)
            // Sorted, disjoint, no touching neighbours of one type.
            for (a, b) in zip(merged, merged.dropFirst()) {
                #expect(a.end <= b.start)
                #expect(!(a.end == b.start && a.type == b.type))
            }
            // Every instant is busy in the output iff some input covers it, with the highest type.
            for t in Int64(10)..<190 {
                let best = input.filter { $0.start <= t && t < $0.end }.map(\.type).max()
                let got = merged.first { $0.start <= t && t < $0.end }?.type
                #expect(best == got, "t=\(t)")
            }
        }
    }

    @Test func writerUsesStatusTranspAndOverrides() throws {
        var options = WriteOptions()
        options.timeContext = TimeContext(now: iso("2024-03-20T12:00:00Z"), timeZone: TimeZone(identifier: "Europe/Berlin")!)
        let sink = MemorySink()
        let writer = FreeBusyWriter(sink: sink, options: options, log: DiagnosticLog())
        for item in try readItems(Array(try Data(contentsOf: fixture("google.ics")))) { _ = try writer.write(item) }
        for item in try readItems(Array(try Data(contentsOf: fixture("outlook.ics")))) { _ = try writer.write(item) }
        try writer.finish()
        let lines = sink.string.components(separatedBy: "\r\n").filter { $0.hasPrefix("FREEBUSY") }
        // Default window: now − 31 days … now + 62 days.
        #expect(sink.string.contains("DTSTART:20240218T120000Z\r\n"))
        // Stand-up on Mar 19 is replaced by its override at 10:00Z; Easter Monday (transparent) is absent.
        #expect(lines.contains("FREEBUSY;FBTYPE=BUSY:20240319T100000Z/20240319T103000Z"))
        #expect(!lines.contains("FREEBUSY;FBTYPE=BUSY:20240319T083000Z/20240319T090000Z"))
        #expect(!lines.contains { $0.contains("20240331T220000Z/20240401T220000Z") })
        // Outlook's OOF day is BUSY-UNAVAILABLE, its tentative-free Monday jour fixe BUSY (CET, 09:00Z).
        #expect(lines.contains("FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240308T080000Z/20240308T160000Z"))
        #expect(lines.contains("FREEBUSY;FBTYPE=BUSY:20240304T090000Z/20240304T093000Z"))
        // After the DST change on Mar 31 the 10:00 jour fixe is at 08:00Z.
        #expect(lines.contains("FREEBUSY;FBTYPE=BUSY:20240408T080000Z/20240408T083000Z"))
        #expect(lines.contains("FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240315T130000Z/20240315T143000Z"))
        // The output is a valid calendar.
        let log = DiagnosticLog()
        _ = try CalendarValidator().validate(MemorySource(sink.bytes), log: log)
        #expect(!log.hasErrors, "\(log.diagnostics)")
    }
}

typealias SeededRandom = SplitMix64

/// `Fixtures/calendar/itip/expected.txt`: RFC 5546 METHOD tables, valid messages and one broken rule each.
struct ITIPCase: Sendable, CustomStringConvertible {
    var file: String
    var code: String?
    var line: Int
    var severity: String
    var description: String { "\(file) \(code ?? "valid")" }
}

let itipCases: [ITIPCase] = {
    let text = (try? String(contentsOf: fixture("itip/expected.txt"), encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { line in
        let f = line.split(separator: " ")
        guard f.count == 4, !line.hasPrefix("#"), let n = Int(f[2]) else { return nil }
        return ITIPCase(file: String(f[0]), code: f[1] == "-" ? nil : String(f[1]), line: n, severity: String(f[3]))
    }
}()

@Suite struct ITIPTests {
    @Test func everyMethodAndComponentHasATable() {
        #expect(itipCases.count >= 14)
        for method in ["PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER", "DECLINECOUNTER"] {
            #expect(MethodTable.rules[method]?["VEVENT"] != nil, "\(method) VEVENT")
            #expect(MethodTable.rules[method]?["VTODO"] != nil, "\(method) VTODO")
        }
        #expect(Set(MethodTable.rules.compactMap { $0.value["VJOURNAL"] == nil ? nil : $0.key }) == ["PUBLISH", "ADD", "CANCEL"])
        #expect(Set(MethodTable.rules.compactMap { $0.value["VFREEBUSY"] == nil ? nil : $0.key }) == ["PUBLISH", "REQUEST", "REPLY"])
        // Every name in the tables is a property or component RFC 5545 knows.
        for (_, byComponent) in MethodTable.rules {
            for (_, rules) in byComponent {
                for (name, _) in rules.counts {
                    #expect(RuleTable.knownProperties.contains(name) || RuleTable.knownComponents.contains(name), "\(name)")
                }
            }
        }
    }

    @Test(arguments: itipCases)
    func methodFixtureReportsItsCode(_ expected: ITIPCase) throws {
        let diagnostics = try validate(fixture("itip/" + expected.file))
        guard let code = expected.code else {
            #expect(diagnostics.isEmpty, "\(expected): \(diagnostics.map { "\($0.code)@\($0.line ?? 0): \($0.message)" })")
            return
        }
        let found = diagnostics.filter { $0.code == code && $0.line == expected.line }
        #expect(found.count == 1, "\(expected): got \(diagnostics.map { "\($0.code)@\($0.line ?? 0)" })")
        #expect(found.first?.severity.rawValue == expected.severity)
        // The broken rule is the only iTIP finding.
        #expect(diagnostics.filter { $0.code.hasPrefix("itip.") }.count == 1, "\(diagnostics.map(\.code))")
    }

    @Test func withoutAMethodTheTablesDoNotApply() throws {
        var text = try String(contentsOf: fixture("itip/request-no-attendee.ics"), encoding: .utf8)
        text = text.replacingOccurrences(of: "METHOD:REQUEST\r\n", with: "")
        let log = DiagnosticLog()
        _ = try CalendarValidator().validate(MemorySource(text), log: log)
        #expect(log.diagnostics.isEmpty, "\(log.diagnostics)")
    }
}
