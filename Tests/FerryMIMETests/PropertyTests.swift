import Foundation
import Testing
import FerryCore
@testable import FerryMIME

/// Generated messages: random trees of multiparts, embedded messages and leaves with random
/// boundaries, encodings, line endings, preambles and epilogues — and broken ones.
struct MessageGenerator {
    var rng: SeededRandom
    var newline = "\r\n"

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func text(_ lines: Int) -> String {
        let words = ["From", "the", "--", "boundary", "=3D", "café", "日本語", "-- ", ">From", "data", "=?utf-8?q?x?=", ""]
        return (0..<lines).map { _ in (0..<Int.random(in: 0...8, using: &rng)).map { _ in pick(words) }.joined(separator: " ") }
            .joined(separator: newline)
    }

    mutating func headers(_ extra: [String]) -> String {
        var fields = extra
        if chance(0.7) { fields.append("Subject: =?UTF-8?B?" + Data("Grüße \(Int.random(in: 0...99, using: &rng))".utf8).base64EncodedString() + "?=") }
        if chance(0.5) { fields.append("X-Folded: one\(newline)\ttwo\(newline) three") }
        fields.shuffle(using: &rng)
        return fields.joined(separator: newline) + newline
    }

    /// An entity; `expected` counts the parts (for the shape check).
    mutating func entity(depth: Int) -> String {
        let roll = depth > 3 ? 0 : Int.random(in: 0..<6, using: &rng)
        switch roll {
        case 0, 1, 2:
            let encoding = pick(["7bit", "8bit", "base64", "quoted-printable"])
            var body = text(Int.random(in: 0...6, using: &rng))
            if encoding == "base64" {
                body = Data(body.utf8).base64EncodedString(options: .lineLength76Characters).replacingOccurrences(of: "\r\n", with: newline)
            }
            return headers(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: \(encoding)"])
                + newline + body
        case 3:
            return headers(["Content-Type: message/rfc822"]) + newline + entity(depth: depth + 1)
        default:
            let boundary = pick(["b", "----=_Part_\(depth)", "Apple-Mail=_X\(depth)", "000000000000abc\(depth)", "a'b(c)+_,-./:=?"])
                + "\(Int.random(in: 0...9, using: &rng))"
            var out = headers(["Content-Type: multipart/\(pick(["mixed", "alternative", "related"])); boundary=\"\(boundary)\""])
            out += newline
            if chance(0.5) { out += text(2) + newline }
            let children = Int.random(in: 0...4, using: &rng)
            for _ in 0..<children {
                out += "--\(boundary)" + (chance(0.2) ? " \t" : "") + newline + entity(depth: depth + 1) + newline
            }
            if chance(0.85) {
                out += "--\(boundary)--" + newline
                if chance(0.5) { out += text(2) }
            }
            return out
        }
    }

    mutating func message() -> [UInt8] {
        newline = pick(["\r\n", "\n"])
        let top = headers(["From: a@example.com", "Date: Mon, 1 Jan 2024 00:00:00 +0000", "MIME-Version: 1.0"])
        let body = entity(depth: 0)
        return Array((chance(0.1) ? "" : top).utf8) + Array(body.utf8)
    }
}

@Suite struct PropertyTests {
    @Test func generatedMessagesRoundTripAndTile() throws {
        var generator = MessageGenerator(rng: SeededRandom(2024))
        for i in 0..<400 {
            let raw = generator.message()
            let message = try MIMEParser.parse(raw)
            #expect(losslessProblems(message, raw) == nil, "message \(i)")
            let chunked = try MIMEParser().parse(MemorySource(raw, maxChunk: 5))
            #expect(chunked.segments() == message.segments(), "message \(i) chunked")
        }
    }

    @Test func mutatedInputsNeverLoseBytes() throws {
        var rng = SeededRandom(99)
        let seeds = try Fixtures.names.map { try Fixtures.bytes($0) }
        var generator = MessageGenerator(rng: SeededRandom(5))
        let corpus = seeds + (0..<40).map { _ in generator.message() }
        let alphabet: [UInt8] = Array("-\r\n:=?\" ;\t<>()@,Bb".utf8) + [0, 0x80, 0xFF]
        for (n, seed) in corpus.enumerated() {
            for round in 0..<25 {
                var bytes = seed
                for _ in 0..<Int.random(in: 1...8, using: &rng) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0: bytes.remove(at: at)
                    case 1: bytes.insert(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)], at: at)
                    case 2: bytes[at] = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
                    default: bytes.removeSubrange(at...)  // truncation
                    }
                }
                let message = try MIMEParser.parse(bytes)
                #expect(losslessProblems(message, bytes) == nil, "corpus \(n) round \(round)")
                // Every part's content can be decoded and every header read without trapping.
                for part in message.parts {
                    _ = try message.decodedContent(of: part)
                    _ = part.filename
                    for field in part.header.fields { _ = field.text() }
                }
                _ = message.jsonObject()
            }
        }
    }

    @Test func emptyAndTinyInputs() throws {
        for raw in ["", "\n", "\r\n", "-", "--", "a", ":", "\r", "From ", "Content-Type: multipart/mixed; boundary=x\n\n--x"] {
            let bytes = Array(raw.utf8)
            let message = try MIMEParser.parse(bytes)
            #expect(losslessProblems(message, bytes) == nil, "\(raw.debugDescription)")
        }
    }
}

