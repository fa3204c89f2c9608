import FerryCore
import FerryPipeline
import Foundation
import Testing

/// `ferry convert` exploding a whole account into a tree and assembling it back; `ferry batch` usage.
@Suite struct MigrationCLITests {
    static let export = FerryCLI.fixtures.appendingPathComponent("migration/account-export.tgz").path

    static func items(_ path: String) throws -> [Item] {
        let converter = Converter(log: DiagnosticLog(), progress: .never)
        let opened = try converter.openInput(path, declared: nil)
        let reader = try opened.format.makeReader(opened.input, options: ReadOptions(), log: DiagnosticLog())
        var items: [Item] = []
        while let item = try reader.next() { items.append(item) }
        return items
    }

    static func signature(_ item: Item) -> String {
        let bytes = item.payload.originalBytes.map { b -> String in
            var h = 0
            for x in b { h = (h &* 31 &+ Int(x)) & 0xFFFFFF }
            return "\(b.count):\(h)"
        }
        let m = item.metadata
        return "\(item.kind.rawValue) \(m.folder ?? "-") \(m.flags.sorted()) \(m.tags) \(m.id ?? "-") \(bytes ?? "-") \(m.extra["zimbra.meta"] ?? "")"
    }

    @Test func explodeThenAssembleGivesTheSameExport() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let tree = dir.appendingPathComponent("alice").path + "/"
        let explode = try FerryCLI.run(["convert", Self.export, "-o", tree])
        let manifest = try String(contentsOfFile: tree + "manifest.json", encoding: .utf8)
        // Every item of the fixture converts (appointments and tasks as iCalendar): exit 0.
        #expect(!manifest.contains("\"status\":\"skipped\""))
        #expect(explode.status == 0)
        #expect(FileManager.default.fileExists(atPath: tree + "mail/cur"))
        #expect(FileManager.default.fileExists(atPath: tree + "contacts/Contacts.vcf"))
        #expect(FileManager.default.fileExists(atPath: tree + "files/Briefcase/report.txt"))
        let back = dir.appendingPathComponent("alice.tgz").path
        let assemble = try FerryCLI.run(["convert", tree, "-o", back])
        #expect(assemble.status == 0, "\(assemble.stderr)")
        #expect(try Self.items(Self.export).map(Self.signature).sorted() == Self.items(back).map(Self.signature).sorted())
        // Writing into the same, now non-empty, directory is refused and leaves it alone.
        let again = try FerryCLI.run(["convert", Self.export, "--to", "account", "-o", tree])
        #expect(again.status == 2)
        #expect(again.stderr.contains("not empty"))
    }

    @Test func mailFormatAndOpenXchangeOptions() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let tree = dir.appendingPathComponent("mbox-tree").path
        let result = try FerryCLI.run(["convert", Self.export, "--to", "account", "--mail-format", "mbox",
                                       "--contacts-csv", "outlook-2003-csv", "-o", tree])
        #expect(result.status <= 1)
        #expect(FileManager.default.fileExists(atPath: tree + "/mail/Inbox/Projects.mbox"))
        #expect(FileManager.default.fileExists(atPath: tree + "/contacts/Work Contacts.csv"))
        let ox = dir.appendingPathComponent("ox").path
        let oxResult = try FerryCLI.run(["convert", Self.export, "--to", "ox", "-o", ox])
        #expect(oxResult.status <= 1)
        let drafts = try FileManager.default.contentsOfDirectory(atPath: ox + "/mail/Drafts")
        #expect(drafts.count == 1 && drafts[0].hasSuffix(".eml"))
        #expect(FileManager.default.fileExists(atPath: ox + "/contacts/Contacts.csv"))
        let bad = try FerryCLI.run(["convert", Self.export, "--to", "account", "--mail-format", "pst", "-o",
                                    dir.appendingPathComponent("bad").path])
        #expect(bad.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad").path))
    }

    @Test func batchUsageErrorsAndFailedAccounts() throws {
        let dir = try FerryCLI.temporaryDirectory()
        #expect(try FerryCLI.run(["batch", dir.appendingPathComponent("none.csv").path]).status == 2)
        let manifest = dir.appendingPathComponent("m.jsonl").path
        let lines = """
            {"input":"\(Self.export)","output":"out/alice.tgz","account":"alice"}
            {"input":"missing.tgz","output":"out/bob/","account":"bob"}
            {"input":"\(Self.export)","output":"out/carol/","account":"carol","options":{"mail-format":"mbox"}}
            {"input":"\(FerryCLI.fixtures.path)/archives/takeout.mbox","output":"out/dave","account":"dave","options":{"to":"maildir"}}
            """
        try Data(lines.utf8).write(to: URL(fileURLWithPath: manifest))
        #expect(try FerryCLI.run(["batch", manifest, "--shard", "3/2"]).status == 2)
        #expect(try FerryCLI.run(["batch", manifest, "--shard", "auto/2"]).status == 2)
        // Shard 0 of 2 by the Kubernetes index: alice and carol; a terminal-style progress line.
        let shard = try FerryCLI.run(["batch", manifest, "--shard", "auto/2", "--progress", "tty", "--json"],
                                     environment: ["JOB_COMPLETION_INDEX": "0"])
        #expect(shard.stderr.contains("2/2 accounts"))
        let summary = try JSONSerialization.jsonObject(with: shard.stdout) as? [String: Any]
        #expect((summary?["results"] as? [[String: Any]])?.compactMap { $0["account"] as? String } == ["alice", "carol"])
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/alice.tgz").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/carol/mail/Inbox.mbox").path))
        // The whole batch: bob's input is missing, so bob fails (exit 2) and the others stay done.
        let all = try FerryCLI.run(["batch", manifest, "--json"])
        #expect(all.status == 2)
        let whole = try JSONSerialization.jsonObject(with: all.stdout) as? [String: Any]
        #expect(whole?["alreadyDone"] as? Int == 2)
        #expect((whole?["accounts"] as? [String: Int])?["failed"] == 1)
        // dave's Maildir was built aside and renamed into place.
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/dave/cur").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)
                    .filter { $0.hasPrefix(".") }.isEmpty)
        let log = try String(contentsOfFile: dir.appendingPathComponent("m.jsonl.ferry/logs/bob.log").path, encoding: .utf8)
        #expect(log.contains("missing.tgz"))
        // An output that exists and is not this batch's is left alone.
        let other = dir.appendingPathComponent("other.csv").path
        try FileManager.default.createDirectory(atPath: dir.appendingPathComponent("taken/x").path, withIntermediateDirectories: true)
        try Data("\(Self.export),taken,dave\n".utf8).write(to: URL(fileURLWithPath: other))
        #expect(try FerryCLI.run(["batch", other]).status == 2)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("taken/x").path))
    }
}
