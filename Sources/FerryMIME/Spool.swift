#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import FerryCore

/// The exact bytes of one message, kept in memory while small and spilled to an unlinked temporary
/// file past `memoryLimit`, so a message with a 1 GB attachment costs flat memory. Parts refer to
/// byte ranges of the spool; nothing is ever re-encoded to get them back.
///
/// Append-only while a message is read; immutable (and safe to read from any thread) once `seal()`ed.
/// A file opened read-only for random access, shared by the spools of the messages it holds
/// (an mbox: each message's bytes stay in the file, as GMime's persistent streams do).
public final class SharedFile: @unchecked Sendable {
    public let fd: Int32
    public let path: String

    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw FerryError.io("io.open", "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }
}

public final class MessageSpool: @unchecked Sendable {
    /// Bytes kept in memory before spilling to a temporary file.
    public static let defaultMemoryLimit = 8 << 20

    private var memory: UnsafeMutablePointer<UInt8>?
    private var memoryCapacity = 0
    private var fd: Int32 = -1
    private var pending: [UInt8] = []       // write buffer while spilled
    private var fileCount = 0               // bytes already in the file
    public let memoryLimit: Int
    public private(set) var count = 0
    /// Set when the bytes already lie in a file at an offset (nothing is copied).
    private var external: (file: SharedFile, offset: Int)?
    public private(set) var sealed = false

    public init(memoryLimit: Int = MessageSpool.defaultMemoryLimit, reserve: Int = 0) {
        self.memoryLimit = memoryLimit
        if reserve > 0 { grow(to: min(reserve, memoryLimit)) }
    }

    /// A spool over bytes that stay where they are in `file`, from `offset` on: appends only count.
    public convenience init(file: SharedFile, offset: Int) {
        self.init(memoryLimit: 0)
        external = (file, offset)
    }

    /// A spool over bytes already in memory (tests, small messages).
    public convenience init(bytes: [UInt8]) {
        self.init(memoryLimit: Int.max)
        grow(to: max(bytes.count, 1))
        bytes.withUnsafeBufferPointer { memory!.update(from: $0.baseAddress!, count: bytes.count) }
        count = bytes.count
        sealed = true
    }

    deinit {
        if fd >= 0 { close(fd) }
        memory?.deallocate()
    }

    private func grow(to capacity: Int) {
        guard capacity > memoryCapacity else { return }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        if let memory {
            grown.update(from: memory, count: count)
            memory.deallocate()
        }
        memory = grown
        memoryCapacity = capacity
    }

    /// While in memory and under the limit: room for `n` bytes at the end (filled by the caller, then
    /// `commitTail`). Nil when the spool must spill. The pointer is valid until the next call.
    func reserveTail(_ n: Int) -> UnsafeMutablePointer<UInt8>? {
        guard fd < 0, external == nil, !sealed, count + n <= memoryLimit else { return nil }
        if count + n > memoryCapacity {
            var capacity = max(memoryCapacity * 2, 1 << 16)
            while capacity < count + n { capacity *= 2 }
            grow(to: min(capacity, max(memoryLimit, count + n)))
        }
        return memory! + count
    }

    func commitTail(_ n: Int) { count += n }

    /// The in-memory bytes (nil once spilled).
    var memoryBase: UnsafeMutablePointer<UInt8>? { fd < 0 && external == nil ? memory : nil }

