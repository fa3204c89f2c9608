import Foundation
import Testing
import CSupport
import FerryCore
@testable import FerryFeeds
import FerryTestSupport

/// The reader's speed paths against the general ones: the vector UTF-8 check against plain code and
/// the standard library, pieces passed on unchecked against FerryCore's validator, strings copied
/// unchecked against `String(decoding:)`. Same bytes in, same entries and warnings out.
@Suite struct FeedReaderFastPathTests {
    typealias Generator = SplitMix64

    /// Valid sequences of every length, sequences UTF-8 forbids (overlong, surrogate, above U+10FFFF,
    /// stray continuation, bytes never used) and sequences cut short.
    static let pieces: [[UInt8]] = [
        Array("a".utf8), Array(" ".utf8), Array("é".utf8), Array("東".utf8), Array("😀".utf8), Array("\u{FFFF}".utf8),
        Array("\u{10FFFF}".utf8), Array("\u{80}".utf8), Array("\u{800}".utf8), Array("\u{10000}".utf8),
        [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0x80], [0xBF], [0xFE], [0xFF],
        [0xC3], [0xE6, 0x9D], [0xF0, 0x9F, 0x98], [0xE6],
    ]

    static func sample(_ g: inout Generator) -> [UInt8] {
        var bytes: [UInt8] = []
        let length = Int(g.next() % 120)
        let validOnly = g.next() % 3 == 0
        while bytes.count < length {
            if g.next() % 5 == 0 && !validOnly {
                bytes.append(UInt8(truncatingIfNeeded: g.next()))
            } else {
                let k = Int(g.next() % UInt64(validOnly ? 10 : pieces.count))
                bytes += pieces[k]
            }
        }
        return bytes
    }

    /// Whether `bytes` begin a valid sequence that they do not finish: some continuation bytes make it whole.
    static func isCutSequence(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let lead = bytes.first else { return false }
        let need = (0xC2...0xDF).contains(lead) ? 2 : (0xE0...0xEF).contains(lead) ? 3 : (0xF0...0xF4).contains(lead) ? 4 : 0
        guard need > bytes.count else { return false }
        // Only the second byte's range depends on the lead (E0, ED, F0, F4): one candidate per range.
        let seconds: [[UInt8]] = bytes.count >= 2 ? [[]] : [[0x80], [0x90], [0xA0], [0xB0]]
        for second in seconds {
            var trial = Array(bytes) + second
            while trial.count < need { trial.append(0x80) }
            if String(validating: trial, as: UTF8.self) != nil { return true }
        }
        return false
    }

    @Test func vectorCheckAgreesWithPlainCodeAndStandardLibrary() {
        var g = Generator(state: 2026)
        var valid = 0, invalid = 0
        for _ in 0..<30_000 {
            let bytes = Self.sample(&g)
            let expected = String(validating: bytes, as: UTF8.self) != nil
            let vector = bytes.withUnsafeBufferPointer { ferry_utf8_valid($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) } != 0
            let plain = bytes.withUnsafeBufferPointer { ferry_utf8_valid_reference($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) } != 0
            #expect(vector == expected, "\(bytes)")
            #expect(plain == expected, "\(bytes)")
            if expected { valid += 1 } else { invalid += 1 }
        }
        // Both outcomes are well represented.
        #expect(valid > 5_000 && invalid > 5_000)
    }

