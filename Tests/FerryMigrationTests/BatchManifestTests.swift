import FerryMigration
import XCTest

final class BatchManifestTests: XCTestCase {
    func testCSVWithHeaderQuotesAndOptions() throws {
        let text = """
            input,output,account,options
            exports/alice.tgz,out/alice/,,mail-format=mbox
            "exports/bob, jr.tgz",/abs/bob.tgz,bob,to=tgz
            # a comment
            """
        let jobs = try BatchManifest.parse(text, name: "m.csv", baseDirectory: "/batch")
        XCTAssertEqual(jobs.count, 2)
        XCTAssertEqual(jobs[0].account, "alice")
        XCTAssertEqual(jobs[0].input, "/batch/exports/alice.tgz")
        XCTAssertEqual(jobs[0].options, ["mail-format": "mbox"])
        XCTAssertEqual(jobs[1].input, "/batch/exports/bob, jr.tgz")
        XCTAssertEqual(jobs[1].output, "/abs/bob.tgz")
        XCTAssertEqual(jobs[1].position, 1)
    }

    func testJSONLinesAndDuplicates() throws {
        let text = """
            {"input":"a.tgz","output":"a/","options":{"contacts-csv":"outlook-2003-csv"}}
            {"input":"b.zip","output":"b/","account":"b@example.com"}
            """
        let jobs = try BatchManifest.parse(text, name: "m.jsonl", baseDirectory: ".")
        XCTAssertEqual(jobs.map(\.account), ["a", "b@example.com"])
        XCTAssertEqual(jobs[0].options["contacts-csv"], "outlook-2003-csv")
        XCTAssertThrowsError(try BatchManifest.parse("a.tgz,x/\nother/a.tgz,y/\n", name: "m.csv", baseDirectory: "."))
        XCTAssertThrowsError(try BatchManifest.parse("a.tgz,x/,,colour=red\n", name: "m.csv", baseDirectory: "."))
        XCTAssertThrowsError(try BatchManifest.parse("a.tgz\n", name: "m.csv", baseDirectory: "."))
    }

    func testShards() throws {
        XCTAssertEqual(try Shard.parse("1/4"), Shard(index: 1, count: 4))
        XCTAssertEqual(try Shard.parse("auto/3", environment: ["JOB_COMPLETION_INDEX": "2"]), Shard(index: 2, count: 3))
        XCTAssertThrowsError(try Shard.parse("auto/3", environment: [:]))
        XCTAssertThrowsError(try Shard.parse("4/4"))
        XCTAssertThrowsError(try Shard.parse("x"))
        let jobs = (0..<10).map { BatchJob(account: "a\($0)", input: "i\($0)", output: "o\($0)", position: $0) }
        var seen: [Int] = []
        for i in 0..<4 { seen += jobs.filter { Shard(index: i, count: 4).takes($0) }.map(\.position) }
        XCTAssertEqual(seen.sorted(), Array(0..<10))
    }
}
