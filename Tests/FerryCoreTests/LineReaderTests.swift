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