    /// True while every byte is in memory.
    public var isInMemory: Bool { fd < 0 && external == nil }

    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!sealed, "append to a sealed spool")
        guard bytes.count > 0 else { return }
        if external != nil { count += bytes.count; return }
        if fd < 0 && count + bytes.count > memoryLimit { try spill() }
        if fd < 0 {
            if count + bytes.count > memoryCapacity {
                var capacity = max(memoryCapacity * 2, 1 << 12)
                while capacity < count + bytes.count { capacity *= 2 }
                grow(to: capacity)
            }
            (memory! + count).update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        } else {
            pending.append(contentsOf: bytes)
            if pending.count >= 1 << 20 { try flushPending() }
        }
        count += bytes.count
    }

    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// Ends appending.
    public func seal() throws {
        if fd >= 0 { try flushPending() }
        sealed = true
        if external != nil { return }
        // Give back unused room (messages are often held while they move through a pipeline).
        if fd < 0, memoryCapacity > count + 4096 {
            let exact = UnsafeMutablePointer<UInt8>.allocate(capacity: max(count, 1))
            if let memory { exact.update(from: memory, count: count); memory.deallocate() }
            memory = exact
            memoryCapacity = max(count, 1)
        }
    }

    func spill() throws {
        let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(dir)/ferry-spool-XXXXXX".utf8CString)
        let newFD = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard newFD >= 0 else {
            throw FerryError.io("io.spool", "cannot create a temporary file in \(dir) for a large message: "
                                + String(cString: strerror(errno)))
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        fd = newFD
        if let memory { pending = Array(UnsafeBufferPointer(start: memory, count: count)) }
        memory?.deallocate()
        memory = nil
        memoryCapacity = 0
        fileCount = 0
        try flushPending()
    }

    private func flushPending() throws {
        var written = 0
        try pending.withUnsafeBytes { raw in
            while written < raw.count {
                let n = pwrite(fd, raw.baseAddress! + written, raw.count - written, off_t(fileCount + written))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FerryError.io("io.spool", "cannot write the message spool: " + String(cString: strerror(errno)))
                }
                written += n
            }
        }
        fileCount += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with the bytes of `range`, in one or more pieces (one piece when in memory).
    public func forEachPiece(_ range: Range<Int>, pieceSize: Int = 1 << 18,
                             _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "spool range out of bounds")
        guard !range.isEmpty else { return }
        if fd < 0 && external == nil {
            try body(UnsafeRawBufferPointer(start: memory! + range.lowerBound, count: range.count))
            return
        }
        precondition(sealed, "read from an unsealed spilled spool")
        let readFD = external?.file.fd ?? fd
        let base = external?.offset ?? 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(pieceSize, range.count), alignment: 16)
        defer { buffer.deallocate() }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let want = min(buffer.count, range.upperBound - offset)
            let n = pread(readFD, buffer.baseAddress, want, off_t(base + offset))
            if n < 0 {
                if errno == EINTR { continue }
                throw FerryError.io("io.spool", "cannot read the message spool: " + String(cString: strerror(errno)))
            }
            if n == 0 { throw FerryError.io("io.spool", "message spool ended early") }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            offset += n
        }
    }

    /// A copy of `range` (for small ranges: headers, text parts).
    public func bytes(_ range: Range<Int>) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        try forEachPiece(range) { out.append(contentsOf: $0) }
        return out
    }

    /// Every byte (only for messages known to be small).
    public func allBytes() throws -> [UInt8] {
        return try bytes(0..<count)
    }

    /// A stream over `range`.
    public func source(_ range: Range<Int>, name: String = "<message>") -> ByteSource {
        SpoolRangeSource(spool: self, range: range, name: name)
    }

    /// 1-based line and column of a byte offset (for diagnostics; linear in the offset).
    public func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var lastLineStart = 0
        let end = max(0, min(offset, count))
        var base = 0
        try? forEachPiece(0..<end) { piece in
            for (i, b) in piece.enumerated() where b == 0x0A {
                line += 1
                lastLineStart = base + i + 1
            }
            base += piece.count
        }
        return (line, end - lastLineStart + 1)
    }
}

/// Reads a range of a spool as a byte stream.
final class SpoolRangeSource: ByteSource {
    let spool: MessageSpool
    var position: Int
    let end: Int
    let name: String

    init(spool: MessageSpool, range: Range<Int>, name: String) {
        self.spool = spool
        self.position = range.lowerBound
        self.end = range.upperBound
        self.name = name
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, end - position)
        guard n > 0 else { return 0 }
        var filled = 0
        try spool.forEachPiece(position..<(position + n), pieceSize: n) { piece in
            (buffer.baseAddress! + filled).copyMemory(from: piece.baseAddress!, byteCount: piece.count)
            filled += piece.count
        }
        position += n
        return n
    }
}
