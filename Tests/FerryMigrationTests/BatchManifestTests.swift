import FerryMigration
import Testing

@Suite struct BatchManifestTests {
    @Test func csvWithHeaderQuotesAndOptions() throws {
        let text = """
            input,output,account,options
            exports/alice.tgz,out/alice/,,mail-format=mbox
            "exports/bob, jr.tgz",/abs/bob.tgz,bob,to=tgz
            # a comment
            """
        let jobs = try BatchManifest.parse(text, name: "m.csv", baseDirectory: "/batch")
        #expect(jobs.count == 2)
        #expect(jobs[0].account == "alice")
        #expect(jobs[0].input == "/batch/exports/alice.tgz")
        #expect(jobs[0].options == ["mail-format": "mbox"])
        #expect(jobs[1].input == "/batch/exports/bob, jr.tgz")
        #expect(jobs[1].output == "/abs/bob.tgz")
        #expect(jobs[1].options == ["to": "tgz"])
        #expect(jobs[1].position == 1)
    }

    @Test func jsonLinesAndMistakes() throws {
        let text = """
            {"input":"a.tgz","output":"a/","options":{"contacts-csv":"outlook-2003-csv"}}
            {"input":"b.zip","output":"b/","account":"b@example.com"}
            """
        let jobs = try BatchManifest.parse(text, name: "m.jsonl", baseDirectory: ".")
        #expect(jobs.map(\.account) == ["a", "b@example.com"])
        #expect(jobs[0].options["contacts-csv"] == "outlook-2003-csv")
        // The same account twice, the same output twice, an unknown option, a row without output.
        #expect(throws: (any Error).self) { try BatchManifest.parse("a.tgz,x/\nother/a.tgz,y/\n", name: "m.csv", baseDirectory: ".") }
        #expect(throws: (any Error).self) { try BatchManifest.parse("a.tgz,x/\nb.tgz,x\n", name: "m.csv", baseDirectory: ".") }
        #expect(throws: (any Error).self) { try BatchManifest.parse("a.tgz,x/,,colour=red\n", name: "m.csv", baseDirectory: ".") }
        #expect(throws: (any Error).self) { try BatchManifest.parse("a.tgz\n", name: "m.csv", baseDirectory: ".") }
    }

    @Test func shardsPartitionTheAccounts() throws {
        #expect(try Shard.parse("1/4") == Shard(index: 1, count: 4))
        #expect(try Shard.parse("auto/3", environment: ["JOB_COMPLETION_INDEX": "2"]) == Shard(index: 2, count: 3))
        #expect(throws: (any Error).self) { try Shard.parse("auto/3", environment: [:]) }
        #expect(throws: (any Error).self) { try Shard.parse("4/4") }
        #expect(throws: (any Error).self) { try Shard.parse("x") }
        let jobs = (0..<10).map { BatchJob(account: "a\($0)", input: "i\($0)", output: "o\($0)", position: $0) }
        var seen: [Int] = []
        for i in 0..<4 { seen += jobs.filter { Shard(index: i, count: 4).takes($0) }.map(\.position) }
        #expect(seen.sorted() == Array(0..<10))
    }
}
