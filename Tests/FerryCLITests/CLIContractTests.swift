import Foundation
import Testing

@Suite struct CLIContractTests {
    @Test func helpEverywhere() throws {
        for sub in [[], ["convert"], ["validate"], ["freebusy"], ["inspect"], ["formats"]] {
            let r = try FerryCLI.run(sub + ["--help"])
            #expect(r.status == 0, "\(sub)")
            #expect(r.out.contains("USAGE:"), "\(sub)")
        }
    }

    @Test func usageErrorsExitTwo() throws {
        let missing = try FerryCLI.run(["convert"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("Missing expected argument"))
        let badTime = try FerryCLI.run(["convert", "x.ics", "--start", "-2Days", "-o", "-", "--to", "ics"])
        #expect(badTime.status == 2)
        #expect(badTime.stderr.contains("--start '-2Days'"))
        #expect(badTime.stderr.contains("accepted forms"))
        let badZone = try FerryCLI.run(["convert", "x.ics", "--tz", "Mars/Olympus", "--to", "ics"])
        #expect(badZone.status == 2)
        #expect(badZone.stderr.contains("unknown time zone 'Mars/Olympus'"))
        let badCharset = try FerryCLI.run(["convert", "x.csv", "--charset", "klingon-8", "--to", "csv"])
        #expect(badCharset.status == 2)
        #expect(badCharset.stderr.contains("unknown charset 'klingon-8'"))
    }

    @Test func missingInputIsAnIOError() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let r = try FerryCLI.run(["inspect", dir.appendingPathComponent("nope.csv").path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("nope.csv: error: cannot open"))
    }

    @Test func formatsListsEveryName() throws {
        let r = try FerryCLI.run(["formats", "--json"])
        #expect(r.status == 0)
        let rows = try JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]] ?? []
        let names = Set(rows.compactMap { $0["name"] as? String })
        for name in ["eml", "sync", "mbox", "maildir", "zip", "tar", "tgz", "csv", "vcf", "ics", "ifb", "atom", "rss", "json"] {
            #expect(names.contains(name), "\(name)")
        }
    }

    @Test func charsetsListIncludesLegacyNames() throws {
        let r = try FerryCLI.run(["formats", "--charsets"])
        #expect(r.status == 0)
        for alias in ["windows-1252", "windows-31j", "GBK", "EUC-JP", "ISO-2022-JP", "KOI8-R", "Big5"] {
            #expect(r.out.localizedCaseInsensitiveContains(alias), "\(alias)")
        }
    }

    @Test func inspectReportsCharsetAndLineEndings() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let file = dir.appendingPathComponent("sample.txt")
        // "Müller,Köln" in windows-1252 with CRLF line ends.
        try Data([0x4E, 0x61, 0x6D, 0x65, 0x2C, 0x43, 0x69, 0x74, 0x79, 0x0D, 0x0A,
                  0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x2C, 0x4B, 0xF6, 0x6C, 0x6E, 0x0D, 0x0A]).write(to: file)
        let r = try FerryCLI.run(["inspect", file.path, "--json"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any] ?? [:]
        #expect(object["lines"] as? Int == 2)
        #expect((object["lineEndings"] as? [String: Int])?["CRLF"] == 2)
        #expect(object["size"] as? Int == 24)
    }

    /// Charset detection end to end on the detection corpus (Fixtures/charsets/detection): the
    /// Central-European and Cyrillic traps of the reference, a CJK file, and a guess too thin to trust.
    @Test func inspectDetectsLegacyCharsets() throws {
        let corpus = FerryCLI.fixtures.appendingPathComponent("charsets/detection")
        for (file, charset) in [("pl.tiny.iso8859_2.csv", "ISO-8859-2"), ("cs.tiny.cp1250.csv", "windows-1250"),
                                ("ru.tiny.koi8_r.csv", "KOI8-R"), ("ja.small.cp932.csv", "Windows-31J")] {
            let r = try FerryCLI.run(["inspect", corpus.appendingPathComponent(file).path, "--json"])
            #expect(r.status == 0, "\(file): \(r.stderr)")
            let object = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any] ?? [:]
            let guess = object["charset"] as? [String: Any] ?? [:]
            #expect(guess["name"] as? String == charset, "\(file): \(guess)")
            #expect(guess["lowConfidence"] as? Bool == false)
        }
        // Declared charset wins.
        let declared = try FerryCLI.run(["inspect", corpus.appendingPathComponent("pl.tiny.iso8859_2.csv").path,
                                         "--charset", "windows-1250", "--json"])
        #expect(declared.out.contains("\"declared\""))
        // One accented letter in plain text (no CSV dialect to lend a prior): reported, but flagged.
        let dir = try FerryCLI.temporaryDirectory()
        let tiny = dir.appendingPathComponent("tiny.txt")
        try Data("Name\nRen".utf8 + [0xE8] + "\n".utf8).write(to: tiny)
        let text = try FerryCLI.run(["inspect", tiny.path])
        #expect(text.status == 0)
        #expect(text.out.contains("low confidence"), "\(text.out)")
    }
}
