#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

@Suite struct SignalSafetyTests {
    /// A conversion interrupted by SIGINT or SIGTERM leaves neither the target nor its temporary file.
    @Test(arguments: [SIGINT, SIGTERM])
    func interruptedConversionLeavesNoFiles(signal: Int32) throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out.mbox")
        let process = Process()
        // The test runner may ignore SIGINT/SIGTERM, and children inherit that: restore the defaults
        // (env execs ferry, so the pid stays ferry's).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--default-signal=INT,TERM", FerryCLI.executable.path,
                             "convert", "-", "--from", "mbox", "-o", target.path]
        let input = Pipe()
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        // One whole message and the start of another; stdin stays open, so ferry waits mid-conversion.
        input.fileHandleForWriting.write(Data("""
            From alice@example.org Mon Jan  1 10:00:00 2024\nFrom: alice@example.org\nSubject: one\n\nbody\n\n\
            From bob@example.org Mon Jan  1 11:00:00 2024\nFrom: bob@example.org\nSubject: two\n\n
            """.utf8))
        var sawTemporary = false
        for _ in 0..<200 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            if names.contains(where: { $0.hasPrefix(".out.mbox.ferry-") }) { sawTemporary = true; break }
            usleep(50_000)
        }
        #expect(sawTemporary, "the temporary output should exist while converting")
        guard sawTemporary else { process.terminate(); return }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
