import Foundation
import FerryTestSupport
import Testing
@testable import FerryCore

@Suite struct GzipSourceTests {
    /// Compresses with the system's gzip (the real producer of .gz files).
    func gzip(_ data: [UInt8]) throws -> [UInt8] {
        let dir = try TestDirectory.make("ferry-gz")
        let file = dir.appendingPathComponent("x")
        try Data(data).write(to: file)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-9", "-n", file.path]
        try p.run()
        p.waitUntilExit()
        return Array(try Data(contentsOf: dir.appendingPathComponent("x.gz")))
    }

    @Test func decompressesInSmallChunks() throws {
        let text = (0..<20_000).map { "line \($0) Grüße\n" }.joined()
        let compressed = try gzip(Array(text.utf8))
        #expect(GzipSource.isGzip(compressed))
        let source = try GzipSource(MemorySource(compressed, maxChunk: 7))
        let out = try source.readAll()
        #expect(String(decoding: out, as: UTF8.self) == text)
    }

    @Test func concatenatedMembers() throws {
        let a = try gzip(Array("first\n".utf8))
        let b = try gzip(Array("second\n".utf8))
        let out = try GzipSource(MemorySource(a + b)).readAll()
        #expect(String(decoding: out, as: UTF8.self) == "first\nsecond\n")
    }

    @Test func truncatedAndCorruptInputAreErrors() throws {
        let compressed = try gzip(Array(String(repeating: "abcdefgh", count: 5000).utf8))
        let truncated = Array(compressed.prefix(compressed.count / 2))
        #expect(throws: FerryError.self) { try GzipSource(MemorySource(truncated)).readAll() }
        var corrupt = compressed
        corrupt[20] ^= 0xFF
        corrupt[21] ^= 0xFF
        #expect(throws: FerryError.self) { try GzipSource(MemorySource(corrupt)).readAll() }
    }

    @Test func limitStopsABomb() throws {
        let bomb = try gzip([UInt8](repeating: 0, count: 4 << 20))  // 4 MiB of zeros, a few KiB packed
        #expect(bomb.count < 10_000)
        do {
            _ = try GzipSource(MemorySource(bomb), limit: 1 << 20).readAll()
            Issue.record("expected the limit to stop decompression")
        } catch let error as FerryError {
            #expect(error.diagnostic.code == "gzip.limit")
        }
    }
}
