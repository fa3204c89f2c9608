import CZlib
import FerryCore
import Foundation

/// What an archive writer needs to know about an entry before its data.
public struct ArchiveEntryHeader: Sendable {
    public var name: String
    public var size: Int64
    public var mode: UInt32
    public var modificationTime: Int64
    /// tar `gname` (Zimbra: the item type name).
    public var groupName: String = ""
    /// tar `devmajor` (Zimbra: the item type code).
    public var deviceMajor: Int = 0
    /// zip entry comment (Zimbra: the type name, `-unread` on an unread `.meta`).
    public var comment: String = ""

    public init(name: String, size: Int64, mode: UInt32 = 0o100644, modificationTime: Int64 = 0) {
        self.name = name
        self.size = size
        self.mode = mode
        self.modificationTime = modificationTime
    }
}

/// Writes entries one after the other; each entry's data is written through the sink handed to
/// `body`, which must deliver exactly `header.size` bytes.
public protocol ArchiveEntryWriter: AnyObject {
    func add(_ header: ArchiveEntryHeader, body: (ByteSink) throws -> Void) throws
    /// Writes the archive's trailer (does not finish the underlying sink).
    func close() throws
}

/// Counts and forwards an entry's bytes.
final class CountingSink: ByteSink {
    let inner: ByteSink
    var count: Int64 = 0
    var crc: UInt = 0
    let computeCRC: Bool
    var name: String { inner.name }
    init(_ inner: ByteSink, crc: Bool = false) {
        self.inner = inner
        self.computeCRC = crc
        if crc { self.crc = UInt(crc32(0, nil, 0)) }
    }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        if computeCRC {
            crc = UInt(crc32(uLong(crc), bytes.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
        }
        count += Int64(bytes.count)
        try inner.write(bytes)
    }
    func finish() throws {}
    func abort() {}
}

// MARK: - tar

/// A tar stream the way Zimbra's exporter writes it: 512-byte GNU-magic headers, `././@LongLink`
/// entries for names of 100 bytes and more, uid/gid 0, `gname` and `devmajor` as given, base-256
/// sizes past 8 GiB, two zero records and 10,240-byte blocking at the end.
public final class TarWriter: ArchiveEntryWriter {
    private let sink: ByteSink
    private var written: Int64 = 0
    public static let blockingFactor = 10_240

    public init(sink: ByteSink) { self.sink = sink }

    public func add(_ header: ArchiveEntryHeader, body: (ByteSink) throws -> Void) throws {
        let nameBytes = Array(header.name.utf8)
        if nameBytes.count >= 100 {
            var long = ArchiveEntryHeader(name: "././@LongLink", size: Int64(nameBytes.count + 1), mode: 0o100644)
            long.modificationTime = 0
            try writeHeader(long, nameBytes: Array("././@LongLink".utf8), type: UInt8(ascii: "L"))
            try emit(nameBytes + [0])
            try pad(Int64(nameBytes.count + 1))
        }
        try writeHeader(header, nameBytes: Array(nameBytes.prefix(100)), type: UInt8(ascii: "0"))
        let counter = CountingSink(sink)
        try body(counter)
        written += counter.count
        guard counter.count == header.size else {
            throw FerryError.io("archive.size", "entry '\(header.name)' delivered \(counter.count) bytes, not \(header.size)",
                                file: sink.name)
        }
        try pad(header.size)
    }