    @Test func completePrefixHoldsBackOnlyACutSequence() {
        var g = Generator(state: 7)
        var cut = 0
        for _ in 0..<20_000 {
            var bytes = Self.sample(&g)
            if g.next() % 2 == 0, !bytes.isEmpty { bytes.removeLast(Int(g.next() % UInt64(min(3, bytes.count))) + 1) }
            // Model: the whole when valid; else the longest valid prefix followed by a cut sequence.
            var expected = -1
            if String(validating: bytes, as: UTF8.self) != nil {
                expected = bytes.count
            } else {
                for back in 1...3 where back <= bytes.count {
                    let k = bytes.count - back
                    if String(validating: bytes[..<k], as: UTF8.self) != nil, Self.isCutSequence(bytes[k...]) {
                        expected = k
                        break
                    }
                }
            }
            let got = bytes.withUnsafeBufferPointer { ferry_utf8_complete_prefix($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            #expect(got == expected, "\(bytes)")
            if expected >= 0 && expected < bytes.count { cut += 1 }
        }
        #expect(cut > 500)
    }

    @Test func stringsCopiedUncheckedEqualDecodedStrings() {
        var g = Generator(state: 99)
        for _ in 0..<5_000 {
            let bytes = Self.sample(&g) + Self.sample(&g)
            let made = bytes.withUnsafeBufferPointer { SAXState.makeString($0) }
            #expect(made == String(decoding: bytes, as: UTF8.self))
            #expect(Array(made.utf8) == Array(String(decoding: bytes, as: UTF8.self).utf8))
        }
    }

    /// Authors split on bytes (text below U+0300) as Foundation's trims and searches split them.
    @Test func simpleAuthorSplitAgreesWithTheGeneralOne() {
        let pieces = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1C}", "(", ")", "<", ">", "@", "\"",
                      "a", "Zoë", "é", "ɐ", "x@y.org", "Ana Ruiz", "ÿ", "\u{2028}", "\u{301}", "東"]
        var g = Generator(state: 31)
        var simple = 0
        for _ in 0..<40_000 {
            let s = (0..<Int(g.next() % 9)).map { _ in pieces[Int(g.next() % UInt64(pieces.count))] }.joined()
            let general = SAXState.splitAnyAuthor(s)
            if let fast = SAXState.splitSimpleAuthor(s) {
                simple += 1
                #expect(fast.name == general.name && fast.email == general.email, "\(Array(s.unicodeScalars))")
            }
            #expect(SAXState.splitAuthor(s) == general)
        }
        #expect(simple > 20_000)
        for s in ["ana@example.com (Ana Ruiz)", "Ana Ruiz <ana@example.com>", "\"Zoë\" <zoe@example.de>", "ana@example.com", " Zoë Müller "] {
            #expect(SAXState.splitSimpleAuthor(s) != nil)
        }
        #expect(SAXState.splitAuthor("ana@example.com (Ana Ruiz)") == ("Ana Ruiz", "ana@example.com"))
        #expect(SAXState.dayName("Fri") == "fri")
        #expect(SAXState.dayName(" Vie ") == "vie")
    }

    @Test func lineFeedCountMatchesPlainCount() {
        var g = Generator(state: 5)
        for _ in 0..<2_000 {
            let n = Int(g.next() % 300)
            let bytes = (0..<n).map { _ in g.next() % 7 == 0 ? UInt8(0x0A) : UInt8(truncatingIfNeeded: g.next()) }
            var last = 0
            let count = bytes.withUnsafeBufferPointer { ferry_count_byte($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count, 0x0A, &last) }
            #expect(count == bytes.filter { $0 == 0x0A }.count)
            #expect(last == (bytes.lastIndex(of: 0x0A) ?? -1))
        }
    }

    /// An Atom feed of `entries` entries, non-ASCII every few words, escaped HTML, an ampersand to
    /// repair now and then: large enough for many 64 KiB pieces, so sequences straddle their ends.
    static func generatedFeed(entries: Int, seed: UInt64) -> [UInt8] {
        var g = Generator(state: seed)
        let words = ["the", "of", "and", "Grüße", "café", "naïve", "Straße", "東京", "データ", "😀", "über", "façade", "to", "in"]
        func sentence(_ n: Int) -> String {
            (0..<n).map { _ in words[Int(g.next() % UInt64(words.count))] }.joined(separator: " ")
        }
        var s = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>Généré</title>\n"
        s += "<id>tag:example.com,2026:feed</id>\n<updated>2026-01-05T12:00:00Z</updated>\n"
        for k in 0..<entries {
            s += "<entry>\n<id>tag:example.com,2026:\(k)</id>\n<title>\(sentence(5))</title>\n"
            s += "<updated>2026-01-0\(1 + k % 9)T12:00:\(10 + k % 50)Z</updated>\n"
            s += "<author><name>Zoë Müller</name><email>zoe@example.de</email></author>\n"
            if k % 17 == 0 { s += "<summary>AT&T and \(sentence(4))</summary>\n" }
            s += "<content type=\"html\">&lt;p&gt;\(sentence(40))&lt;/p&gt;&lt;p&gt;\(sentence(30))&lt;/p&gt;</content>\n</entry>\n"
        }
        return Array((s + "</feed>\n").utf8)
    }

