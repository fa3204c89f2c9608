import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite struct CalendarCLITests {
    static let calendar = FerryCLI.fixtures.appendingPathComponent("calendar")
    static func path(_ name: String) -> String { calendar.appendingPathComponent(name).path }
    static let valid = ["google.ics", "outlook.ics", "zimbra.ics", "evolution.ics", "apple.ics", "thunderbird.ics",
                        "zimbra.ifb", "open-xchange.ifb", "vcalendar-1.0.vcs", "exchange-no-vtimezone.ics"].map(path)

    @Test func validProducerExportsExitZero() throws {
        let r = try FerryCLI.run(["validate"] + Self.valid)
        #expect(r.status == 0, "\(r.out)\(r.stderr)")
        #expect(r.out.contains("10 files checked: 10 valid, 0 invalid"))
    }

    @Test func strictTurnsWarningsIntoErrors() throws {
        let file = Self.path("exchange-no-vtimezone.ics")
        #expect(try FerryCLI.run(["validate", file]).status == 0)
        let strict = try FerryCLI.run(["validate", "--strict", file])
        #expect(strict.status == 1)
        #expect(strict.out.contains("exchange-no-vtimezone.ics:13:1: error: TZID W. Europe Standard Time has no VTIMEZONE"))
    }

    @Test func directoryRecursesAndInvalidFilesExitOne() throws {
        let r = try FerryCLI.run(["validate", Self.calendar.path])
        #expect(r.status == 1)
        let fileCount = try ["invalid", "itip"].map {
            try FileManager.default.contentsOfDirectory(atPath: Self.calendar.appendingPathComponent($0).path)
                .filter { $0.hasSuffix(".ics") }.count
        }.reduce(0, +) + Self.valid.count
        #expect(r.out.contains("\(fileCount) files checked"))
        #expect(r.out.contains("invalid/missing-dtstamp.ics:4:1: error: VEVENT has no DTSTAMP (required, RFC 5545 §3.6.1) [ics.missing-property]"))
    }

    @Test func quotedGlobPatternsRecurse() throws {
        // Passed unexpanded (no shell), as CI configurations often do.
        let all = try FerryCLI.run(["validate", Self.calendar.path + "/**/*.ics", "--report", "json"])
        let root = try JSONSerialization.jsonObject(with: all.stdout) as! [String: Any]
        let paths = (root["files"] as! [[String: Any]]).map { $0["path"] as! String }
        let expected = try FileManager.default.subpathsOfDirectory(atPath: Self.calendar.path).filter { $0.hasSuffix(".ics") }
        #expect(paths.count == expected.count)
        #expect(paths == paths.sorted())
        #expect(paths.contains { $0.hasSuffix("/itip/reply-valid.ics") } && paths.contains { $0.hasSuffix("/google.ics") })
        let some = try FerryCLI.run(["validate", Self.calendar.path + "/itip/re[pq]*-valid.ics"])
        #expect(some.status == 0, "\(some.out)")
        #expect(some.out.contains("2 files checked: 2 valid"))
        let none = try FerryCLI.run(["validate", Self.calendar.path + "/nothing-*.ics"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("no file matches"))
    }

    @Test func missingFileIsExitTwo() throws {
        let r = try FerryCLI.run(["validate", Self.path("nope.ics")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no such file"))
    }

    @Test func jsonReport() throws {
        let r = try FerryCLI.run(["validate", "--report", "json", Self.path("invalid/end-before-start.ics"), Self.path("google.ics")])
        #expect(r.status == 1)
        let root = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        let files = root["files"] as! [[String: Any]]
        #expect(files.count == 2)
        #expect(files[0]["valid"] as? Bool == false)
        #expect(files[1]["valid"] as? Bool == true)
        #expect(files[1]["format"] as? String == "ics")
        let d = (files[0]["diagnostics"] as! [[String: Any]])[0]
        #expect(d["code"] as? String == "ics.end-before-start")
        #expect(d["line"] as? Int == 8)
        #expect(d["column"] as? Int == 7)
        #expect(d["severity"] as? String == "error")
    }

    @Test func junitReportFollowsTheJUnitSchema() throws {
        let r = try FerryCLI.run(["validate", "--report", "junit", Self.path("invalid/bad-date.ics"), Self.path("zimbra.ics"),
                                  Self.path("invalid/no-colon.ics")])
        #expect(r.status == 1)
        let doc = try XMLDocument(data: r.stdout)
        let root = try #require(doc.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "3")
        #expect(root.attribute(forName: "failures")?.stringValue == "2")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.count == 1)
        for attribute in ["name", "tests", "failures", "errors", "time"] {
            #expect(suites[0].attribute(forName: attribute) != nil, "testsuite@\(attribute)")
        }
        let cases = suites[0].elements(forName: "testcase")
        #expect(cases.count == 3)
        for c in cases {
            #expect(c.attribute(forName: "name") != nil && c.attribute(forName: "classname") != nil)
            #expect(Double(c.attribute(forName: "time")?.stringValue ?? "x") != nil)
        }
        let failure = try #require(cases[0].elements(forName: "failure").first)
        #expect(failure.attribute(forName: "type")?.stringValue == "value.bad-date")
        #expect(failure.stringValue?.contains("bad-date.ics:7:15: error: DTSTART: day 30 does not exist in 2024-02") == true)
        #expect(cases[1].elements(forName: "failure").isEmpty)
    }

    @Test func sarifReportFollowsTheSARIF210Schema() throws {
        let r = try FerryCLI.run(["validate", "--report", "sarif", Self.path("invalid/unknown-tzid.ics"),
                                  Self.path("exchange-no-vtimezone.ics")])
        let root = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        #expect(root["version"] as? String == "2.1.0")
        #expect((root["$schema"] as? String)?.contains("sarif-2.1.0") == true)
        let runs = root["runs"] as! [[String: Any]]
        #expect(runs.count == 1)
        let driver = (runs[0]["tool"] as! [String: Any])["driver"] as! [String: Any]
        #expect(driver["name"] as? String == "ferry")
        let ruleIDs = Set((driver["rules"] as! [[String: Any]]).compactMap { $0["id"] as? String })
        let results = runs[0]["results"] as! [[String: Any]]
        #expect(results.count == 2)
        for result in results {
            let ruleID = try #require(result["ruleId"] as? String)
            #expect(ruleIDs.contains(ruleID))
            #expect(["none", "note", "warning", "error"].contains(result["level"] as? String ?? ""))
            #expect(((result["message"] as? [String: Any])?["text"] as? String)?.isEmpty == false)
            let location = (result["locations"] as! [[String: Any]])[0]["physicalLocation"] as! [String: Any]
            #expect((location["artifactLocation"] as? [String: Any])?["uri"] is String)
            let region = location["region"] as! [String: Any]
            #expect((region["startLine"] as? Int ?? 0) >= 1)
            #expect((region["startColumn"] as? Int ?? 0) >= 1)
        }
        #expect(results.contains { $0["ruleId"] as? String == "ics.unknown-tzid" && $0["level"] as? String == "error" })
        #expect(results.contains { $0["ruleId"] as? String == "ics.tzid-not-in-file" && $0["level"] as? String == "warning" })
    }

    @Test func githubAnnotations() throws {
        let r = try FerryCLI.run(["validate", "--report", "github", Self.path("invalid/bad-enum.ics")])
        #expect(r.status == 1)
        #expect(r.out.contains("::error file=\(Self.path("invalid/bad-enum.ics")),line=8,col=8,title=ics.bad-enum::STATUS%3ADONE")
                || r.out.contains("::error file=\(Self.path("invalid/bad-enum.ics")),line=8,col=8,title=ics.bad-enum::STATUS:DONE"))
    }

    @Test func convertWritesUnchangedCalendarsBackByteIdentical() throws {
        let dir = try FerryCLI.temporaryDirectory()
        for name in ["google.ics", "evolution.ics", "outlook.ics"] {
            let out = dir.appendingPathComponent(name)
            let r = try FerryCLI.run(["convert", Self.path(name), "-o", out.path])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try Data(contentsOf: out) == Data(contentsOf: Self.calendar.appendingPathComponent(name)))
        }
        // stdin to stdout.
        let google = try Data(contentsOf: Self.calendar.appendingPathComponent("google.ics"))
        let piped = try FerryCLI.run(["convert", "-", "--from", "ics", "--to", "ics", "-o", "-"], stdin: google)
        #expect(piped.stdout == google)
    }

    @Test func convertWithATimeRange() throws {
        let r = try FerryCLI.run(["convert", Self.path("zimbra.ics"), "--now", "2024-11-10T12:00:00Z", "--tz", "America/New_York",
                                  "--start", "-7days", "--end", "+2weeks", "--to", "ics", "-o", "-"])
        #expect(r.status == 0, "\(r.stderr)")
        // The weekly board meeting (Nov 4, 11, 18) and the holiday (Nov 28 is outside: Nov 3 … Nov 24) .
        #expect(r.out.contains("SUMMARY:Board meeting"))
        #expect(!r.out.contains("SUMMARY:Company holiday"))
        #expect(r.out.contains("TZID:America/New_York"))
        #expect(r.out.hasSuffix("END:VCALENDAR\r\n"))
    }

    /// Events and tasks the iCalendar reader leaves out for --start/--end are counted like mail the
    /// range leaves out: as filtered (not skipped, exit 0), and as read, so read = written + filtered.
    @Test func rangeFilteredCalendarObjectsAreCountedInTheSummary() throws {
        let r = try FerryCLI.run(["convert", Self.path("zimbra.ics"), "--now", "2024-11-10T12:00:00Z", "--tz", "America/New_York",
                                  "--start", "-7days", "--end", "+2weeks", "--to", "ics", "-o", "-", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let line = r.stderr.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(r.stderr)")
        // Kept: the weekly board meeting (and the task, whose times the range filter cannot tell); left
        // out: the Nov 28 holiday.
        #expect(summary["filtered"] as? Int == 1, "\(line)")
        #expect(summary["written"] as? [String: Int] == ["calendar": 1, "task": 1], "\(line)")
        #expect(summary["read"] as? [String: Int] == ["calendar": 2, "task": 1], "\(line)")
        #expect((summary["skipped"] as? [String: Int] ?? [:]).isEmpty, "\(line)")
        // Without a range nothing is filtered.
        let all = try FerryCLI.run(["convert", Self.path("zimbra.ics"), "--to", "ics", "-o", "-", "--json"])
        let allLine = all.stderr.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
        let allSummary = try #require(try JSONSerialization.jsonObject(with: Data(allLine.utf8)) as? [String: Any], "\(all.stderr)")
        #expect(allSummary["filtered"] as? Int == 0, "\(allLine)")
        #expect(allSummary["written"] as? [String: Int] == ["calendar": 2, "task": 1], "\(allLine)")
    }

    @Test func freebusyDefaultRangeAndEvents() throws {
        let r = try FerryCLI.run(["freebusy", Self.path("zimbra.ics"), Self.path("zimbra.ifb"), "--now", "2024-10-20T12:00:00Z",
                                  "--organizer", "sam@example.org"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.out.components(separatedBy: "\r\n")
        #expect(lines.contains("ORGANIZER:mailto:sam@example.org"))
        #expect(lines.contains("DTSTART:20240919T120000Z"))   // now − 31 days
        #expect(lines.contains("DTEND:20241221T120000Z"))     // now + 62 days
        // Board meeting Oct 28 09:00 EDT = 13:00Z … 14:30Z (also in the .ifb: merged once); Nov 4 09:00 EST = 14:00Z.
        #expect(lines.contains("FREEBUSY;FBTYPE=BUSY:20241028T130000Z/20241028T143000Z"))
        #expect(lines.contains("FREEBUSY;FBTYPE=BUSY:20241104T140000Z/20241104T153000Z"))
        #expect(lines.contains("FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20241101T000000Z/20241102T000000Z"))
        #expect(lines.filter { $0.hasPrefix("FREEBUSY") }.count == 6)
        let events = try FerryCLI.run(["freebusy", Self.path("zimbra.ifb"), "--events", "--now", "2024-10-20T12:00:00Z"])
        #expect(events.out.components(separatedBy: "BEGIN:VEVENT").count == 4)
        #expect(events.out.contains("STATUS:TENTATIVE"))
        #expect(!events.out.contains("BEGIN:VFREEBUSY"))
    }

    @Test func freebusyOutputValidates() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let out = dir.appendingPathComponent("fb.ifb")
        #expect(try FerryCLI.run(["freebusy", Self.path("google.ics"), "-o", out.path]).status == 0)
        let v = try FerryCLI.run(["validate", "--strict", out.path])
        #expect(v.status == 0, "\(v.out)")
        #expect(!(try String(contentsOf: out, encoding: .utf8)).contains("METHOD:"))
        // With an organizer it is an iTIP PUBLISH (RFC 5546 §3.3.1), still valid under --strict.
        let published = dir.appendingPathComponent("published.ifb")
        #expect(try FerryCLI.run(["freebusy", Self.path("google.ics"), "--organizer", "jana@example.de", "-o", published.path]).status == 0)
        #expect((try String(contentsOf: published, encoding: .utf8)).contains("METHOD:PUBLISH\r\n"))
        let v2 = try FerryCLI.run(["validate", "--strict", published.path])
        #expect(v2.status == 0, "\(v2.out)")
    }
}
