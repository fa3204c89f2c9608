import FerryCore

/// A byte source that decodes another source's charset to UTF-8 as it is read (flat memory).
public final class DecodingSource: ByteSource {
    public var name: String { source.name }
    private let source: ByteSource
    private let decoder: CharsetDecoder
    private var pending: [UInt8] = []
    private var offset = 0
    private var done = false
    private var input = [UInt8](repeating: 0, count: 1 << 16)

    public init(_ source: ByteSource, decoder: CharsetDecoder) {
        self.source = source
        self.decoder = decoder
    }

    public var replacements: Int { decoder.replacements }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while offset >= pending.count {
            if done { return 0 }
            pending.removeAll(keepingCapacity: true)
            offset = 0
            let n = try input.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { done = true }
            try input.withUnsafeBytes { raw in
                try decoder.decode(UnsafeRawBufferPointer(rebasing: raw[0..<n]), final: n == 0, into: &pending)
            }
        }
        let n = min(buffer.count, pending.count - offset)
        pending.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
