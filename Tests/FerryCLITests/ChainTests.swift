import Foundation
import Testing

/// Lossless proof across the pipeline: a generated corpus goes along chains of formats and every
/// item's identity and content is checked at the end; every step's summary accounts for every item
/// (read = written + skipped + filtered).
@Suite(.serialized) struct ChainTests {
    // MARK: Corpus

    /// Messages in many MIME shapes, both line-end styles, mbox traps in bodies, 8-bit and encoded-word
    /// headers; folders, flags, tags and dates in mbox status headers and X-Gmail-Labels.
    static func mailCorpus(count: Int) -> [UInt8] {
        let shapes: [(String) -> String] = [
            { _ in "Content-Type: text/plain; charset=utf-8\n\nPlain body, Grüße.\nFrom the start of a line\n>From quoted\n" },
            { i in "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"alt\(i)\"\n\n--alt\(i)\nContent-Type: text/plain\n\nplain\n--alt\(i)\nContent-Type: text/html\n\n<p>html</p>\n--alt\(i)--\n" },
            { i in "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"mix\(i)\"\n\npreamble\n--mix\(i)\nContent-Type: text/plain\n\nsee attachment\n--mix\(i)\nContent-Type: application/pdf; name=\"r\(i).pdf\"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"r\(i).pdf\"\n\nJVBERi0xLjQKJcfsj6IK\n--mix\(i)--\nepilogue\n" },
            { i in "MIME-Version: 1.0\nContent-Type: message/rfc822\n\nFrom: inner@example.org\nSubject: inner \(i)\n\ninner body\n" },
            { i in "MIME-Version: 1.0\nContent-Type: multipart/related; boundary=\"rel\(i)\"; type=\"text/html\"\n\n--rel\(i)\nContent-Type: text/html\n\n<img src=\"cid:i\(i)\">\n--rel\(i)\nContent-Type: image/png\nContent-ID: <i\(i)>\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--rel\(i)--\n" },
            { _ in "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9 cr=E8me =\nsoft break\n" },
            { i in "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"o\(i)\"\n\n--o\(i)\nContent-Type: multipart/alternative; boundary=\"in\(i)\"\n\n--in\(i)\nContent-Type: text/plain\n\nnested\n--in\(i)--\n--o\(i)--\n" },
            { _ in "Content-Type: text/plain\n\nno final newline" },
        ]
        let folders = ["Inbox", "Sent", "Inbox/Projects", "Archive/2023", "Café"]
        let tagSets = [[], ["work"], ["family", "later"], []]
        var out: [UInt8] = []
        for i in 0..<count {
            let crlf = i % 3 == 0
            let day = 1 + i % 28
            var header = "From: Sender \(i) <s\(i)@example.org>\nTo: r@example.org\n"
                + "Subject: \(i % 4 == 0 ? "=?UTF-8?B?w4RyZ2VyIMO8YmVy?= \(i)" : "message \(i)")\n"
                + "Message-ID: <chain\(i)@example.org>\nDate: Mon, \(day) Jan 2024 10:\(10 + i % 50):00 +0000\n"
            let flags = (i % 2 == 0 ? "R" : "") + "O"
            let xstatus = (i % 5 == 0 ? "F" : "") + (i % 7 == 0 ? "A" : "")
            header += "Status: \(flags)\nX-Status: \(xstatus)\n"
            header += "X-Gmail-Labels: " + ([folders[i % folders.count]] + tagSets[i % tagSets.count]).joined(separator: ",") + "\n"
            var message = header + shapes[i % shapes.count](String(i))
            if !message.hasSuffix("\n") { message += "\n" }
            if crlf { message = message.replacingOccurrences(of: "\n", with: "\r\n") }
            let nl = crlf ? "\r\n" : "\n"
            out += Array("From s\(i)@example.org Mon Jan \(day < 10 ? " " : "")\(day) 10:\(10 + i % 50):00 2024\n".utf8)
            // mboxrd: escape From_ lines in the body.
            // (Split bytes: as Characters, "\r\n" is one and would not split at "\n".)
            for line in Array(message.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
                let stripped = line.drop { $0 == 0x3E }
                if stripped.starts(with: Array("From ".utf8)) { out.append(0x3E) }
                out += line + [0x0A]
            }
            out += Array(nl.utf8)
        }
        return out
    }

