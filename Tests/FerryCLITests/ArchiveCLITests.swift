import Foundation
import Testing

/// End to end: `ferry convert` / `ferry inspect` on the archive fixtures.
@Suite struct ArchiveCLITests {
    static let archives = FerryCLI.fixtures.appendingPathComponent("archives")
    static func fixture(_ name: String) -> String { archives.appendingPathComponent(name).path }

    @Test func zimbraExportToMboxSkipsWhatAnMboxCannotHold() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let out = dir.appendingPathComponent("mail.mbox").path
        let result = try FerryCLI.run(["convert", Self.fixture("zimbra-export.tgz"), "-o", out])
        // Contact, appointment and document are skipped with reasons: exit 1, output still written.
        #expect(result.status == 1)
        #expect(bytesContain(result.stderr, "3 skipped"))
        #expect(bytesContain(result.stderr, "an mbox holds only messages (contact items)"))
        let mbox = try String(contentsOfFile: out, encoding: .utf8)
        #expect((occurrences("\nFrom ", in: mbox) + 1) == 5)
        #expect(bytesContain(mbox, "\n>From the museum:\r\n>>From here\r\n>>>From there\r\n"))
        #expect(bytesContain(mbox, "Status: O\r\n"))          // the unread message
        #expect(bytesContain(mbox, "X-Status: AF\r\n"))       // replied + flagged
        #expect(bytesContain(mbox, "X-Gmail-Labels: Inbox/Projects\r\n"))
    }

    @Test func zimbraExportCalendarAndContactsBecomeIcsAndVcf() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ics = dir.appendingPathComponent("cal.ics").path
        let calendar = try FerryCLI.run(["convert", Self.fixture("zimbra-export.tgz"), "-o", ics])
        #expect(calendar.status == 1)   // the messages, contact and document are skipped, and said
        #expect(bytesContain(calendar.stderr, "1 calendar written"))
        let text = try String(contentsOfFile: ics, encoding: .utf8)
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\n"))
        // The invite had no DTSTAMP: the item's date fills it (RFC 5545 requires one without METHOD).
        #expect(bytesContain(text, "BEGIN:VEVENT\r\nUID:3f1e6f2a-5d1c-4d84-8d2d-2a9c1e4b7a10\r\nDTSTAMP:"))
        #expect(bytesContain(text, "Z\r\nSUMMARY:Standup\r\n"))
        #expect(bytesContain(calendar.stderr, "[zimbra.calendar-dtstamp]"))
        #expect(bytesContain(text, "RRULE:FREQ=WEEKLY;BYDAY=MO\r\n"))
        #expect(!bytesContain(text, "multipart") && !bytesContain(text, "METHOD:"))
        let vcf = dir.appendingPathComponent("contacts.vcf").path
        #expect(try FerryCLI.run(["convert", Self.fixture("zimbra-export.tgz"), "-o", vcf]).status == 1)
        let card = try String(contentsOfFile: vcf, encoding: .utf8)
        #expect(bytesContain(card, "FN:Chandler Bing"))
        #expect(bytesContain(card, "ORG:Transponsters 📡 Inc."))
        #expect(bytesContain(card, "EMAIL;TYPE=internet:chandler@example.org"))
    }

    @Test func queryAndTimeRangeSelectMessages() throws {
        let export = Self.fixture("zimbra-export.tgz")
        let unread = try FerryCLI.run(["convert", export, "--query", "is:unread", "--to", "mbox", "-o", "-"])
        #expect((occurrences("\nSubject: ", in: unread.out) + 1) == 2)
        #expect(bytesContain(unread.out, "Subject: Hello from Rachel"))
        let ross = try FerryCLI.run(["convert", export, "--query", "from:ross", "--to", "mbox", "-o", "-"])
        #expect((occurrences("\nSubject: ", in: ross.out) + 1) == 3)
        let complex = try FerryCLI.run(["convert", export, "--query", "(in:inbox or in:sent) -tag:important not is:unread",
                                        "--to", "mbox", "-o", "-"])
        #expect(bytesContain(complex.out, "Subject: Très long sujet"))
        #expect(!bytesContain(complex.out, "Subject: Hello from Rachel"))
        #expect(!bytesContain(complex.out, "Subject: Sans fin"))
        let range = try FerryCLI.run(["convert", export, "--start", "2023-11-14T22:17:00Z", "--end", "2023-11-14T22:21:00Z",
                                      "--to", "mbox", "-o", "-"])
        #expect((occurrences("\nSubject: ", in: range.out) + 1) == 3)
        let bad = try FerryCLI.run(["convert", export, "--query", "is:nonsense", "--to", "mbox", "-o", "-"])
        #expect(bad.status == 2)
        #expect(bytesContain(bad.stderr, "query.is"))
    }

    @Test func mboxToMaildirToTgzKeepsFlagsAndFolders() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let maildir = dir.appendingPathComponent("Maildir").path + "/"
        let first = try FerryCLI.run(["convert", Self.fixture("takeout.mbox"), "-o", maildir])
        #expect(first.status == 0, "\(first.stderr)")
        let cur = try FileManager.default.contentsOfDirectory(atPath: maildir + "cur")
        #expect(cur.count == 1)
        #expect(cur[0].hasSuffix(":2,Sab") || cur[0].hasSuffix(":2,Sa") || cur[0].hasSuffix(":2,Sb"), "\(cur)")
        let family = try FileManager.default.contentsOfDirectory(atPath: maildir + ".Sa famille &AOA- Paris/cur")
        #expect(family.count == 1 && family[0].hasSuffix(":2,F"))   // unread (no S) and starred
        let tgz = dir.appendingPathComponent("out.tgz").path
        #expect(try FerryCLI.run(["convert", maildir, "-o", tgz]).status == 0)
        let inspect = try FerryCLI.run(["inspect", tgz])
        #expect(bytesContain(inspect.out, "format:   tgz"))
        #expect(bytesContain(inspect.out, "3 message"))
        #expect(bytesContain(inspect.out, "folders:  Inbox, Sa famille à Paris, Sent"))
        if let bsdtar = try? FerryCLI.runTool("/usr/bin/bsdtar", ["-tzf", tgz]) {
            #expect(bsdtar.status == 0)
        }
    }

    @Test func inspectListsFoldersAndCounts() throws {
        let maildir = try FerryCLI.run(["inspect", Self.fixture("maildir")])
        #expect(maildir.status == 0)
        #expect(bytesContain(maildir.out, "format:   maildir"))
        #expect(bytesContain(maildir.out, "5 message"))   // dovecot-uidlist, dovecot.index.log, subscriptions are no mail
        #expect(bytesContain(maildir.out, "folders:  Café, Inbox, Sent, Work/Projects"))
        let zip = try FerryCLI.run(["inspect", Self.fixture("eml-export.zip")])
        #expect(bytesContain(zip.out, "3 message"))        // __MACOSX resource forks are ignored
        #expect(bytesContain(zip.out, "folders:  Archive/2023, Inbox"))
        let json = try FerryCLI.run(["inspect", "--json", Self.fixture("zimbra-export.tgz")])
        let object = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
        let items = object?["items"] as? [String: Int]
        #expect(items?["message"] == 5 && items?["contact"] == 1 && items?["calendar"] == 1 && items?["document"] == 1)
    }

    @Test func mboxcl2NeedsItsVariant() throws {
        let out = try FerryCLI.run(["convert", Self.fixture("solaris.mboxcl2"), "--mbox-variant", "cl2", "--to", "mbox", "-o", "-"])
        #expect(out.status == 0)
        #expect((occurrences("\nSubject: ", in: out.out) + 1) == 3)
        // Trusted Content-Length keeps the unescaped From_ line in the body; the option names the written
        // dialect too, so the output is mboxcl2 again: no escaping, Content-Length set.
        #expect(bytesContain(out.out, "\nFrom trap@example.org Mon Jan  8 09:00:00 2024\n>From stays with its >\n"))
        #expect(occurrences("Content-Length: ", in: out.out) == 2)
        let rd = try FerryCLI.run(["convert", Self.fixture("solaris.mboxcl2"), "--from", "mbox", "--to", "mbox", "-o", "-"])
        #expect(occurrences("Status: RO", in: rd.out) == 3)   // read as mboxrd, the trap splits one message in two
    }

    @Test func hostileZipNeverWritesOutsideTheTarget() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let zip = dir.appendingPathComponent("evil.zip").path
        let script = """
            import zipfile, sys
            with zipfile.ZipFile(sys.argv[1], 'w') as z:
                z.writestr('../../outside.eml', 'Subject: a\\r\\n\\r\\nx\\r\\n')
                z.writestr('/abs.eml', 'Subject: b\\r\\n\\r\\nx\\r\\n')
                z.writestr('..\\\\..\\\\win.eml', 'Subject: c\\r\\n\\r\\nx\\r\\n')
                z.writestr('Inbox/ok.eml', 'Subject: d\\r\\n\\r\\nx\\r\\n')
            """
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3", "/root/.pyenv/shims/python3"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
              let made = try? FerryCLI.runTool(python, ["-c", script, zip]), made.status == 0 else { return }
        let target = dir.appendingPathComponent("out").path + "/"
        let result = try FerryCLI.run(["convert", zip, "--to", "emldir", "-o", target])
        #expect(bytesContain(result.stderr, "archive.path-traversal"))
        #expect(bytesContain(result.stderr, "archive.absolute-path"))
        let everything = FileManager.default.enumerator(atPath: dir.path)!.allObjects as! [String]
        #expect(everything.filter { $0.hasSuffix(".eml") } == ["out/Inbox/0000000001-d.eml"], "\(everything)")
    }

    /// An .ics into Zimbra's layout: every event and task written as an .appt/.task pair (nothing
    /// skipped, exit 0), and the archive converts back to the same events.
    @Test func icsBecomesAZimbraArchiveAndBack() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ics = FerryCLI.fixtures.appendingPathComponent("calendar/google.ics").path
        let tgz = dir.appendingPathComponent("cal.tgz").path
        let result = try FerryCLI.run(["convert", ics, "-o", tgz, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let line = result.stderr.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(result.stderr)")
        #expect((summary["skipped"] as? [String: Int] ?? [:]).isEmpty, "\(line)")
        #expect(summary["written"] as? [String: Int] == ["calendar": 4], "\(line)")
        #expect(summary["read"] as? [String: Int] == ["calendar": 4], "\(line)")
        let back = dir.appendingPathComponent("back.ics").path
        let reverse = try FerryCLI.run(["convert", tgz, "-o", back])
        #expect(reverse.status == 0, "\(reverse.stderr)")
        let text = try String(contentsOfFile: back, encoding: .utf8)
        let original = try String(contentsOfFile: ics, encoding: .utf8)
        for marker in ["SUMMARY:Stand-up\r\n", "SUMMARY:Stand-up (moved)\r\n",
                       "RECURRENCE-ID;TZID=Europe/Berlin:20240319T093000\r\n", "EXDATE;TZID=Europe/Berlin:20240402T093000\r\n",
                       "BEGIN:VALARM\r\n", "TZID:Europe/Berlin\r\n"] {
            #expect(bytesContain(original, marker) && bytesContain(text, marker), "\(marker)")
        }
        #expect(occurrences("BEGIN:VEVENT", in: text) == occurrences("BEGIN:VEVENT", in: original))
        #expect(!bytesContain(text, "METHOD:") && !bytesContain(text, "multipart"))
    }
}

extension FerryCLI {
    static func runTool(_ path: String, _ arguments: [String]) throws -> Result? {
        guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: data, stderr: "")
    }
}

/// Byte-level search (Swift strings compare "\r\n" as one character, so "\n" is not found inside it).
func occurrences(_ needle: String, in haystack: String) -> Int {
    let h = Array(haystack.utf8), n = Array(needle.utf8)
    guard !n.isEmpty, h.count >= n.count else { return 0 }
    var count = 0
    var i = 0
    while i <= h.count - n.count {
        if h[i] == n[0] && Array(h[i..<(i + n.count)]) == n { count += 1; i += n.count } else { i += 1 }
    }
    return count
}

func bytesContain(_ haystack: String, _ needle: String) -> Bool { occurrences(needle, in: haystack) > 0 }
