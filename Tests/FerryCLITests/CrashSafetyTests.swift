#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `ferry convert` killed at random moments of a large conversion. After SIGKILL nothing can clean up,
/// so a temporary file may remain: it is always named `.<target>.ferry-XXXXXX` next to the target
/// (hidden, with a random suffix), so a user can spot it and delete it. What must hold: a file with the
/// target's name exists only when it is complete (equal to an uninterrupted conversion), no file but the
/// target and such temporaries appears, the input is unchanged, and after SIGINT nothing is left.
@Suite(.serialized) struct CrashSafetyTests {
    static func largeMbox(messages: Int) -> [UInt8] {
        var out: [UInt8] = []
        let filler = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 20)
        for i in 0..<messages {
            out += Array("""
                From sender\(i)@example.org Mon Jan  1 10:00:00 2024
                From: Sender \(i) <sender\(i)@example.org>
                To: r@example.org
                Subject: message \(i)
                Message-ID: <\(i)@example.org>
                Date: Mon, 1 Jan 2024 10:00:00 +0000
                X-Gmail-Labels: Inbox,Folder\(i % 7)

                \(filler)
                line two of \(i)


                """.utf8)
        }
        return out
    }

    static func largeCSV(rows: Int) -> [UInt8] {
        var out = Array("First Name,Last Name,E-mail Address,Business Phone,Notes\r\n".utf8)
        for i in 0..<rows {
            out += Array("Given\(i),Family\(i),p\(i)@example.org,+49 30 \(100_000 + i),\"note \(i), with a comma\"\r\n".utf8)
        }
        return out
    }

    /// Starts the conversion, kills it with `signal` after `delay` seconds (or lets it finish first).
    static func convertAndKill(_ arguments: [String], signal: Int32, after delay: Double) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--default-signal=INT,TERM", FerryCLI.executable.path] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(UInt32(delay * 1_000_000))
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process
    }

    static func checkKills(input name: String, bytes: [UInt8], target: String, extraArguments: [String] = []) throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent(name)
        try Data(bytes).write(to: input)
        let outDir = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let targetURL = outDir.appendingPathComponent(target)
        let arguments = ["convert", input.path, "-o", targetURL.path] + extraArguments
        // The reference: an uninterrupted conversion.
        let start = Date()
        let reference = try FerryCLI.run(arguments)
        let duration = Date().timeIntervalSince(start)
        #expect(reference.status == 0, "\(reference.stderr.prefix(1000))")
        let expected = try Data(contentsOf: targetURL)
        try FileManager.default.removeItem(at: targetURL)

        var rng = SystemRandomNumberGenerator()
        var killedEarly = 0
        for round in 0..<4 {
            // Mostly while converting, sometimes right at the start or near the end.
            let delay = round == 0 ? 0.01 : Double.random(in: 0.02...max(0.05, duration * 1.1), using: &rng)
            let process = try convertAndKill(arguments, signal: SIGKILL, after: delay)
            if process.terminationReason == .uncaughtSignal { killedEarly += 1 }
            let names = try FileManager.default.contentsOfDirectory(atPath: outDir.path)
            for file in names where file != target {
                #expect(file.hasPrefix(".\(target).ferry-"), "unexpected file \(file) after SIGKILL at \(delay)s")
                try FileManager.default.removeItem(at: outDir.appendingPathComponent(file))
            }
            if names.contains(target) {
                #expect(try Data(contentsOf: targetURL) == expected, "a file named \(target) is incomplete (killed at \(delay)s)")
                try FileManager.default.removeItem(at: targetURL)
            }
            #expect(try [UInt8](Data(contentsOf: input)) == bytes, "the input changed")
        }
        #expect(killedEarly > 0, "at least one kill landed mid-conversion (conversion took \(duration)s)")

        // SIGINT mid-conversion: the temporary file goes too.
        let interrupted = try convertAndKill(arguments, signal: SIGINT, after: min(0.3, duration / 2))
        if interrupted.terminationReason == .uncaughtSignal {
            #expect(try FileManager.default.contentsOfDirectory(atPath: outDir.path).isEmpty, "SIGINT leaves no file")
        }
        #expect(try [UInt8](Data(contentsOf: input)) == bytes)
    }

    @Test func killedMboxToTgzNeverLeavesAPartialTarget() throws {
        try Self.checkKills(input: "big.mbox", bytes: Self.largeMbox(messages: 8_000), target: "mail.tgz")
    }

    @Test func killedCSVToVCardNeverLeavesAPartialTarget() throws {
        try Self.checkKills(input: "big.csv", bytes: Self.largeCSV(rows: 30_000), target: "contacts.vcf")
    }
}
