#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pull-based stream of bytes: files, stdin, memory, decompressors, archive entries.
///
/// Sources are read in chunks into caller-owned memory, so nothing ever holds a whole input.
public protocol ByteSource: AnyObject {
    /// A name for diagnostics (a path, `<stdin>`, `archive.tgz:Inbox/1.eml`).
    var name: String { get }
    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 only at the end of the input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
    /// Reads up to `count` bytes (fewer only at the end). For sniffing and small reads.
    public func read(upTo count: Int) throws -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var filled = 0
        try result.withUnsafeMutableBytes { raw in
            while filled < count {
                let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
                if n == 0 { break }
                filled += n
            }
        }
        result.removeSubrange(filled...)
        return result
    }

    /// Calls `body` with each chunk until the end of input. Memory: one chunk.
    public func forEachChunk(size: Int = 1 << 18, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try read(into: buffer)
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }

    /// Reads everything. Only for inputs known to be small (tests, `.meta` files).
    public func readAll() throws -> [UInt8] {
        var result: [UInt8] = []
        try forEachChunk { result.append(contentsOf: $0) }
        return result
    }
}

/// A file descriptor opened read-only (a path) or borrowed (stdin).
public final class FileSource: ByteSource {
    public let name: String
    private var fd: Int32
    private let owned: Bool

    /// Opens `path` read-only. Inputs are never opened for writing.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw FerryError.io("io.open", "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw FerryError.io("io.directory", "is a directory", file: path)
        }
        #if canImport(Glibc)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
        self.fd = fd
        self.name = path
        self.owned = true
    }

    /// Standard input (not closed by this object).
    public static func standardInput() -> FileSource { FileSource(fd: 0, name: "<stdin>") }

    private init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
        self.owned = false
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            #if canImport(Glibc)
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            #else
            let n = Darwin.read(fd, buffer.baseAddress, buffer.count)
            #endif
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw FerryError.io("io.read", "read failed: \(String(cString: strerror(errno)))", file: name)
        }
    }

    /// Size in bytes for regular files (for progress), nil for pipes.
    public var size: Int64? {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    deinit {
        if owned { close(fd) }
    }
}

/// Bytes held in memory (tests, small decoded parts).
public final class MemorySource: ByteSource {
    public let name: String
    private let bytes: [UInt8]
    private var position = 0
    private let maxChunk: Int

    /// - Parameter maxChunk: the largest read it answers, to exercise chunk boundaries in tests.
    public init(_ bytes: [UInt8], name: String = "<memory>", maxChunk: Int = .max) {
        self.bytes = bytes
        self.name = name
        self.maxChunk = max(1, maxChunk)
    }

    public convenience init(_ text: String, name: String = "<memory>", maxChunk: Int = .max) {
        self.init(Array(text.utf8), name: name, maxChunk: maxChunk)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position, maxChunk)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}

/// A source that replays some already-read bytes (a sniffed prefix) before the rest of another source.
public final class PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private var offset = 0
    private let rest: ByteSource
    public var name: String { rest.name }

    public init(prefix: [UInt8], rest: ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if offset < prefix.count {
            let n = min(buffer.count, prefix.count - offset)
            prefix.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
            }
            offset += n
            if offset == prefix.count { prefix = []; offset = 0 }
            return n
        }
        return try rest.read(into: buffer)
    }
}

/// Counts the bytes read through it (for progress).
public final class CountingSource: ByteSource {
    private let inner: ByteSource
    public private(set) var count: Int64 = 0
    public var name: String { inner.name }

    public init(_ inner: ByteSource) { self.inner = inner }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        count += Int64(n)
        return n
    }
}