    // MARK: Checks

    struct Summary {
        var read = 0, written = 0, skipped = 0, filtered = 0
    }

    /// Parses the `--json` summary (stdout) and checks the accounting.
    static func summary(_ result: FerryCLI.Result) throws -> Summary {
        // The summary is the last JSON line on stderr (stdout may carry the output itself).
        let text = (result.stderr + "\n" + result.out).split(separator: "\n").last { $0.hasPrefix("{\"") }.map(String.init) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            Issue.record("no JSON summary: \(result.out) \(result.stderr)")
            return Summary()
        }
        func total(_ key: String) -> Int { (object[key] as? [String: Int])?.values.reduce(0, +) ?? 0 }
        var s = Summary(read: total("read"), written: total("written"), skipped: total("skipped"),
                        filtered: object["filtered"] as? Int ?? 0)
        // Folders and tags written without being read (made from messages' metadata) are not items of the input.
        if let written = object["written"] as? [String: Int] {
            s.written = (written["message"] ?? 0) + (written["contact"] ?? 0) + (written["calendar"] ?? 0)
                + (written["task"] ?? 0) + (written["document"] ?? 0)
        }
        if let read = object["read"] as? [String: Int] {
            s.read = (read["message"] ?? 0) + (read["contact"] ?? 0) + (read["calendar"] ?? 0)
                + (read["task"] ?? 0) + (read["document"] ?? 0)
        }
        #expect(s.read == s.written + s.skipped + s.filtered, "every item accounted: \(text)")
        return s
    }

    static func convert(_ arguments: [String], status: Int32 = 0) throws -> Summary {
        let result = try FerryCLI.run(["convert"] + arguments + ["--json"])
        #expect(result.status == status, "\(arguments): \(result.stderr.prefix(2000))")
        return try summary(result)
    }

    /// Message bytes by folder, from an .eml directory tree.
    static func messagesByFolder(_ emldir: URL) throws -> [String: [Data]] {
        var out: [String: [Data]] = [:]
        for file in Hostile.tree(emldir) where file.hasSuffix(".eml") {
            let folder = (file as NSString).deletingLastPathComponent
            out[folder, default: []].append(try Data(contentsOf: emldir.appendingPathComponent(file)))
        }
        return out.mapValues { $0.sorted { $0.lexicographicallyPrecedes($1) } }
    }

    /// message-id → folder, flags, tags, date from `--to json`.
    static func metadata(_ input: URL) throws -> [String: String] {
        let result = try FerryCLI.run(["convert", input.path, "--to", "json", "-o", "-"])
        #expect(result.status == 0, "\(result.stderr.prefix(1000))")
        var out: [String: String] = [:]
        for line in result.out.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = object["message-id"] as? String else { continue }
            let m = object["metadata"] as? [String: Any] ?? [:]
            let flags = (m["flags"] as? [String] ?? []).sorted().joined(separator: ",")
            let tags = (m["tags"] as? [String] ?? []).sorted().joined(separator: ",")
            out[id] = "folder=\(m["folder"] as? String ?? "") flags=\(flags) tags=\(tags) date=\(m["date"] as? String ?? "")"
        }
        return out
    }

    // MARK: Chains

    /// tgz → zip → mbox → Maildir → tgz: every message's bytes, folder, flags, tags and date arrive.
    @Test func mailChainKeepsEveryMessage() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { if ProcessInfo.processInfo.environment["FERRY_KEEP"] == nil { try? FileManager.default.removeItem(at: dir) } }
        let count = 240
        let seed = dir.appendingPathComponent("seed.mbox")
        try Data(Self.mailCorpus(count: count)).write(to: seed)
        let start = dir.appendingPathComponent("start.tgz")
        #expect(try Self.convert([seed.path, "-o", start.path]).read == count)
        let zip = dir.appendingPathComponent("a.zip")
        let mbox = dir.appendingPathComponent("b.mbox")
        let maildir = dir.appendingPathComponent("c-maildir")
        let end = dir.appendingPathComponent("end.tgz")
        for (input, output, extra) in [(start, zip, [String]()), (zip, mbox, []), (mbox, maildir, ["--to", "maildir"]),
                                       (maildir, end, ["--from", "maildir"])] {
            let path = extra.contains("maildir") && output == maildir ? output.path + "/" : output.path
            let s = try Self.convert([input.path, "-o", path] + extra)
            #expect(s.read == count && s.written == count, "\(input.lastPathComponent) → \(output.lastPathComponent)")
        }
        let a = dir.appendingPathComponent("start-eml")
        let b = dir.appendingPathComponent("end-eml")
        _ = try Self.convert([start.path, "--to", "emldir", "-o", a.path + "/"])
        _ = try Self.convert([end.path, "--to", "emldir", "-o", b.path + "/"])
        let before = try Self.messagesByFolder(a)
        let after = try Self.messagesByFolder(b)
        #expect(before.values.map(\.count).reduce(0, +) == count)
        #expect(before.keys.sorted() == after.keys.sorted(), "folders")
        for (folder, messages) in before {
            #expect(after[folder] == messages, "message bytes in \(folder)")
        }
        let metaBefore = try Self.metadata(start)
        let metaAfter = try Self.metadata(end)
        #expect(metaBefore.count == count)
        for (id, value) in metaBefore {
            #expect(metaAfter[id] == value, "\(id)")
        }
    }

    /// Items a target cannot hold are skipped, said and counted: the Zimbra export into an mbox.
    @Test func skippedItemsAreAccountedInTheSummary() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try Self.convert([FerryCLI.fixtures.appendingPathComponent("archives/zimbra-export.tgz").path,
                                  "-o", dir.appendingPathComponent("out.mbox").path], status: 1)
        #expect(s.skipped > 0 && s.written > 0, "exit code 1: items were skipped, each one said")
    }

    // MARK: Contacts

    static func outlookCSV(rows: Int) -> [UInt8] {
        let header = "First Name,Middle Name,Last Name,Title,Suffix,Company,Department,Job Title,Business Street,Business City,"
            + "Business State,Business Postal Code,Business Country/Region,Home Street,Home City,Home Postal Code,"
            + "Home Country/Region,Business Phone,Home Phone,Mobile Phone,Business Fax,E-mail Address,E-mail 2 Address,"
            + "E-mail 3 Address,Web Page,Birthday,Notes"
        var out = header + "\r\n"
        let given = ["Anna", "José", "Zoë", "Kenji", "Olaf", "Marie-Claire"]
        let family = ["Müller", "García", "O'Brien", "Tanaka", "Smith, Jr", "Dupont"]
        for i in 0..<rows {
            let fields = [given[i % given.count], i % 3 == 0 ? "Q" : "", "\(family[i % family.count])\(i)", i % 4 == 0 ? "Dr." : "",
                          "", "Acme \(i % 5)", "R&D", "Engineer", "Hauptstraße \(i)\nHinterhaus", "Berlin", "BE", "10115",
                          "Germany", "\(i) Home Rd", "Springfield", "\(10000 + i)", "USA", "+49 30 \(1000 + i)", "",
                          "+1 555 \(1000 + i)", "", "c\(i)@example.org", i % 2 == 0 ? "c\(i)@home.example" : "", "",
                          "https://example.org/\(i)", i % 3 == 0 ? "1980-0\(1 + i % 9)-1\(i % 10)" : "",
                          "Note with \"quotes\", commas\nand a second line \(i)"]
            out += fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") + "\r\n"
        }
        return Array(out.utf8)
    }

    /// JSON objects (one per contact) of a contacts file, with volatile keys dropped.
    static func contacts(_ input: URL) throws -> [String] {
        let result = try FerryCLI.run(["convert", input.path, "--to", "json", "-o", "-"])
        #expect(result.status == 0, "\(result.stderr.prefix(1000))")
        return try result.out.split(separator: "\n").map { line in
            var object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            object["origin"] = nil
            object["metadata"] = nil
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// Outlook CSV → vCard → Google CSV → vCard: the contacts' fields are equal in both vCards.
    @Test func contactChainKeepsEveryField() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = 60
        let csv = dir.appendingPathComponent("outlook.csv")
        try Data(Self.outlookCSV(rows: rows)).write(to: csv)
        let first = dir.appendingPathComponent("first.vcf")
        let google = dir.appendingPathComponent("google.csv")
        let second = dir.appendingPathComponent("second.vcf")
        #expect(try Self.convert([csv.path, "--csv-format", "outlook-2003-csv", "-o", first.path]).written == rows)
        #expect(try Self.convert([first.path, "--to", "google-csv", "-o", google.path]).written == rows)
        #expect(try Self.convert([google.path, "--csv-format", "google-csv", "-o", second.path]).written == rows)
        let a = try Self.contacts(first)
        let b = try Self.contacts(second)
        #expect(a.count == rows)
        for (x, y) in zip(a, b) { #expect(x == y) }
    }

    // MARK: Calendars

    static func calendar(events: Int) -> [UInt8] {
        var out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ferry tests//Chain//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
            + "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\n"
            + "TZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
            + "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
        let rules = ["FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10", "FREQ=DAILY;UNTIL=20240301T000000Z", "FREQ=MONTHLY;BYMONTHDAY=-1",
                     "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", ""]
        for i in 0..<events {
            let day = String(format: "%02d", 1 + i % 28)
            out += "BEGIN:VEVENT\r\nUID:chain-\(i)@example.org\r\nDTSTAMP:20240101T000000Z\r\n"
                + "DTSTART;TZID=Europe/Berlin:202401\(day)T0900\(String(format: "%02d", i % 60))\r\n"
                + "DTEND;TZID=Europe/Berlin:202401\(day)T100000\r\nSUMMARY:Event \(i)\\, with comma\r\n"
                + "DESCRIPTION:Line one\\nline two with a long text that must be folded because it goes past seventy-fiv\r\n e octets\r\n"
                + "X-CUSTOM-PROP;X-PARAM=\"a:b\":kept \(i)\r\n"
            if !rules[i % rules.count].isEmpty { out += "RRULE:\(rules[i % rules.count])\r\n" }
            if i % 5 == 0 { out += "EXDATE;TZID=Europe/Berlin:202401\(day)T0900\(String(format: "%02d", i % 60))\r\n" }
            if i % 3 == 0 { out += "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n" }
            out += "END:VEVENT\r\n"
            if i % 5 == 1 {
                out += "BEGIN:VEVENT\r\nUID:chain-\(i)@example.org\r\nDTSTAMP:20240101T000000Z\r\n"
                    + "RECURRENCE-ID;TZID=Europe/Berlin:20240110T090000\r\nDTSTART;TZID=Europe/Berlin:20240110T110000\r\n"
                    + "SUMMARY:Moved\r\nEND:VEVENT\r\n"
            }
        }
        out += "BEGIN:VTODO\r\nUID:todo@example.org\r\nDTSTAMP:20240101T000000Z\r\nSUMMARY:A task\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
        return Array(out.utf8)
    }

    /// ics → ics → ics is byte-identical; a time-range filtered calendar is valid and is itself a fixed
    /// point of ics → ics.
    @Test func calendarChainIsByteIdentical() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = Self.calendar(events: 50)
        let start = dir.appendingPathComponent("start.ics")
        try Data(bytes).write(to: start)
        let validation = try FerryCLI.run(["validate", start.path])
        #expect(validation.status == 0, "the generated calendar is valid: \(validation.out)\(validation.stderr)")
        let middle = dir.appendingPathComponent("middle.ics")
        let end = dir.appendingPathComponent("end.ics")
        let s1 = try Self.convert([start.path, "-o", middle.path])
        _ = try Self.convert([middle.path, "-o", end.path])
        #expect(s1.read == s1.written)
        #expect(try [UInt8](Data(contentsOf: end)) == bytes)
        let filtered = dir.appendingPathComponent("filtered.ics")
        let f = try Self.convert([start.path, "--start", "2024-01-10T00:00:00Z", "--end", "2024-01-12T00:00:00Z",
                                  "--tz", "UTC", "-o", filtered.path])
        #expect(f.written > 0 && f.written < s1.written)
        #expect(try FerryCLI.run(["validate", filtered.path]).status == 0)
        let again = dir.appendingPathComponent("again.ics")
        _ = try Self.convert([filtered.path, "-o", again.path])
        #expect(try Data(contentsOf: again) == Data(contentsOf: filtered))
    }
}
