#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSupport

/// Where a writer's bytes go. Writers call `finish()` after a clean end; anything else is `abort()`.
public protocol ByteSink: AnyObject {
    var name: String { get }
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes and makes the output final (for files: renames the temporary file into place).
    func finish() throws
    /// Discards the output (for files: removes the temporary file). Safe to call more than once.
    func abort()
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ bytes: ArraySlice<UInt8>) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }
}

/// A buffered writer over a file descriptor.
class DescriptorSink {
    fileprivate var fd: Int32
    fileprivate let label: String
    private var pending: UnsafeMutableRawPointer
    private var pendingCount = 0
    private let capacity: Int

    init(fd: Int32, label: String, bufferSize: Int = 1 << 18) {
        self.fd = fd
        self.label = label
        self.capacity = bufferSize
        self.pending = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit { pending.deallocate() }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        if pendingCount + bytes.count > capacity {
            try flush()
            if bytes.count >= capacity {
                try writeAll(bytes.baseAddress!, bytes.count)
                return
            }
        }
        (pending + pendingCount).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        pendingCount += bytes.count
    }

    func flush() throws {
        if pendingCount > 0 {
            try writeAll(UnsafeRawPointer(pending), pendingCount)
            pendingCount = 0
        }
    }

    private func writeAll(_ base: UnsafeRawPointer, _ count: Int) throws {
        var written = 0
        while written < count {
            #if canImport(Glibc)
            let n = Glibc.write(fd, base + written, count - written)
            #else
            let n = Darwin.write(fd, base + written, count - written)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                throw FerryError.io("io.write", "write failed: \(String(cString: strerror(errno)))", file: label)
            }
            written += n
        }
    }
}

/// Standard output (`-`).
public final class StandardOutputSink: ByteSink {
    private let sink = DescriptorSink(fd: 1, label: "<stdout>")
    public let name = "<stdout>"
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { try sink.append(bytes) }
    public func finish() throws { try sink.flush() }
    public func abort() { try? sink.flush() }
}

/// Bytes collected in memory (tests, nested encoders).
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public private(set) var finished = false
    public let name: String
    public init(name: String = "<memory>") { self.name = name }
    public func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
    public func finish() throws { finished = true }
    public func abort() { bytes = [] }
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// A file written atomically: bytes go to a temporary file next to the destination, which is
/// renamed into place only by `finish()`. On `abort()`, on deinit without `finish()`, and on
/// SIGINT/SIGTERM/SIGHUP/SIGPIPE the temporary file is removed, so no partial output ever carries
/// the destination's name.
///
/// A destination that exists and is not a regular file — `/dev/null`, a terminal, a named pipe —
/// is written directly: renaming over it would replace the device with a file (as root, `-o
/// /dev/null` would have done just that). A symbolic link to a regular file is followed, so the
/// file it points to is replaced, not the link.
public final class AtomicFileSink: ByteSink {
    public let name: String
    /// The temporary file, or nil when the destination is written directly (a device or a pipe).
    public let temporaryPath: String?
    private let sink: DescriptorSink
    private var slot: Int32
    private var state: State = .open

    private enum State { case open, finished, aborted }

    public init(path: String) throws {
        ferry_install_cleanup_handlers()
        var path = path
        var st = stat()
        if stat(path, &st) == 0 {
            let type = st.st_mode & S_IFMT
            if type == S_IFCHR || type == S_IFIFO || type == S_IFSOCK || type == S_IFBLK {
                let fd = open(path, O_WRONLY | O_CLOEXEC)
                guard fd >= 0 else {
                    throw FerryError.io("io.create", "cannot open the output for writing: "
                                        + String(cString: strerror(errno)), file: path)
                }
                self.name = path
                self.temporaryPath = nil
                self.sink = DescriptorSink(fd: fd, label: path)
                self.slot = -1
                return
            }
            var link = stat()
            if type == S_IFREG, lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK,
               let resolved = realpath(path, nil) {
                path = String(cString: resolved)
                free(resolved)
            }
        }
        let directory: String
        let base: String
        if let slash = path.lastIndex(of: "/") {
            directory = String(path[..<slash]).isEmpty ? "/" : String(path[..<slash])
            base = String(path[path.index(after: slash)...])
        } else {
            directory = "."
            base = path
        }
        guard !base.isEmpty else {
            throw FerryError.io("io.output-path", "output path names a directory", file: path)
        }
        var template = Array("\(directory)/.\(base).ferry-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw FerryError.io("io.create", "cannot create a temporary file in \(directory): "
                                + String(cString: strerror(errno)), file: path)
        }
        let tmp = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // mkstemp creates 0600; give the output the usual 0666 & ~umask.
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o666 & ~mask)
        self.name = path
        self.temporaryPath = tmp
        self.sink = DescriptorSink(fd: fd, label: path)
        self.slot = Int32(ferry_tmp_register(tmp))
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard state == .open else {
            throw FerryError.io("io.closed", "write after the output was closed", file: name)
        }
        do {
            try sink.append(bytes)
        } catch {
            abort()
            throw error
        }
    }

    public func finish() throws {
        guard state == .open else { return }
        do {
            try sink.flush()
            if temporaryPath != nil, fsync(sink.fd) != 0 && errno != EINVAL {
                throw FerryError.io("io.sync", "fsync failed: \(String(cString: strerror(errno)))", file: name)
            }
            guard let temporaryPath else {
                // Written directly: a device or a pipe, nothing to sync or rename.
                close(sink.fd)
                sink.fd = -1
                state = .finished
                return
            }
            close(sink.fd)
            sink.fd = -1
            guard rename(temporaryPath, name) == 0 else {
                throw FerryError.io("io.rename", "cannot move the finished output into place: "
                                    + String(cString: strerror(errno)), file: name)
            }
            state = .finished
            ferry_tmp_unregister(slot)
        } catch {
            abort()
            throw error
        }
    }

    public func abort() {
        guard state == .open else { return }
        state = .aborted
        if sink.fd >= 0 { close(sink.fd); sink.fd = -1 }
        guard let temporaryPath else { return }
        unlink(temporaryPath)
        ferry_tmp_unregister(slot)
    }

    deinit { abort() }
}

/// Removes every temporary output still registered (call before exiting on a fatal error).
public func removePendingTemporaryOutputs() {
    ferry_tmp_cleanup_all()
}

/// Identity of a file on disk, to refuse writing an output over one of the inputs.
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    public init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}
