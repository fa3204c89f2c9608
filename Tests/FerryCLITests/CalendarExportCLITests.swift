import Foundation
import FerryTestSupport
import Testing

/// ics → CSV (one row per event, or per occurrence with --expand) and ics → one file per event.
@Suite struct CalendarExportCLITests {
    static func path(_ name: String) -> String { CalendarCLITests.path(name) }

    func temporaryDirectory() throws -> URL {
        try TestDirectory.make("ferry-cal-export")
    }

    /// RFC 4180 records (quoted fields may hold commas, quotes and line breaks).
    func records(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\r\n" || c == "\n" { row.append(field); rows.append(row); row = []; field = ""
            } else { field.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    func table(_ csv: String) -> [[String: String]] {
        let r = records(csv)
        guard let header = r.first else { return [] }
        return r.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    @Test func icsToCSVWritesOneRowPerEvent() throws {
        let dir = try temporaryDirectory()
        let out = dir.appendingPathComponent("events.csv").path
        let r = try FerryCLI.run(["convert", Self.path("google.ics"), "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = try String(contentsOfFile: out, encoding: .utf8)
        #expect(csv.hasPrefix("UID,Type,Summary,Start,End,All Day,Time Zone,Location,Description,Recurrence,"))
        #expect(csv.contains("\r\n"))
        let rows = table(csv)
        #expect(rows.count == 4)
        let standUp = try #require(rows.first { $0["Summary"] == "Stand-up" })
        #expect(standUp["Start"] == "2024-03-05 09:30:00")
        #expect(standUp["End"] == "2024-03-05 10:00:00")
        #expect(standUp["Time Zone"] == "Europe/Berlin")
        #expect(standUp["Recurrence"] == "FREQ=WEEKLY;WKST=MO;UNTIL=20240430T073000Z;BYDAY=TU")
        // TEXT unescaped; the line breaks stay inside one quoted field.
        #expect(standUp["Description"] == "Weekly stand-up. Agenda:\n1. Blockers\n2. Releases, deploys and the on-call rota; notes in the team document.")
        let moved = try #require(rows.first { $0["Summary"] == "Stand-up (moved)" })
        #expect(moved["Recurrence ID"] == "2024-03-19 09:30:00")
        let holiday = try #require(rows.first { $0["Summary"] == "Ostermontag" })
        #expect(holiday["All Day"] == "TRUE")
        #expect(holiday["Start"] == "2024-04-01")
        let planning = try #require(rows.first { $0["Summary"] == "Quartalsplanung Q2" })
        #expect(planning["Time Zone"] == "UTC")
        #expect(planning["Location"] == "Konferenzraum „Spree“, 2. OG")
        #expect(planning["Organizer"] == "Jana Müller <jana.mueller@example.de>")
        #expect(planning["Attendees"] == "Jana Müller <jana.mueller@example.de>; bob@example.com <bob@example.com>")
        #expect(planning["Status"] == "TENTATIVE")
    }

    @Test func csvRowsFollowTheTimeRangeAndDurationGivesTheEnd() throws {
        let r = try FerryCLI.run(["convert", Self.path("google.ics"), "--to", "calendar-csv", "-o", "-",
                                  "--start", "2024/04/01", "--end", "2024/04/10", "--tz", "Europe/Berlin"])
        #expect(r.status == 0, "\(r.stderr)")
        let summaries = Set(table(r.out).map { $0["Summary"]! })
        // The holiday and the recurring stand-up (an occurrence on 9 April); not the meeting in March.
        #expect(summaries.contains("Ostermontag"))
        #expect(summaries.contains("Stand-up"))
        #expect(!summaries.contains("Quartalsplanung Q2"))
    }

    @Test func expandWritesOneRowPerOccurrenceWithOverridesInPlace() throws {
        let r = try FerryCLI.run(["convert", Self.path("google.ics"), "--to", "calendar-csv", "-o", "-", "--expand",
                                  "--start", "2024/03/01", "--end", "2024/04/01", "--tz", "Europe/Berlin"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = table(r.out)
        let standUps = rows.filter { $0["Summary"]!.hasPrefix("Stand-up") }.map { "\($0["Start"]!) \($0["Summary"]!)" }.sorted()
        // Tuesdays in March; the 19th is moved to 11:00 by its override (no row at 09:30).
        #expect(standUps == ["2024-03-05 09:30:00 Stand-up", "2024-03-12 09:30:00 Stand-up",
                             "2024-03-19 11:00:00 Stand-up (moved)", "2024-03-26 09:30:00 Stand-up"])
        #expect(rows.first { $0["Start"] == "2024-03-26 09:30:00" }?["Recurrence ID"] == "2024-03-26 09:30:00")
        #expect(rows.contains { $0["Summary"] == "Quartalsplanung Q2" && $0["Start"] == "2024-03-15 13:00:00" })
        #expect(!rows.contains { $0["Summary"] == "Ostermontag" })
        // Without an end the expansion would have no bound.
        let unbounded = try FerryCLI.run(["convert", Self.path("google.ics"), "--to", "calendar-csv", "-o", "-", "--expand"])
        #expect(unbounded.status == 2)
        #expect(unbounded.stderr.contains("--expand needs --end"))
    }

    @Test(arguments: [["-o"], ["--to", "ics", "-o"], ["--to", "ics-files", "-o"]])
    func oneFilePerEventNamedByUID(_ options: [String]) throws {
        let dir = try temporaryDirectory().appendingPathComponent("events")
        let r = try FerryCLI.run(["convert", Self.path("google.ics")] + options + [dir.path + "/"])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["0aa1bb2cc3dd4ee5ff6gg7hh8@google.com.ics", "4kd8s0a1v2b3c4d5e6f7g8h9i0@google.com.ics",
                          "7a1b2c3d4e5f6g7h8i9j0k@google.com.ics"])
        // The master and its override share a file; each file has the VTIMEZONE it uses and validates.
        let standUp = try String(contentsOf: dir.appendingPathComponent("4kd8s0a1v2b3c4d5e6f7g8h9i0@google.com.ics"), encoding: .utf8)
        #expect(standUp.components(separatedBy: "BEGIN:VEVENT").count == 3)
        #expect(standUp.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin"))
        #expect(standUp.hasPrefix("BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0"))
        #expect(standUp.hasSuffix("END:VEVENT\r\nEND:VCALENDAR\r\n"))
        let holiday = try String(contentsOf: dir.appendingPathComponent("7a1b2c3d4e5f6g7h8i9j0k@google.com.ics"), encoding: .utf8)
        #expect(!holiday.contains("VTIMEZONE"))
        let check = try FerryCLI.run(["validate", dir.path])
        #expect(check.status == 0, "\(check.out)")
        #expect(check.out.contains("3 files checked: 3 valid"))
        // Every component of the input is in exactly one file, byte for byte.
        let original = try String(contentsOfFile: Self.path("google.ics"), encoding: .utf8)
        let all = try names.map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }.joined()
        for event in original.components(separatedBy: "BEGIN:VEVENT").dropFirst() {
            let body = "BEGIN:VEVENT" + event.components(separatedBy: "END:VEVENT")[0] + "END:VEVENT\r\n"
            #expect(all.components(separatedBy: body).count == 2)
        }
    }

    @Test func uidsThatAreNoFileNamesAreSanitizedAndKeptApart() throws {
        let dir = try temporaryDirectory()
        let input = dir.appendingPathComponent("in.ics")
        let events = ["../../etc/passwd", "a/b", "a:b", ".hidden", ""].enumerated().map { k, uid in
            "BEGIN:VEVENT\r\n" + (uid.isEmpty ? "" : "UID:\(uid)\r\n")
                + "DTSTAMP:20240101T000000Z\r\nDTSTART:2024010\(k + 1)T100000Z\r\nSUMMARY:E\(k)\r\nEND:VEVENT\r\n"
        }.joined()
        try ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + events + "END:VCALENDAR\r\n")
            .write(to: input, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try FerryCLI.run(["convert", input.path, "-o", out.path + "/"])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == ["_._.._etc_passwd.ics", "_hidden.ics", "a_b-2.ics", "a_b.ics", "event-1.ics"])
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("etc").path))
    }
}
