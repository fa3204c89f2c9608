import CSupport
import Foundation
import FerryTestSupport
import Testing
@testable import FerryCore

@Suite struct LineReaderTests {
    func lines(_ text: [UInt8], chunk: Int = 1 << 20, maxChunk: Int = .max) throws -> [(String, LineTerminator, Int, Int64)] {
        let reader = LineReader(source: MemorySource(text, maxChunk: maxChunk), chunkSize: chunk)
        var out: [(String, LineTerminator, Int, Int64)] = []
        while let line = try reader.next() { out.append((line.string, line.terminator, line.number, line.offset)) }
        return out
    }

    @Test func mixedTerminators() throws {
        for chunk in [16, 17, 1 << 20] {
            for maxChunk in [1, 2, 3, 5, .max] {
                let got = try lines(Array("a\r\nbb\ncc\rd\r\r\ne".utf8), chunk: chunk, maxChunk: maxChunk)
                #expect(got.map(\.0) == ["a", "bb", "cc", "d", "", "e"], "chunk \(chunk) max \(maxChunk)")
                #expect(got.map(\.1) == [.crlf, .lf, .cr, .cr, .crlf, .none])
                #expect(got.map(\.2) == [1, 2, 3, 4, 5, 6])
                #expect(got.map(\.3) == [0, 3, 6, 9, 11, 13])
            }
        }
    }

    @Test func crlfFileWithLatin1() throws {
        let got = try lines([0x4E, 0x0D, 0x0A, 0x4D, 0xFC, 0x0D, 0x0A])
        #expect(got.map(\.1) == [.crlf, .crlf])
    }
}