    private func writeHeader(_ h: ArchiveEntryHeader, nameBytes: [UInt8], type: UInt8) throws {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], _ offset: Int, _ length: Int) {
            for (i, b) in bytes.prefix(length).enumerated() { block[offset + i] = b }
        }
        func octal(_ value: Int64, _ offset: Int, _ length: Int) {
            let digits = length - 1
            let maxOctal: Int64 = digits >= 21 ? .max : (1 << (3 * Int64(digits))) - 1
            if value >= 0 && value <= maxOctal {
                // Zero-padded octal digits, then NUL.
                var v = value
                for i in stride(from: digits - 1, through: 0, by: -1) {
                    block[offset + i] = 0x30 + UInt8(truncatingIfNeeded: v & 7)
                    v >>= 3
                }
                block[offset + digits] = 0
            } else {
                // GNU base-256: high bit set, big-endian two's complement.
                var v = value
                for i in stride(from: length - 1, through: 0, by: -1) {
                    block[offset + i] = UInt8(truncatingIfNeeded: v)
                    v >>= 8
                }
                block[offset] = (block[offset] & 0x7F) | 0x80
                if value < 0 { block[offset] |= 0x40 }
            }
        }
        put(nameBytes, 0, 100)
        octal(Int64(h.mode & 0o7777777), 100, 8)
        octal(0, 108, 8)
        octal(0, 116, 8)
        octal(h.size, 124, 12)
        octal(h.modificationTime, 136, 12)
        put(Array("        ".utf8), 148, 8)
        block[156] = type
        put(Array("ustar  \0".utf8), 257, 8)
        put(Array(h.groupName.utf8), 297, 32)
        octal(Int64(h.deviceMajor), 329, 8)
        octal(0, 337, 8)
        let sum = block.reduce(0) { $0 + Int($1) }
        var chk = String(sum, radix: 8)
        chk = String(repeating: "0", count: max(0, 6 - chk.count)) + chk
        put(Array(chk.utf8) + [0, 0x20], 148, 8)
        try emit(block)
    }

    private func emit(_ bytes: [UInt8]) throws {
        try sink.write(bytes)
        written += Int64(bytes.count)
    }

    private func pad(_ size: Int64) throws {
        let rest = Int(size % 512)
        if rest != 0 { try emit([UInt8](repeating: 0, count: 512 - rest)) }
    }

    public func close() throws {
        try emit([UInt8](repeating: 0, count: 1024))
        let rest = Int(written % Int64(TarWriter.blockingFactor))
        if rest != 0 { try emit([UInt8](repeating: 0, count: TarWriter.blockingFactor - rest)) }
    }
}

// MARK: - gzip

/// Compresses what is written to it into a gzip member on `inner`; `finish()` ends the member
/// (it does not finish `inner`).
public final class GzipSink: ByteSink {
    private let inner: ByteSink
    private var stream = z_stream()
    private var out = [UInt8](repeating: 0, count: 1 << 17)
    private var ended = false
    public var name: String { inner.name }

    public init(_ inner: ByteSink, level: Int32 = 6) throws {
        self.inner = inner
        guard ferry_deflate_init_gzip(&stream, level) == Z_OK else {
            throw FerryError.io("gzip.init", "cannot start gzip compression")
        }
    }

    deinit { deflateEnd(&stream) }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        try pump(Z_NO_FLUSH)
    }

    private func pump(_ flush: Int32) throws {
        repeat {
            let produced: Int = try out.withUnsafeMutableBytes { buf in
                stream.next_out = buf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buf.count)
                let status = deflate(&stream, flush)
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw FerryError.io("gzip.deflate", "gzip compression failed (\(status))")
                }
                return buf.count - Int(stream.avail_out)
            }
            if produced > 0 { try inner.write(out[..<produced]) }
            if flush == Z_FINISH { if stream.avail_out != 0 { break } } else if stream.avail_in == 0 && stream.avail_out != 0 { break }
        } while true
    }

    public func finish() throws {
        guard !ended else { return }
        ended = true
        stream.next_in = nil
        stream.avail_in = 0
        try pump(Z_FINISH)
    }

    public func abort() { ended = true }
}

// MARK: - zip

/// A zip stream written in one pass (works on pipes): deflated entries with data descriptors,
/// UTF-8 names (bit 11), Unix modes, exact UTC times (extra field 0x5455), entry comments, and
/// Zip64 records wherever a size, an offset or the entry count needs them.
public final class ZipWriter: ArchiveEntryWriter {
    private let sink: ByteSink
    private var offset: Int64 = 0
    private var central: [UInt8] = []
    private var entries = 0
    private let level: Int32

    public init(sink: ByteSink, level: Int32 = 6) {
        self.sink = sink
        self.level = level
    }

