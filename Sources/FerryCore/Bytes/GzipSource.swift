import CZlib

/// Streams the decompressed bytes of a gzip (or zlib) source in flat memory; concatenated gzip
/// members are read one after another, as `gunzip` does.
public final class GzipSource: ByteSource {
    public let name: String
    private let source: ByteSource
    private var stream = z_stream()
    private var input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 1 << 16
    private var inputEnd = false
    private var finished = false
    /// Limit on decompressed bytes (a defence against compression bombs); nil = none.
    public let limit: Int64?
    public private(set) var produced: Int64 = 0

    public init(_ source: ByteSource, limit: Int64? = nil) throws {
        self.source = source
        self.name = source.name
        self.limit = limit
        self.input = .allocate(capacity: inputCapacity)
        guard ferry_inflate_init_gzip(&stream) == Z_OK else {
            input.deallocate()
            throw FerryError.io("gzip.init", "cannot initialise zlib", file: source.name)
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    /// True when `prefix` starts with the gzip magic bytes.
    public static func isGzip(_ prefix: [UInt8]) -> Bool {
        prefix.count >= 2 && prefix[0] == 0x1F && prefix[1] == 0x8B
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !inputEnd {
                let n = try source.read(into: UnsafeMutableRawBufferPointer(start: input, count: inputCapacity))
                if n == 0 {
                    inputEnd = true
                } else {
                    stream.next_in = input
                    stream.avail_in = UInt32(n)
                }
            }
            if stream.avail_in == 0 && inputEnd {
                if inMember {
                    throw FerryError.data("gzip.truncated", "compressed data ends early", file: name)
                }
                finished = true
                break
            }
            inMember = true
            let status = inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_STREAM_END:
                inMember = false
                completedMembers += 1
                inflateReset(&stream)  // another member may follow
                totalOutAtMemberStart = stream.total_out
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_DATA_ERROR where completedMembers > 0 && stream.total_out == totalOutAtMemberStart:
                // Trailing garbage after a complete member (gunzip ignores it too).
                inMember = false
                finished = true
                stream.avail_in = 0
                inputEnd = true
            default:
                throw FerryError.data("gzip.corrupt", "corrupt compressed data: "
                                      + (stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"), file: name)
            }
            if finished { break }
        }
        return try account(buffer.count - Int(stream.avail_out))
    }

    private var inMember = false
    private var completedMembers = 0
    private var totalOutAtMemberStart: UInt = 0

    private func account(_ n: Int) throws -> Int {
        produced += Int64(n)
        if let limit, produced > limit {
            throw FerryError.data("gzip.limit", "decompressed size exceeds the limit of \(limit) bytes "
                                  + "(possible compression bomb)", file: name)
        }
        return n
    }
}
