import FerryCore
import FerryPipeline
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `ferry batch`: 50 generated accounts, killed midway and rerun; the same batch in 4 shards under
/// GNU parallel.
@Suite(.serialized) struct BatchCLITests {
    static let accounts = 50

    /// Messages in account i (so every account's output can be checked for duplicates).
    static func messageCount(_ i: Int) -> Int { 2 + i % 4 }

    /// Writes 50 Zimbra-layout exports (mail in two folders + an address book) and the manifest.
    /// Account 7 is the whole-account fixture with one appointment blob that holds no calendar: it is kept
    /// under unconverted/ and counted as skipped, so account 7 ends "skipped" and the batch exits 1.
    static func makeBatch() throws -> URL {
        let dir = try FerryCLI.temporaryDirectory()
        let inputs = dir.appendingPathComponent("exports")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        var manifest = "input,output,account\n"
        for i in 0..<accounts {
            let name = String(format: "user%02d", i)
            let tgz = inputs.appendingPathComponent(name + ".tgz").path
            if i == 7 {
                try FileManager.default.copyItem(atPath: FerryCLI.fixtures.appendingPathComponent("migration/account-export-unreadable-appt.tgz").path,
                                                 toPath: tgz)
            } else {
                var mbox = ""
                for m in 0..<messageCount(i) {
                    mbox += "From \(name)@example.org Mon Jan  1 10:0\(m):00 2024\n"
                        + "From: Sender \(m) <s\(m)@example.org>\nTo: \(name)@example.org\n"
                        + "Subject: message \(m) for \(name)\nMessage-ID: <\(m).\(name)@example.org>\n"
                        + "X-Gmail-Labels: \(m % 2 == 0 ? "Inbox" : "Archive")\n\nBody \(m) of \(name).\n\n"
                }
                let vcf = "BEGIN:VCARD\nVERSION:3.0\nFN:Friend of \(name)\nEMAIL:friend.\(name)@example.org\nEND:VCARD\n"
                let mboxPath = dir.appendingPathComponent(name + ".mbox").path
                let vcfPath = dir.appendingPathComponent(name + ".vcf").path
                try Data(mbox.utf8).write(to: URL(fileURLWithPath: mboxPath))
                try Data(vcf.utf8).write(to: URL(fileURLWithPath: vcfPath))
                let request = ConversionRequest(inputs: [mboxPath, vcfPath], output: tgz, from: nil, to: nil)
                _ = try Converter(log: DiagnosticLog(), progress: .never).run(request)
            }
            manifest += "exports/\(name).tgz,accounts/\(name)/,\(name)\n"
        }
        try Data(manifest.utf8).write(to: dir.appendingPathComponent("batch.csv"))
        return dir
    }

    static func journal(_ state: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: state.appendingPathComponent("journal.jsonl"), encoding: .utf8)
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func summary(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
    }

    /// Messages in an exploded account's Maildir (every folder).
    static func maildirMessages(_ account: URL) -> Int {
        let mail = account.appendingPathComponent("mail").path
        let files = FileManager.default.enumerator(atPath: mail)?.allObjects as? [String] ?? []
        return files.filter { $0.contains("cur/") || $0.hasPrefix("cur/") }.count
    }

