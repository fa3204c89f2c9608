#if canImport(Glibc)
import Glibc
#endif
import FerryTestSupport
import Foundation
import Testing

/// The tests' scratch directories: one root per test process, stale roots of finished processes swept.
@Suite struct TestDirectoryTests {
    let fm = FileManager.default

    /// The pid of a process that has exited (and been reaped).
    func deadPID() throws -> pid_t {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    func isLocked(_ path: String) -> Bool {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) != 0
    }

    @Test func makesFreshDirectoriesUnderThisProcesssLockedRoot() throws {
        let a = try TestDirectory.make("ferry-sample")
        let b = try TestDirectory.make("ferry-sample")
        #expect(a != b)
        let root = try TestDirectory.root
        for dir in [a, b] {
            #expect(dir.deletingLastPathComponent().standardizedFileURL.path == root.standardizedFileURL.path)
            #expect(dir.lastPathComponent.hasPrefix("ferry-sample-"))
            #expect(try fm.contentsOfDirectory(atPath: dir.path).isEmpty)
        }
        // FERRY_KEEP names the root so that no later run sweeps it.
        let kept = ProcessInfo.processInfo.environment["FERRY_KEEP"] != nil
        #expect(root.lastPathComponent.hasPrefix((kept ? "ferry-tests-kept-" : "ferry-tests-") + "\(getpid())-"))
        #expect(root.deletingLastPathComponent().standardizedFileURL.path
                == fm.temporaryDirectory.standardizedFileURL.path)
        // The lock that tells other test processes this root is in use.
        #expect(isLocked(root.appendingPathComponent(".lock").path))
        #expect(try TestDirectory.makePath("ferry-other").hasPrefix(root.path + "/ferry-other-"))
    }

    @Test func sweepRemovesOnlyTheRootsOfFinishedProcesses() throws {
        let base = try TestDirectory.makePath("ferry-sweep")
        let dead = try deadPID()
        let me = getpid()
        @discardableResult func dir(_ name: String, lock: Bool = false) throws -> String {
            let path = base + "/" + name
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            if lock { #expect(fm.createFile(atPath: path + "/.lock", contents: nil)) }
            return path
        }

        // A finished run's root with an unheld lock, a read-only folder and a link out of the tree.
        let stale = try dir("ferry-tests-\(dead)-aaaaaa", lock: true)
        _ = try dir("ferry-tests-\(dead)-aaaaaa/ferry-test-1/Maildir/cur")
        // A Maildir++ folder named `._` (FileManager's listing leaves that name out).
        _ = try dir("ferry-tests-\(dead)-aaaaaa/ferry-test-1/Maildir/._/cur")
        try Data("y".utf8).write(to: URL(fileURLWithPath: stale + "/ferry-test-1/Maildir/._/cur/2"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: stale + "/ferry-test-1/Maildir/cur/1"))
        try fm.setAttributes([.posixPermissions: 0o500], ofItemAtPath: stale + "/ferry-test-1/Maildir/cur")
        let outside = try dir("outside")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: outside + "/file"))
        try fm.createSymbolicLink(atPath: stale + "/link", withDestinationPath: outside)
        // A live run's root: its lock is held (here by this process), whatever pid its name says.
        let live = try dir("ferry-tests-\(dead)-bbbbbb", lock: true)
        let held = open(live + "/.lock", O_RDWR | O_CLOEXEC)
        #expect(held >= 0 && flock(held, LOCK_EX) == 0)
        defer { close(held) }
        // No lock: decided by the pid.
        _ = try dir("ferry-tests-\(dead)-cccccc")
        _ = try dir("ferry-tests-\(me)-dddddd")
        // Roots being made (hidden until locked): only a finished process's goes.
        _ = try dir(".ferry-tests-\(me)-eeeeee", lock: true)
        _ = try dir(".ferry-tests-\(dead)-ffffff", lock: true)
        // Kept roots and anything else stay.
        _ = try dir("ferry-tests-kept-\(dead)-gggggg")
        _ = try dir("ferry-tests-x-\(dead)")
        _ = try dir("ferry-test-\(dead)-hhhhhh")

        let removed = TestDirectory.sweepStaleRoots(in: base)
        #expect(removed.count == 3)
        #expect(Set(removed) == [".ferry-tests-\(dead)-ffffff", "ferry-tests-\(dead)-aaaaaa", "ferry-tests-\(dead)-cccccc"])
        #expect(Set(try fm.contentsOfDirectory(atPath: base)) == [
            ".ferry-tests-\(me)-eeeeee", "ferry-test-\(dead)-hhhhhh", "ferry-tests-\(dead)-bbbbbb",
            "ferry-tests-\(me)-dddddd", "ferry-tests-kept-\(dead)-gggggg", "ferry-tests-x-\(dead)", "outside",
        ])
        #expect(try String(contentsOfFile: outside + "/file", encoding: .utf8) == "keep")
        #expect(isLocked(live + "/.lock"))
    }
}