    private func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
    private func le32(_ v: Int64) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * Int64($0))) } }
    private func le64(_ v: Int64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * Int64($0))) } }

    private func dosTime(_ seconds: Int64) -> (time: Int, date: Int) {
        var t = time_t(max(seconds, 315_532_800))
        var tm = tm()
        gmtime_r(&t, &tm)
        let time = Int(tm.tm_hour) << 11 | Int(tm.tm_min) << 5 | Int(tm.tm_sec) / 2
        let date = Int(tm.tm_year - 80) << 9 | Int(tm.tm_mon + 1) << 5 | Int(tm.tm_mday)
        return (time, date)
    }

    private func emit(_ bytes: [UInt8]) throws {
        try sink.write(bytes)
        offset += Int64(bytes.count)
    }

    public func add(_ header: ArchiveEntryHeader, body: (ByteSink) throws -> Void) throws {
        let name = Array(header.name.utf8)
        let comment = Array(header.comment.utf8)
        let zip64 = header.size >= 0xFFFF_0000
        let localOffset = offset
        let (dtime, ddate) = dosTime(header.modificationTime)
        let flags = 0x0008 | 0x0800
        let version = zip64 ? 45 : 20
        let mtime = Int64(clamping: header.modificationTime)
        let timeExtra: [UInt8] = le16(0x5455) + le16(5) + [1] + le32(mtime)
        var local: [UInt8] = le32(0x0403_4b50) + le16(version) + le16(flags) + le16(8) + le16(dtime) + le16(ddate)
        local += le32(0) + (zip64 ? le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF) : le32(0) + le32(0))
        let localZip64: [UInt8] = zip64 ? le16(0x0001) + le16(16) + le64(0) + le64(0) : []
        local += le16(name.count) + le16(localZip64.count + timeExtra.count) + name + localZip64 + timeExtra
        try emit(local)
        // Deflate the data as it comes.
        let deflater = try RawDeflateSink(sink, level: level)
        let counter = CountingSink(deflater, crc: true)
        try body(counter)
        try deflater.finish()
        offset += deflater.produced
        guard counter.count == header.size else {
            throw FerryError.io("archive.size", "entry '\(header.name)' delivered \(counter.count) bytes, not \(header.size)",
                                file: sink.name)
        }
        let crc = Int64(counter.crc)
        let csize = deflater.produced
        let usize = counter.count
        try emit(le32(0x0807_4b50) + le32(crc) + (zip64 ? le64(csize) + le64(usize) : le32(csize) + le32(usize)))
        // Central directory record.
        let needs64 = zip64 || csize >= 0xFFFF_FFFF || usize >= 0xFFFF_FFFF || localOffset >= 0xFFFF_FFFF
        var extra64: [UInt8] = []
        if needs64 { extra64 = le16(0x0001) + le16(24) + le64(usize) + le64(csize) + le64(localOffset) }
        var record = le32(0x0201_4b50) + le16(3 << 8 | 45) + le16(needs64 ? 45 : version) + le16(flags) + le16(8)
        record += le16(dtime) + le16(ddate) + le32(crc)
        record += needs64 ? le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF) : le32(csize) + le32(usize)
        record += le16(name.count) + le16(extra64.count + timeExtra.count) + le16(comment.count) + le16(0) + le16(0)
        record += le32(Int64(header.mode & 0xFFFF) << 16)
        record += needs64 ? le32(0xFFFF_FFFF) : le32(localOffset)
        record += name + extra64 + timeExtra + comment
        central += record
        entries += 1
    }

    public func close() throws {
        let cdOffset = offset
        try emit(central)
        let cdSize = Int64(central.count)
        central = []
        let needs64 = entries >= 0xFFFF || cdOffset >= 0xFFFF_FFFF || cdSize >= 0xFFFF_FFFF
        if needs64 {
            let eocd64Offset = offset
            try emit(le32(0x0606_4b50) + le64(44) + le16(3 << 8 | 45) + le16(45) + le32(0) + le32(0)
                     + le64(Int64(entries)) + le64(Int64(entries)) + le64(cdSize) + le64(cdOffset))
            try emit(le32(0x0706_4b50) + le32(0) + le64(eocd64Offset) + le32(1))
        }
        let n = needs64 ? 0xFFFF : entries
        try emit(le32(0x0605_4b50) + le16(0) + le16(0) + le16(n) + le16(n)
                 + le32(needs64 ? 0xFFFF_FFFF : cdSize) + le32(needs64 ? 0xFFFF_FFFF : cdOffset) + le16(0))
    }
}

/// Raw deflate (no header) into a sink, counting the compressed bytes.
final class RawDeflateSink: ByteSink {
    private let inner: ByteSink
    private var stream = z_stream()
    private var out = [UInt8](repeating: 0, count: 1 << 16)
    private(set) var produced: Int64 = 0
    var name: String { inner.name }

    init(_ inner: ByteSink, level: Int32) throws {
        self.inner = inner
        guard ferry_deflate_init_raw(&stream, level) == Z_OK else {
            throw FerryError.io("zip.deflate", "cannot start deflate compression")
        }
    }

    deinit { deflateEnd(&stream) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        try pump(Z_NO_FLUSH)
    }

    private func pump(_ flush: Int32) throws {
        while true {
            let n: Int = try out.withUnsafeMutableBytes { buf in
                stream.next_out = buf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buf.count)
                let status = deflate(&stream, flush)
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw FerryError.io("zip.deflate", "deflate failed (\(status))")
                }
                return buf.count - Int(stream.avail_out)
            }
            if n > 0 {
                try inner.write(out[..<n])
                produced += Int64(n)
            }
            if stream.avail_out != 0 && (flush == Z_FINISH || stream.avail_in == 0) { break }
        }
    }

    func finish() throws {
        stream.next_in = nil
        stream.avail_in = 0
        try pump(Z_FINISH)
    }

    func abort() {}
}