    /// Every account converted once, with its output complete and no leftovers.
    static func checkOutputs(_ dir: URL, journalRecords: [[String: Any]]) {
        for i in 0..<accounts {
            let name = String(format: "user%02d", i)
            let finished = journalRecords.filter { $0["event"] as? String == "finished" && $0["account"] as? String == name }
            #expect(finished.count == 1, "\(name) finished \(finished.count) times")
            let status = (finished.first?["result"] as? [String: Any])?["status"] as? String
            #expect(status == (i == 7 ? "skipped" : "ok"), "\(name): \(status ?? "none")")
            let account = dir.appendingPathComponent("accounts/\(name)")
            #expect(FileManager.default.fileExists(atPath: account.appendingPathComponent("manifest.json").path))
            #expect(maildirMessages(account) == (i == 7 ? 7 : messageCount(i)), "\(name)")
        }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("accounts").path)) ?? []
        #expect(leftovers.filter { $0.hasPrefix(".") }.isEmpty, "leftovers: \(leftovers.filter { $0.hasPrefix(".") })")
    }

    @Test func killedMidwayAndRerunConvertsEveryAccountOnce() throws {
        let dir = try Self.makeBatch()
        let manifest = dir.appendingPathComponent("batch.csv").path
        let state = dir.appendingPathComponent("batch.csv.ferry")
        // First run, slowed down so it is surely killed in the middle.
        let process = Process()
        process.executableURL = FerryCLI.executable
        process.arguments = ["batch", manifest, "--jobs", "2", "--progress", "none"]
        process.environment = ProcessInfo.processInfo.environment.merging(["FERRY_BATCH_PACE_MS": "150"]) { $1 }
        process.standardError = FileHandle.nullDevice
        try process.run()
        var finishedAtKill = 0
        for _ in 0..<3000 {
            usleep(10_000)
            finishedAtKill = ((try? Self.journal(state)) ?? []).filter { $0["event"] as? String == "finished" }.count
            if finishedAtKill >= 10 { break }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let afterKill = try Self.journal(state)
        let finishedBefore = Set(afterKill.filter { $0["event"] as? String == "finished" }.compactMap { $0["account"] as? String })
        let startedBefore = Set(afterKill.filter { $0["event"] as? String == "started" }.compactMap { $0["account"] as? String })
        #expect(finishedBefore.count >= 10 && finishedBefore.count < Self.accounts)
        let interrupted = startedBefore.subtracting(finishedBefore)

        // The rerun skips what was finished, redoes the interrupted accounts, and does the rest.
        let rerun = try FerryCLI.run(["batch", manifest, "--json", "--progress", "json"])
        #expect(rerun.status == 1)   // account 7 had skipped items
        let records = try Self.journal(state)
        Self.checkOutputs(dir, journalRecords: records)
        for name in interrupted {
            #expect(records.filter { $0["event"] as? String == "started" && $0["account"] as? String == name }.count == 2)
        }
        for name in finishedBefore {
            #expect(records.filter { $0["event"] as? String == "started" && $0["account"] as? String == name }.count == 1)
        }
        let summary = try Self.summary(state.appendingPathComponent("summary.json"))
        #expect(summary["alreadyDone"] as? Int == finishedBefore.count)
        #expect(summary["convertedNow"] as? Int == Self.accounts - finishedBefore.count)
        #expect(summary["accounts"] as? [String: Int] == ["ok": Self.accounts - 1, "skipped": 1])
        let expectedMessages = (0..<Self.accounts).reduce(0) { $0 + ($1 == 7 ? 7 : Self.messageCount($1)) }
        #expect((summary["items"] as? [String: Int])?["message"] == expectedMessages)
        #expect((summary["skipped"] as? [String: Int]) == ["calendar": 1])
        // stdout holds the same summary; stderr the JSON progress lines, ending with the end event.
        let printed = try JSONSerialization.jsonObject(with: rerun.stdout) as? [String: Any]
        #expect(printed?["convertedNow"] as? Int == summary["convertedNow"] as? Int)
        let progress = rerun.stderr.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(progress.last?["event"] as? String == "end")
        #expect(progress.last?["done"] as? Int == Self.accounts - finishedBefore.count)
        // Per-account logs.
        let log = try String(contentsOf: state.appendingPathComponent("logs/user07.log"), encoding: .utf8)
        #expect(log.contains("skipped"))

        // A third run has nothing to do.
        let third = try FerryCLI.run(["batch", manifest, "--json"])
        let thirdSummary = try JSONSerialization.jsonObject(with: third.stdout) as? [String: Any]
        #expect(thirdSummary?["convertedNow"] as? Int == 0)
        #expect(thirdSummary?["alreadyDone"] as? Int == Self.accounts)
    }

    @Test func fourShardsUnderGNUParallelGiveTheSameResult() throws {
        let whole = try Self.makeBatch()
        // The same exports, byte for byte, for the sharded run.
        let sharded = try FerryCLI.temporaryDirectory()
        for name in ["exports", "batch.csv"] {
            try FileManager.default.copyItem(at: whole.appendingPathComponent(name), to: sharded.appendingPathComponent(name))
        }
        let one = try FerryCLI.run(["batch", whole.appendingPathComponent("batch.csv").path, "--progress", "none"])
        #expect(one.status == 1)
        let wholeSummary = try Self.summary(whole.appendingPathComponent("batch.csv.ferry/summary.json"))

        let manifest = sharded.appendingPathComponent("batch.csv").path
        let parallel = Process()
        parallel.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        parallel.arguments = ["parallel", "--will-cite", "-j4", FerryCLI.executable.path, "batch", manifest,
                              "--jobs", "1", "--progress", "none", "--shard", "{}/4", ":::", "0", "1", "2", "3"]
        parallel.standardOutput = FileHandle.nullDevice
        parallel.standardError = FileHandle.nullDevice
        try parallel.run()
        parallel.waitUntilExit()
        #expect(parallel.terminationStatus == 1)   // parallel's status: the number of failed jobs (the shard with account 7)
        let state = sharded.appendingPathComponent("batch.csv.ferry")
        Self.checkOutputs(sharded, journalRecords: try Self.journal(state))
        var results: [String: [String: Any]] = [:]
        for i in 0..<4 {
            let summary = try Self.summary(state.appendingPathComponent("summary-shard-\(i)-of-4.json"))
            #expect(summary["shard"] as? String == "\(i)/4")
            for result in summary["results"] as? [[String: Any]] ?? [] {
                let name = result["account"] as! String
                #expect(results[name] == nil)
                #expect(Int(name.dropFirst(4))! % 4 == i)
                results[name] = result
            }
        }
        let wholeResults = wholeSummary["results"] as? [[String: Any]] ?? []
        #expect(results.count == wholeResults.count && wholeResults.count == Self.accounts)
        for result in wholeResults {
            let name = result["account"] as! String
            for key in ["status", "items", "skipped", "skipReasons", "bytesIn"] {
                let a = results[name]?[key].map { [$0] as NSArray } ?? []
                let b = result[key].map { [$0] as NSArray } ?? []
                #expect(a.isEqual(b), "\(name) \(key): \(a) vs \(b)")
            }
        }
    }
}
