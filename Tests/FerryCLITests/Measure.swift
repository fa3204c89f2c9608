#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FerryTestSupport

/// Runs a command and reports its own peak resident memory, to check that
/// streaming really streams.
enum Measure {
    struct Outcome {
        var status: Int32
        var maxResidentKiB: Int
    }

    /// The command runs under GNU time, which forks it from a small process: a child spawned straight
    /// from the (large) test process would inherit the test process's memory high-water mark at exec.
    static func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        var pid: pid_t = 0
        let report = try TestDirectory.make("ferry-rss").appendingPathComponent("time-report").path
        defer { unlink(report) }
        let argv: [UnsafeMutablePointer<CChar>?] = (["/usr/bin/time", "-o", report, "-f", "%M", executable] + arguments)
            .map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let rc = posix_spawn(&pid, "/usr/bin/time", &actions, nil, argv, environ)
        guard rc == 0 else { throw NSError(domain: "spawn", code: Int(rc)) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        let kib = text.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.last ?? 0
        return Outcome(status: exit, maxResidentKiB: kib)
    }
}
