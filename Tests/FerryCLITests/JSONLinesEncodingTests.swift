import Foundation
import Testing
import FerryCore
import FerryPipeline

/// The json writer's own encoder writes exactly what JSONSerialization writes (same bytes, same key order).
@Suite struct JSONLinesEncodingTests {
    static func reference(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    @Test func sameBytesAsJSONSerialization() throws {
        let objects: [[String: Any]] = [
            ["title": "Crème \"brûlée\" \\ / 東京 ✓", "Title": "upper", "titleType": "html", "a": 1, "B": true, "c": false,
             "ctrl": "\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f}\u{7f}\u{2028}", "n": -42, "empty": "", "list": [1, "x", ["y": [String: Any]()]]],
            ["X-Mailer": "a", "x-b": "b", "Date": "d", "date": "e", "a10": 1, "a2": 2, "A1": 3, "under_score": 4, "dash-key": 5, "dot.key": 6,
             "kind": "message", "metadata": ["date": "2024-01-05T10:00:00Z", "extra": ["zimbra.id": "257", "Z": "z"]]],
            ["feed": ["version": "rss20", "title": "Café", "link": "http://x/?a=1&b=2", "id": ""], "links": [["href": "h", "rel": "alternate"]],
             "categories": ["b", "a"], "enclosures": [["url": "u", "length": 48213]]],
        ]
        for object in objects {
            let fast = try #require(JSONLinesWriter.encode(object))
            #expect(String(decoding: fast, as: UTF8.self) == String(decoding: try Self.reference(object), as: UTF8.self))
        }
        // Floating point is left to JSONSerialization.
        #expect(JSONLinesWriter.encode(["x": 1.5]) == nil)
    }

    /// Generated strings (every ASCII byte, control characters, non-ASCII, runs of any length between
    /// escapes) give the same bytes as JSONSerialization.
    @Test func generatedStringsSameBytesAsJSONSerialization() throws {
        var state: UInt64 = 0x5EED
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let pieces: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) } + ["é", "東京", "✓", "\u{2028}", "😀", "abcdefgh", "plain text run "]
        for _ in 0..<2_000 {
            var object: [String: Any] = [:]
            for k in 0..<(1 + next() % 4) {
                var text = ""
                for _ in 0..<(next() % 40) { text += pieces[next() % pieces.count] }
                object["k\(k)"] = text
            }
            let fast = try #require(JSONLinesWriter.encode(object))
            #expect(fast == (try Self.reference(object)))
        }
    }

    /// Every feed fixture converted to json through the CLI parses back to what the reader produced.
    @Test func feedFixturesThroughTheFastPath() throws {
        for name in ["wordpress.rss", "zimbra-inbox.atom", "broken-0.91.rss", "wrong-charset.rss", "blogger-0.3.atom", "slashdot-1.0.rdf"] {
            let path = FerryCLI.fixtures.appendingPathComponent("feeds/" + name).path
            let r = try FerryCLI.run(["convert", path, "--to", "json", "-o", "-"])
            #expect(r.status == 0)
            for line in r.out.split(separator: "\n") {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(String(decoding: try Self.reference(object), as: UTF8.self) == String(line), "\(name)")
            }
        }
    }
}
