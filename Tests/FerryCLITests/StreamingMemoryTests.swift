import Foundation
import Testing

@Suite struct StreamingMemoryTests {
    /// `ferry inspect` reads every line of its input; on a 256 MiB file its memory must stay flat.
    @Test func inspectStreamsALargeFile() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.csv").path
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var block = Data()
        for i in 0..<16_384 { block.append(contentsOf: "\"Müller\",\"Jürgen\",\"j\(i)@example.de\",\"Köln\"\r\n".utf8) }
        var written = 0
        while written < 256 << 20 {
            handle.write(block)
            written += block.count
        }
        try handle.close()
        let outcome = try Measure.run(FerryCLI.executable.path, ["inspect", path, "--json"])
        #expect(outcome.status == 0)
        #expect(outcome.maxResidentKiB < 64 * 1024, "peak RSS \(outcome.maxResidentKiB) KiB")
        #expect(outcome.maxResidentKiB > 1024)  // the measurement itself works
    }
}
