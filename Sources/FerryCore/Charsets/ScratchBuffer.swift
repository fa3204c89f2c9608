import CICU

/// A growable byte buffer that is never zero-filled: decoders write straight into it and hand out
/// the written part. One per decoder or encoder, reused for every chunk.
final class ScratchBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        self.base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `additional` more bytes after `count` (keeps the written part).
    @inline(__always)
    func reserve(_ additional: Int) {
        if count + additional > capacity { grow(count + additional) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }
}

/// Runs an ICU converter over all of `input`, appending to `output` (grown as needed). Returns the
/// final status (never OUTPUT_FULL) and how many input bytes were consumed.
func runConverter(_ conv: OpaquePointer, _ input: UnsafeRawBufferPointer, final: Bool, expansion: Int,
                  into output: ScratchBuffer) -> (Int32, Int) {
    var placeholder: UInt8 = 0
    return withUnsafeMutablePointer(to: &placeholder) { empty -> (Int32, Int) in
        let base = UnsafeRawPointer(input.baseAddress ?? UnsafeRawPointer(empty)).assumingMemoryBound(to: CChar.self)
        var source: UnsafePointer<CChar>? = base
        let limit = base + input.count
        while true {
            output.reserve(max((limit - source!) * expansion + 64, 1024))
            let start = UnsafeMutableRawPointer(output.base + output.count).assumingMemoryBound(to: CChar.self)
            var target: UnsafeMutablePointer<CChar>? = start
            let status = ferry_conv_run(conv, &source, limit, &target,
                                        UnsafeRawPointer(output.base + output.capacity).assumingMemoryBound(to: CChar.self),
                                        final ? 1 : 0)
            output.count += target! - start
            if status != Int32(FERRY_CONV_OUTPUT_FULL.rawValue) { return (status, source! - base) }
        }
    }
}