/// The line reader against a plain reference splitter on random inputs, every buffer size and read
/// size, so the block-wise line-end table and refills meet every boundary case.
@Suite struct LineReaderPropertyTests {
    static func reference(_ bytes: [UInt8]) -> [([UInt8], LineTerminator, Int64)] {
        var out: [([UInt8], LineTerminator, Int64)] = []
        var i = 0
        var lineStart = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                out.append((Array(bytes[lineStart..<i]), .lf, Int64(lineStart)))
                i += 1
                lineStart = i
            } else if bytes[i] == 0x0D {
                let crlf = i + 1 < bytes.count && bytes[i + 1] == 0x0A
                out.append((Array(bytes[lineStart..<i]), crlf ? .crlf : .cr, Int64(lineStart)))
                i += crlf ? 2 : 1
                lineStart = i
            } else {
                i += 1
            }
        }
        if lineStart < bytes.count { out.append((Array(bytes[lineStart...]), .none, Int64(lineStart))) }
        return out
    }

    /// Every instruction-set path of the line-end scan (AVX-512, AVX2, SSE2, as far as this CPU has
    /// them) against the reference, CRLF split across 64-byte blocks included.
    @Test(.serialized, arguments: [1, 2, 3])
    func everyScanPathMatchesReference(_ level: Int32) throws {
        let effective = ferry_scan_set_level(level)
        defer { _ = ferry_scan_set_level(0) }
        guard effective == level else { return }  // the CPU lacks this level
        var bytes: [UInt8] = []
        for i in 0..<3000 {
            bytes += Array(repeating: UInt8(ascii: "a"), count: i % 67)
            bytes += [[0x0A], [0x0D, 0x0A], [0x0D], [0x0D, 0x0D, 0x0A]][(i / 3) % 4]
        }
        let expected = Self.reference(bytes)
        for maxChunk in [Int.max, 1000] {
            let reader = LineReader(source: MemorySource(bytes, maxChunk: maxChunk), chunkSize: 4096)
            var got: [([UInt8], LineTerminator, Int64)] = []
            while let line = try reader.next() { got.append((line.array, line.terminator, line.offset)) }
            #expect(got.count == expected.count, "level \(level)")
            #expect(zip(got, expected).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 && $0.2 == $1.2 }, "level \(level)")
        }
    }

    @Test func randomInputsMatchReference() throws {
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        for round in 0..<300 {
            var bytes: [UInt8] = []
            let length = next() % 400
            for _ in 0..<length {
                switch next() % 12 {
                case 0: bytes.append(0x0A)
                case 1: bytes.append(0x0D)
                case 2: bytes += [0x0D, 0x0A]
                default: bytes.append(UInt8(0x20 + next() % 200))
                }
            }
            // Long runs of line ends fill the line-end table (1024 entries) several times.
            if round % 50 == 0 { bytes += Array(repeating: 0x0A, count: 9000) + [0x0D, 0x0A] + Array(repeating: 0x0D, count: 5000) }
            let expected = Self.reference(bytes)
            for chunk in [16, 31, 64, 1 << 18] {
                for maxChunk in [1, 7, 33, Int.max] where !(chunk == 1 << 18 && maxChunk == 1 && bytes.count > 2000) {
                    let reader = LineReader(source: MemorySource(bytes, maxChunk: maxChunk), chunkSize: chunk)
                    var got: [([UInt8], LineTerminator, Int64)] = []
                    while let line = try reader.next() {
                        got.append((line.array, line.terminator, line.offset))
                        #expect(line.number == got.count)
                    }
                    let same = got.count == expected.count && zip(got, expected).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 && $0.2 == $1.2 }
                    #expect(same, "round \(round) chunk \(chunk) max \(maxChunk): \(got.count) vs \(expected.count) lines")
                    if !same { return }
                }
            }
        }
    }

    @Test func longLinesGrowTheBufferUpToTheLimit() throws {
        let long = Array(repeating: UInt8(ascii: "x"), count: 100_000)
        let reader = LineReader(source: MemorySource(Array("a\n".utf8) + long + [0x0D, 0x0A, 0x62], maxChunk: 1000), chunkSize: 64)
        #expect(try reader.next()?.array == [0x61])
        let line = try #require(try reader.next())
        #expect(line.bytes.count == 100_000 && line.terminator == .crlf && line.offset == 2 && line.number == 2)
        #expect(try reader.next()?.array == [0x62])
        #expect(try reader.next() == nil)

        let limited = LineReader(source: MemorySource(long + [0x0A]), chunkSize: 64, maxLineLength: 4096)
        do {
            _ = try limited.next()
            Issue.record("no error")
        } catch let error as FerryError {
            #expect(error.diagnostic.code == "line.too-long" && error.diagnostic.line == 1)
        }
    }

    /// A CRLF whose CR is the last entry of a full line-end table (1024 entries) and whose LF is not
    /// scanned yet must still be one line end.
    @Test func crlfAcrossAFullLineEndTable() throws {
        for count in Array(1016...1030) + Array(2040...2052) {
            let bytes = Array(repeating: UInt8(0x0A), count: count) + [0x0D, 0x0A, 0x78]
            let expected = Self.reference(bytes)
            let reader = LineReader(source: MemorySource(bytes))
            var got: [LineTerminator] = []
            while let line = try reader.next() { got.append(line.terminator) }
            #expect(got == expected.map(\.1), "\(count) LFs")
        }
    }

    /// Regular files of 1 MB and more are read through a memory mapping: same lines, same offsets,
    /// also when part of the file was read before the reader took over.
    @Test func mappedFilesMatchReference() throws {
        var bytes: [UInt8] = []
        var state: UInt64 = 7
        while bytes.count < (3 << 20) / 2 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let r = Int(state >> 33)
            let length = r % 90
            bytes += Array(repeating: UInt8(0x41 + r % 26), count: length)
            bytes += [[0x0A], [0x0D, 0x0A], [0x0D]][r % 3 == 0 && r % 7 == 0 ? 2 : r % 5 == 0 ? 1 : 0]
        }
        bytes += Array("last line without terminator".utf8)
        let path = try TestDirectory.make("ferry-linereader").appendingPathComponent("lines.txt").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expected = Self.reference(bytes)

        let mapped = try FileSource(path: path)
        #expect(mapped.takeMapping() != nil)
        let file = try FileSource(path: path)
        let reader = LineReader(source: file)
        var count = 0
        while let line = try reader.next() {
            let e = expected[count]
            #expect(line.array == e.0 && line.terminator == e.1 && line.offset == e.2, "line \(count + 1)")
            count += 1
            if line.array != e.0 { break }
        }
        #expect(count == expected.count)

        // Part of the file already read: the reader continues where the descriptor stood.
        let partial = try FileSource(path: path)
        let head = try partial.read(upTo: 4096)
        let rest = LineReader(source: PrefixedSource(prefix: head, rest: partial))
        var n = 0
        while try rest.next() != nil { n += 1 }
        #expect(n == expected.count)
        let skipping = try FileSource(path: path)
        _ = try skipping.read(upTo: Int(expected[10].2))  // up to the start of line 11
        let tail = LineReader(source: skipping)
        #expect(try tail.next()?.array == expected[10].0)
        #expect(try tail.next()?.offset == expected[11].2)
    }

    @Test func emptyInputAndTerminatorOnly() throws {
        #expect(try LineReader(source: MemorySource([UInt8]())).next() == nil)
        let reader = LineReader(source: MemorySource([0x0D]))
        let line = try #require(try reader.next())
        #expect(line.bytes.isEmpty && line.terminator == .cr)
        #expect(try reader.next() == nil)
    }
}
