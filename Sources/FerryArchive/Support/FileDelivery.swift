#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FerryCore
import Foundation

/// Delivering one file into a directory tree the way Maildir and `.eml` folders need it: written
/// under a temporary name (created exclusively), its mtime set, then renamed, so a file is there whole
/// or not at all; and listing a directory without following symbolic links.
enum FileDelivery {
    /// Writes `message` to `temporary`, sets its times to `mtime` (seconds) when given and renames it
    /// to `final`. On failure the temporary file is removed and the error names `final`.
    static func deliver(_ message: MessageBytes, temporary: String, final: String, mode: mode_t = 0o600,
                        mtime: Int?) throws {
        try write(message, to: temporary, mode: mode, mtime: mtime, reportedAs: final)
        guard rename(temporary, final) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FerryError.io("io.write", "cannot write: \(reason)", file: final)
        }
    }

    /// Writes `message` to a new file `path` (created exclusively: never over another file) and sets
    /// its times to `mtime`; alone, for directories no reader sees until the run ends (a staged
    /// Maildir). On failure the partial file is removed; a failed write names `reportedAs` (default
    /// `path`), a failed create always `path`.
    static func write(_ message: MessageBytes, to path: String, mode: mode_t = 0o600, mtime: Int?,
                      reportedAs: String? = nil) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw FerryError.io("io.create", "cannot create: \(String(cString: strerror(errno)))", file: path)
        }
        let sink = DescriptorWriter(fd: fd, name: path)
        var ok = (try? message.write(to: sink)) != nil
        if let mtime {
            var times = [timespec(tv_sec: mtime, tv_nsec: 0), timespec(tv_sec: mtime, tv_nsec: 0)]
            ok = ok && futimens(fd, &times) == 0
        }
        let code = errno
        ok = close(fd) == 0 && ok
        guard ok else {
            unlink(path)
            throw FerryError.io("io.write", "cannot write: \(String(cString: strerror(code)))", file: reportedAs ?? path)
        }
    }

    /// Removes a directory tree this run made (links are removed, never followed).
    static func removeTree(_ path: String) {
        for entry in list(path) ?? [] {
            let child = path + "/" + entry.name
            if entry.type == .directory { removeTree(child) } else { unlink(child) }
        }
        rmdir(path)
    }

    enum EntryType { case file, directory, symlink, other }

    /// A directory's entries (sorted by name, `.` and `..` left out) with their types as `lstat`
    /// says (links are never followed); nil when it cannot be listed.
    static func list(_ directory: String) -> [(name: String, type: EntryType, status: stat)]? {
        guard let names = DirectoryListing.names(directory) else { return nil }
        var out: [(name: String, type: EntryType, status: stat)] = []
        out.reserveCapacity(names.count)
        for name in names.sorted() {
            var st = stat()
            guard lstat(directory + "/" + name, &st) == 0 else { continue }
            let type: EntryType
            switch st.st_mode & S_IFMT {
            case S_IFREG: type = .file
            case S_IFDIR: type = .directory
            case S_IFLNK: type = .symlink
            default: type = .other
            }
            out.append((name, type, st))
        }
        return out
    }

    /// An item's received date as whole seconds since 1970.
    static func seconds(_ date: Date?) -> Int? {
        date.map { Int($0.timeIntervalSince1970.rounded(.down)) }
    }
}

/// Unbuffered writes to a descriptor (the pieces written are large).
final class DescriptorWriter: ByteSink {
    let fd: Int32
    let name: String
    init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < bytes.count {
            #if canImport(Glibc)
            let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
            #else
            let n = Darwin.write(fd, bytes.baseAddress! + off, bytes.count - off)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                throw FerryError.io("io.write", "write failed: \(String(cString: strerror(errno)))", file: name)
            }
            off += n
        }
    }
    func finish() throws {}
    func abort() {}
}