    /// Reads `bytes` in pieces of `piece` bytes with the fast path and with the validator alone.
    static func readBoth(_ bytes: [UInt8], piece: Int) throws -> (fast: (String, [String]), general: (String, [String])) {
        func read(_ fast: Bool) throws -> (String, [String]) {
            let log = DiagnosticLog()
            let reader = FeedReader(source: MemorySource(bytes, name: "generated.atom"), options: ReadOptions(), log: log)
            reader.fastUTF8 = fast
            reader.pieceSize = piece
            var items: [Item] = []
            while let item = try reader.next() { items.append(item) }
            return (try FeedFixtures.jsonLines(items), log.diagnostics.map { "\($0.code) \($0.line ?? 0):\($0.column ?? 0) \($0.message)" })
        }
        return (try read(true), try read(false))
    }

    /// Pieces of 4093 and 1000 bytes end inside multi-byte sequences many times over.
    @Test(arguments: [1 << 16, 4093, 1000])
    func cleanLargeFeedReadsTheSameOnBothPaths(piece: Int) throws {
        let bytes = Self.generatedFeed(entries: 400, seed: 11)
        #expect(bytes.count > 4 * 65_536)
        let (fast, general) = try Self.readBoth(bytes, piece: piece)
        #expect(fast.0 == general.0)
        #expect(fast.1 == general.1)
        #expect(fast.0.split(separator: "\n").count == 400)
        #expect(fast.0.contains("Zoë Müller") && fast.0.contains("東京"))
        // The one kind of repair in it (AT&T), reported the same way.
        #expect(fast.1.contains { $0.hasPrefix("feed.bare-ampersand") })
    }

    /// Invalid bytes after many valid pieces: the validator takes over mid-stream, from a sequence
    /// boundary, and replaces exactly what it replaces when it reads everything.
    @Test func invalidBytesAfterValidPiecesAreReplacedTheSameWay() throws {
        var bytes = Self.generatedFeed(entries: 300, seed: 12)
        // An invalid byte in the text of an entry past the first pieces, a sequence cut short by
        // ASCII in another, and a lone lead byte as the very last byte of the input.
        func find(_ word: String, after: Int) -> Int {
            let w = Array(word.utf8)
            return (after..<(bytes.count - w.count)).first { bytes[$0..<($0 + w.count)].elementsEqual(w) }!
        }
        bytes[find(" of ", after: 150_000) + 1] = 0xFF                                   // " \u{FFFD}f "
        let the = find(" the ", after: 200_000) + 1
        bytes.replaceSubrange(the..<(the + 1), with: [0xE6, 0x9D])                        // " \u{FFFD}he "
        bytes.append(0xC3)
        for chunk in [1 << 16, 4093, 1_000] {
            let (fast, general) = try Self.readBoth(bytes, piece: chunk)
            #expect(fast.0 == general.0, "chunk \(chunk)")
            #expect(fast.1 == general.1, "chunk \(chunk)")
            #expect(fast.0.contains("\u{FFFD}"), "chunk \(chunk)")
            #expect(fast.1.contains { $0.contains("3 byte sequence(s) invalid in UTF-8 replaced by U+FFFD") }, "chunk \(chunk)")
        }
    }
}
