import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Scratch directories for tests, all under one root per test process:
/// `$TMPDIR/ferry-tests-<pid>-XXXXXX/<prefix>-<UUID>`.
///
/// The root goes when the process exits (an `atexit` handler), so a test needs no clean-up of its own
/// (one that writes much may still remove its directory early). A run that was killed, or crashed,
/// cannot clean up: its root is removed by the next test process's first `make`. A root belongs to a
/// live process for as long as that process holds the `flock` on the root's `.lock` file (the kernel
/// lets go of it however the process ends, whatever its pid or pid namespace), so only the roots of
/// processes that are gone are removed.
///
/// With `FERRY_KEEP` set in the environment the root is named `ferry-tests-kept-<pid>-XXXXXX`, is
/// said on stderr and stays (neither the exit handler nor a later run removes it).
public enum TestDirectory {
    /// The name every root starts with; then the pid, a dash and a unique suffix.
    public static let rootPrefix = "ferry-tests-"
    /// The name of a kept root (`FERRY_KEEP`): never swept.
    public static let keptPrefix = "ferry-tests-kept-"
    static let lockName = ".lock"

    /// A fresh, empty directory `<root>/<prefix>-<UUID>` (the prefix keeps a failure's paths readable).
    public static func make(_ prefix: String) throws -> URL {
        let url = try root.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `make(prefix).path`.
    public static func makePath(_ prefix: String) throws -> String { try make(prefix).path }

    /// This process's root (made, with the stale roots swept, on first use).
    public static var root: URL {
        get throws { URL(fileURLWithPath: try Root.shared.get().path, isDirectory: true) }
    }

    /// Removes the roots in `base` whose processes are gone: a root whose `.lock` nobody holds, and one
    /// without a `.lock` (a process killed while making it) whose pid no longer runs. Kept roots and
    /// everything else in `base` stay. Returns the names removed.
    @discardableResult
    public static func sweepStaleRoots(in base: String) -> [String] {
        let names = entries(base)
        var removed: [String] = []
        for name in names {
            // A root being made is hidden (`.ferry-tests-…`) until its lock is held.
            let hidden = name.hasPrefix(".")
            let visible = hidden ? String(name.dropFirst()) : name
            guard let pid = ownerPID(visible) else { continue }
            let path = base + "/" + name
            let lock = open(path + "/" + lockName, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
            if lock >= 0 {
                defer { close(lock) }
                // Held: its process (or a child it passed the lock to) still runs.
                guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { continue }
                // A hidden root's lock is taken right after it is made: free, it may be one being made.
                if hidden && processRuns(pid) { continue }
                removeTree(path)
                removed.append(name)
            } else if !processRuns(pid) {
                removeTree(path)
                removed.append(name)
            }
        }
        return removed
    }

    /// The pid in `ferry-tests-<pid>-<suffix>` (nil for any other name, kept roots included).
    static func ownerPID(_ name: String) -> pid_t? {
        guard name.hasPrefix(rootPrefix) else { return nil }
        let rest = name.dropFirst(rootPrefix.count)
        guard let dash = rest.firstIndex(of: "-"), dash != rest.startIndex else { return nil }
        let digits = rest[..<dash]
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return pid_t(digits)
    }

    static func processRuns(_ pid: pid_t) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH)
    }

    /// Removes a tree without following symbolic links, making directories writable first (a test may
    /// leave one read-only).
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            _ = chmod(path, 0o700)
            for name in entries(path) { removeTree(path + "/" + name) }
            _ = rmdir(path)
        } else {
            _ = unlink(path)
        }
    }

    /// The names in a directory but `.` and `..`, read with readdir: FileManager's listing on Linux
    /// leaves out the name `._` (a Maildir++ folder the archive tests write).
    static func entries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// This process's root: made hidden, locked, then renamed into place, so a root that can be seen
    /// always has its lock held.
    final class Root: Sendable {
        let path: String
        let lock: Int32
        let kept: Bool

        init(path: String, lock: Int32, kept: Bool) {
            self.path = path
            self.lock = lock
            self.kept = kept
        }

        static let shared: Result<Root, any Error> = Result { try make() }

        static func make() throws -> Root {
            var base = FileManager.default.temporaryDirectory.path
            while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
            TestDirectory.sweepStaleRoots(in: base)

            let kept = ProcessInfo.processInfo.environment["FERRY_KEEP"] != nil
            let name = (kept ? TestDirectory.keptPrefix : TestDirectory.rootPrefix) + "\(getpid())-XXXXXX"
            var template = Array("\(base)/.\(name)".utf8CString)
            guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
                throw CocoaError(.fileWriteUnknown, userInfo: [
                    NSLocalizedDescriptionKey: "cannot make a test root in \(base): \(String(cString: strerror(errno)))"])
            }
            let staging = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let lock = open(staging + "/" + TestDirectory.lockName, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard lock >= 0, flock(lock, LOCK_EX) == 0 else {
                let reason = String(cString: strerror(errno))
                TestDirectory.removeTree(staging)
                throw CocoaError(.fileWriteUnknown, userInfo: [
                    NSLocalizedDescriptionKey: "cannot lock the test root \(staging): \(reason)"])
            }
            let unique = String(staging.dropFirst(base.count + 2))  // without "<base>/."
            let path = base + "/" + unique
            guard rename(staging, path) == 0 else {
                let reason = String(cString: strerror(errno))
                TestDirectory.removeTree(staging)
                throw CocoaError(.fileWriteUnknown, userInfo: [
                    NSLocalizedDescriptionKey: "cannot move the test root into place at \(path): \(reason)"])
            }
            if kept {
                FileHandle.standardError.write(Data("ferry tests: scratch directories kept in \(path)\n".utf8))
            } else {
                atexit { TestDirectory.removeOwnRoot() }
            }
            return Root(path: path, lock: lock, kept: kept)
        }
    }

    static func removeOwnRoot() {
        guard case .success(let root) = Root.shared, !root.kept else { return }
        removeTree(root.path)
    }
}
