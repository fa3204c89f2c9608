import CSupport
import Synchronization
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
        // Uninitialized storage: no zeroing of the 64 KiB a sniff asks for when the file is small.
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
            filled = 0
            while filled < count {
                let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[filled...]))
                if n == 0 { break }
                filled += n
            }
        }
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

    /// Maps the rest of a regular file of at least `minimumSize` bytes for zero-copy reading and
    /// moves the descriptor to the end (later reads return 0). Returns the mapping and the offset at
    /// which the unread part starts, or nil (pipes, small or special files, mmap failure).
    ///
    /// A file truncated by another process while mapped makes reading its vanished pages fault
    /// (SIGBUS), as with every mmap-based reader; Ferry's inputs are exports at rest.
    public func takeMapping(minimumSize: Int = 1 << 20) -> (FileMapping, Int)? {
        guard let size, size >= minimumSize, size <= Int64(Int.max) else { return nil }
        let offset = lseek(fd, 0, SEEK_CUR)
        guard offset >= 0, offset <= size else { return nil }
        guard let mapping = FileMapping(fd: fd, length: Int(size)) else { return nil }
        _ = lseek(fd, 0, SEEK_END)
        return (mapping, Int(offset))
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
    private let prefixIsStart: Bool
    public var name: String { rest.name }

    /// - Parameter prefixIsStart: `prefix` holds the first bytes `rest` was read from (a sniffed
    ///   file), so re-reading `rest` from its start gives the same input (`RereadableSource`).
    public init(prefix: [UInt8], rest: ByteSource, prefixIsStart: Bool = false) {
        self.prefix = prefix
        self.rest = rest
        self.prefixIsStart = prefixIsStart
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

/// A source that can give its input again from the first byte: a fast checker may make a first pass
/// and, when it finds something to explain, hand the input to a slower, more detailed one.
public protocol RereadableSource: ByteSource {
    /// True when `reread()` will give the same bytes from the start (false for pipes and stdin).
    var canReread: Bool { get }
    /// A new source over the same input, from its first byte.
    func reread() throws -> ByteSource
}

extension FileSource: RereadableSource {
    public var canReread: Bool { owned }
    public func reread() throws -> ByteSource { try FileSource(path: name) }
}

extension MemorySource: RereadableSource {
    public var canReread: Bool { true }
    public func reread() throws -> ByteSource { MemorySource(bytes, name: name, maxChunk: maxChunk) }
}

extension PrefixedSource: RereadableSource {
    public var canReread: Bool { prefixIsStart && (rest as? RereadableSource)?.canReread == true }
    public func reread() throws -> ByteSource {
        guard canReread, let rest = rest as? RereadableSource else {
            throw FerryError.io("io.reread", "this input cannot be read twice", file: name)
        }
        return try rest.reread()
    }
}

/// A read-only private memory mapping of a whole file, read front to back.
///
/// For large files a helper thread maps pages ahead of the reader (a bounded distance, so memory
/// stays flat), sparing the reader's thread a page fault per 64 KiB; `release(upTo:)` drops what was
/// read.
public final class FileMapping {
    public let base: UnsafeRawPointer
    public let length: Int
    private var prefault: OpaquePointer?
    private var reported = 0
    private var releasedUpTo = 0

    init?(fd: Int32, length: Int) {
        guard length > 0 else { return nil }
        let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else { return nil }
        #if canImport(Glibc)
        _ = madvise(address, length, MADV_SEQUENTIAL)
        #endif
        self.base = UnsafeRawPointer(address)
        self.length = length
    }

    /// How far the helper maps ahead of the reader, and how much the reader may leave mapped behind it:
    /// together they bound the resident size (file pages count as resident once mapped).
    static let readAhead = 8 << 20
    public static let releaseStep = 4 << 20

    /// Starts mapping pages ahead of a reader that begins at `offset` (files of 32 MiB and more).
    func startReadingAhead(from offset: Int) {
        guard prefault == nil, length - offset >= 32 << 20 else { return }
        prefault = ferry_prefault_start(base, length, offset, FileMapping.readAhead)
        reported = offset
    }

    /// The reader got to `offset`: pages before it may go, the helper may map further.
    public func release(upTo offset: Int) {
        advance(to: offset)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = (min(offset, length) / page) * page
        if end > releasedUpTo {
            _ = madvise(UnsafeMutableRawPointer(mutating: base + releasedUpTo), end - releasedUpTo, MADV_DONTNEED)
            releasedUpTo = end
        }
    }

    /// Tells the read-ahead helper how far the reader got (cheap; call often).
    @inline(__always)
    func advance(to offset: Int) {
        if let prefault, offset - reported >= 2 << 20 {
            ferry_prefault_advance(prefault, offset)
            reported = offset
        }
    }

    deinit {
        if let prefault { ferry_prefault_stop(prefault) }
        munmap(UnsafeMutableRawPointer(mutating: base), length)
    }
}

/// Counts the bytes read through it (for progress).
public final class CountingSource: ByteSource {
    private let inner: ByteSource
    /// Atomic: the source may be read on a read-ahead thread while progress is shown from another.
    private let counter = Atomic<Int64>(0)
    public var count: Int64 { counter.load(ordering: .relaxed) }
    public var name: String { inner.name }

    public init(_ inner: ByteSource) { self.inner = inner }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        counter.add(Int64(n), ordering: .relaxed)
        return n
    }
}

/// A source whose bytes can also be read at any offset (a regular file, bytes in memory), without
/// moving its sequential position: a zip reader looks at the central directory at the end first.
public protocol RandomAccessSource: AnyObject {
    /// Total size in bytes, nil when unknown (pipes).
    var totalSize: Int64? { get }
    /// Up to `count` bytes from `offset` (fewer at the end of the input).
    func bytes(at offset: Int64, count: Int) throws -> [UInt8]
}

extension FileSource: RandomAccessSource {
    public var totalSize: Int64? { size }
    public func bytes(at offset: Int64, count: Int) throws -> [UInt8] {
        guard count > 0, offset >= 0 else { return [] }
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
            filled = 0
            while filled < count {
                let n = pread(fd, buffer.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FerryError.io("io.read", "read failed: \(String(cString: strerror(errno)))", file: name)
                }
                if n == 0 { break }
                filled += n
            }
        }
    }
}

extension MemorySource: RandomAccessSource {
    public var totalSize: Int64? { Int64(bytes.count) }
    public func bytes(at offset: Int64, count: Int) throws -> [UInt8] {
        guard offset >= 0, offset < Int64(bytes.count), count > 0 else { return [] }
        let start = Int(offset)
        return Array(bytes[start..<min(bytes.count, start + count)])
    }
}

extension CountingSource: RandomAccessSource {
    /// The inner source's size when it can be read at an offset, else nil.
    public var totalSize: Int64? { (inner as? RandomAccessSource)?.totalSize }
    public func bytes(at offset: Int64, count: Int) throws -> [UInt8] {
        guard let random = inner as? RandomAccessSource else { return [] }
        return try random.bytes(at: offset, count: count)
    }
}

extension PrefixedSource: RandomAccessSource {
    /// Only when the prefix is the start of `rest`'s input (offsets then mean the same in both).
    public var totalSize: Int64? { prefixIsStart ? (rest as? RandomAccessSource)?.totalSize : nil }
    public func bytes(at offset: Int64, count: Int) throws -> [UInt8] {
        guard prefixIsStart, let random = rest as? RandomAccessSource else { return [] }
        return try random.bytes(at: offset, count: count)
    }
}
