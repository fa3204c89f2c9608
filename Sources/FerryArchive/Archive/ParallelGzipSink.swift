import CZlib
import FerryCore
import Foundation

/// gzip compression spread over the machine's cores, still one standard gzip member (pigz's scheme):
/// the input is cut into blocks, each block is deflated on its own by a worker thread with the last
/// 32 KiB of the block before it as the preset dictionary (so matches reach back across the cut as in
/// one stream) and ended with a sync flush (an empty stored block, leaving the bit stream on a byte
/// boundary); the last block ends the deflate stream. The compressed blocks are written in order,
/// their CRC-32s combined, and the gzip header and trailer are the ones zlib writes. Any gzip reader
/// decompresses it to exactly the bytes written (the compressed bytes differ from a single-threaded
/// zlib stream's, as pigz's differ from gzip's).
///
/// Memory is flat: a ring of `slots` blocks (input and output buffers), each reused once its
/// compressed bytes are written. The inner sink is written only by the thread calling `write` and
/// `finish`. `finish()` ends the member; it does not finish `inner`.
public final class ParallelGzipSink: ByteSink {
    public let name: String
    private let inner: ByteSink
    private let blockSize: Int
    private let slots: [Block]
    /// Sequence number of the block being filled; blocks `oldest..<filling` are being compressed.
    private var filling = 0
    private var oldest = 0
    private var crc = crc32(0, nil, 0)
    private var total: UInt64 = 0
    private var finished = false
    private static let window = 32 * 1024

    /// One block: its input, the dictionary it is compressed with, its compressed output.
    private final class Block: @unchecked Sendable {
        var stream = z_stream()
        let input: UnsafeMutablePointer<UInt8>
        var count = 0
        let dictionary: UnsafeMutablePointer<UInt8>
        var dictionaryCount = 0
        var output: UnsafeMutablePointer<UInt8>
        var outputCapacity: Int
        var produced = 0
        var last = false
        var crc: uLong = 0
        var status: Int32 = Z_OK
        var busy = false
        let done = DispatchSemaphore(value: 0)

        init(size: Int, level: Int32) throws {
            input = .allocate(capacity: size)
            dictionary = .allocate(capacity: ParallelGzipSink.window)
            outputCapacity = size + size / 8 + 1024
            output = .allocate(capacity: outputCapacity)
            guard ferry_deflate_init_raw(&stream, level) == Z_OK else {
                input.deallocate()
                dictionary.deallocate()
                output.deallocate()
                throw FerryError.io("gzip.init", "cannot start gzip compression")
            }
        }

        deinit {
            deflateEnd(&stream)
            input.deallocate()
            dictionary.deallocate()
            output.deallocate()
        }

        /// Runs on a worker thread.
        func compress() {
            crc = crc32(0, input, uInt(count))
            produced = 0
            status = deflateReset(&stream)
            if status == Z_OK, dictionaryCount > 0 {
                status = deflateSetDictionary(&stream, dictionary, uInt(dictionaryCount))
            }
            guard status == Z_OK else { return }
            stream.next_in = input
            stream.avail_in = uInt(count)
            let flush = last ? Z_FINISH : Z_SYNC_FLUSH
            while true {
                if produced == outputCapacity {
                    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: outputCapacity * 2)
                    bigger.update(from: output, count: produced)
                    output.deallocate()
                    output = bigger
                    outputCapacity *= 2
                }
                stream.next_out = output + produced
                stream.avail_out = uInt(outputCapacity - produced)
                let result = deflate(&stream, flush)
                produced = outputCapacity - Int(stream.avail_out)
                if result == Z_STREAM_END { status = Z_OK; return }
                guard result == Z_OK || result == Z_BUF_ERROR else { status = result; return }
                // Done when deflate had room left over (all input taken, the flush written).
                if !last && stream.avail_out != 0 && stream.avail_in == 0 { status = Z_OK; return }
            }
        }
    }

    /// - Parameters:
    ///   - level: zlib level (6, as gzip and `tar czf` use).
    ///   - blockSize: bytes per block (pigz uses 128 KiB; larger blocks cost fewer flushes).
    ///   - slotCount: blocks held at once (default: cores + 2, so every core has one while one fills).
    public init(_ inner: ByteSink, level: Int32 = 6, blockSize: Int = 512 * 1024, slotCount: Int? = nil) throws {
        precondition(blockSize >= 1)
        self.inner = inner
        self.name = inner.name
        self.blockSize = blockSize
        let count = max(2, slotCount ?? ProcessInfo.processInfo.activeProcessorCount + 2)
        self.slots = try (0..<count).map { _ in try Block(size: blockSize, level: level) }
        // zlib's gzip header: no name, no time; XFL as deflate.c sets it; OS 3 (Unix).
        let xfl: UInt8 = level == 9 ? 2 : (level >= 0 && level < 2 ? 4 : 0)
        try inner.write([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, xfl, 3])
    }

    deinit { quiesce() }

    /// Waits for every block still being compressed (their buffers must outlive the workers).
    private func quiesce() {
        while oldest < filling {
            let block = slots[oldest % slots.count]
            if block.busy { block.done.wait(); block.busy = false }
            oldest += 1
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw FerryError.io("io.closed", "write after the gzip stream was ended", file: name) }
        var offset = 0
        while offset < bytes.count {
            let block = slots[filling % slots.count]
            let n = min(bytes.count - offset, blockSize - block.count)
            (block.input + block.count).update(from: bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self),
                                               count: n)
            block.count += n
            offset += n
            if block.count == blockSize { try submit(last: false) }
        }
    }

    /// Hands the block being filled to a worker and makes the next slot free.
    private func submit(last: Bool) throws {
        let block = slots[filling % slots.count]
        block.last = last
        block.dictionaryCount = 0
        if filling > 0 {
            // The previous block's tail (its slot is not reused before this block is written).
            let previous = slots[(filling - 1) % slots.count]
            let n = min(ParallelGzipSink.window, previous.count)
            block.dictionary.update(from: previous.input + (previous.count - n), count: n)
            block.dictionaryCount = n
        }
        block.busy = true
        DispatchQueue.global(qos: .userInitiated).async {
            block.compress()
            block.done.signal()
        }
        filling += 1
        // The slot the next block needs must be written out first (in order).
        while oldest <= filling - slots.count { try drainOldest() }
        slots[filling % slots.count].count = 0
    }

    /// Waits for the oldest block in flight and writes its compressed bytes.
    private func drainOldest() throws {
        let block = slots[oldest % slots.count]
        block.done.wait()
        block.busy = false
        oldest += 1
        guard block.status == Z_OK else {
            throw FerryError.io("gzip.deflate", "gzip compression failed (\(block.status))", file: name)
        }
        try inner.write(UnsafeRawBufferPointer(start: block.output, count: block.produced))
        crc = crc32_combine(crc, block.crc, .init(block.count))
        total &+= UInt64(block.count)
    }

    /// Compresses what is left, ends the gzip member and writes its trailer (does not finish `inner`).
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try submit(last: true)
        while oldest < filling { try drainOldest() }
        var trailer = [UInt8](repeating: 0, count: 8)
        let c = UInt32(truncatingIfNeeded: crc), size = UInt32(truncatingIfNeeded: total)
        for i in 0..<4 {
            trailer[i] = UInt8(truncatingIfNeeded: c >> (8 * UInt32(i)))
            trailer[4 + i] = UInt8(truncatingIfNeeded: size >> (8 * UInt32(i)))
        }
        try inner.write(trailer)
    }

    public func abort() {
        finished = true
        quiesce()
    }
}