@Suite struct LimitTests {
    @Test func deepNestingIsKeptButNotInterpreted() throws {
        var raw = ""
        for level in 0..<300 { raw += "Content-Type: multipart/mixed; boundary=\"b\(level)\"\r\n\r\n--b\(level)\r\n" }
        raw += "Content-Type: text/plain\r\n\r\ndeep\r\n"
        for level in (0..<300).reversed() { raw += "--b\(level)--\r\n" }
        let bytes = Array(raw.utf8)
        let message = try MIMEParser.parse(bytes)
        #expect(losslessProblems(message, bytes) == nil)
        #expect(message.warnings.contains { $0.code == "mime.depth-limit" })
        var depth = 0
        var part = message.root
        while let child = part.children.first { part = child; depth += 1 }
        #expect(depth == 100)
    }

    @Test func headerLimits() throws {
        var options = MIMEParserOptions()
        options.maxHeaderFields = 50
        options.maxLineLength = 1000
        var raw = (0..<200).map { "X-Field-\($0): value" }.joined(separator: "\r\n")
        raw += "\r\nX-Long: " + String(repeating: "x", count: 5000) + "\r\n\r\nbody\r\n"
        let bytes = Array(raw.utf8)
        let message = try MIMEParser.parse(bytes, options: options)
        #expect(losslessProblems(message, bytes) == nil)
        #expect(message.header.fields.count == 50)
        #expect(message.header.complete == false)
        #expect(message.warnings.map(\.code).contains("mime.header-limit"))
        #expect(String(decoding: try message.bytes(message.root.bodyRange), as: UTF8.self) == "body\r\n")

        // A header line past the length limit.
        let long = Array(("Subject: " + String(repeating: "y", count: 5000) + "\r\nTo: a@b\r\n\r\nbody").utf8)
        let m2 = try MIMEParser.parse(long, options: options)
        #expect(losslessProblems(m2, long) == nil)
        #expect(String(decoding: try m2.bytes(m2.root.bodyRange), as: UTF8.self) == "body")
    }

    @Test func partLimit() throws {
        var options = MIMEParserOptions()
        options.maxParts = 10
        var raw = "Content-Type: multipart/mixed; boundary=p\r\n\r\n"
        for i in 0..<30 { raw += "--p\r\n\r\npart \(i)\r\n" }
        raw += "--p--\r\n"
        let bytes = Array(raw.utf8)
        let message = try MIMEParser.parse(bytes, options: options)
        #expect(losslessProblems(message, bytes) == nil)
        #expect(message.root.children.count == 9)
        #expect(message.warnings.map(\.code).contains("mime.part-limit"))
    }

    @Test func largeMessageSpillsToDiskAndStreams() throws {
        var options = MIMEParserOptions()
        options.memoryLimit = 4096
        var rng = SeededRandom(3)
        let payload = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let raw = Array(("Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: application/octet-stream\r\n"
                         + "Content-Transfer-Encoding: base64\r\n\r\n"
                         + Data(payload).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
                         + "\r\n--z--\r\n").utf8)
        let message = try MIMEParser(options: options).parse(MemorySource(raw, maxChunk: 10_000))
        #expect(message.spool.isInMemory == false)
        #expect(losslessProblems(message, raw) == nil)
        #expect(try message.decodedContent(of: #require(message.part("1"))) == payload)
        let sink = MemorySink()
        #expect(try message.writeOriginal(to: sink))
        #expect(sink.bytes == raw)
    }

    @Test func parsingIsLinear() throws {
        // Many boundary-like lines that never match: time must grow linearly, not quadratically.
        func make(_ n: Int) -> [UInt8] {
            var raw = "Content-Type: multipart/mixed; boundary=abc\r\n\r\n--abc\r\n\r\n"
            raw += String(repeating: "--abd\r\n--ab\r\n-- \r\n", count: n)
            return Array(raw.utf8)
        }
        let small = make(20_000), large = make(80_000)
        func time(_ raw: [UInt8]) throws -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try MIMEParser.parse(raw)
            return Double(DispatchTime.now().uptimeNanoseconds - start)
        }
        _ = try time(small)
        let ratio = try time(large) / max(1, try time(small))
        #expect(ratio < 10)  // 4× the input; quadratic would be ~16×
    }
}

@Suite struct SimpleMboxSplitterTests {
    @Test func splitsAtFromLinesInFlatChunks() throws {
        let mbox = "From a@x Mon May  6 10:00:00 2024\nSubject: one\n\nbody one\n>From escaped\n\n"
            + "From b@x Mon May  6 10:00:01 2024\nSubject: two\n\nbody two\n\n"
            + "From c@x Mon May  6 10:00:02 2024\nSubject: three\n\nno final newline"
        for chunk in [1, 3, 7, 1000] {
            let splitter = SimpleMboxSplitter(source: MemorySource(mbox, maxChunk: chunk), bufferSize: 16)
            var subjects: [String] = []
            var bodies: [[UInt8]] = []
            while let source = try splitter.next() {
                let message = try MIMEParser().parse(source)
                subjects.append(message.subject ?? "")
                bodies.append(message.bytes)
            }
            #expect(subjects == ["one", "two", "three"], "chunk \(chunk)")
            #expect(bodies.first == Array("Subject: one\n\nbody one\n>From escaped\n\n".utf8))
            #expect(bodies.last == Array("Subject: three\n\nno final newline".utf8))
        }
    }
}
