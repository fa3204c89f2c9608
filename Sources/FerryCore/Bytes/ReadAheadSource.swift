import Foundation

/// Reads another source on a helper thread, a few chunks ahead of the consumer, so that a costly
/// source (a decompressor) runs on one core while whatever consumes it runs on another.
///
/// The bytes, their order, the end and any error are exactly the source's: an error arrives after
/// every byte read before it. Memory is flat: `depth` chunks of `chunkSize` bytes, reused. From `init`
/// on, the wrapped source belongs to the helper thread; the consumer must not touch it. Dropping the
/// `ReadAheadSource` stops the helper after the chunk it is filling.
public final class ReadAheadSource: ByteSource {
    public let name: String
    private let shared: Shared
    /// The chunk being handed out, and how far.
    private var current: (index: Int, count: Int)?
    private var offset = 0
    private var atEnd = false

    /// State shared with the helper thread, under `condition`.
    private final class Shared: @unchecked Sendable {
        let condition = NSCondition()
        let buffers: [UnsafeMutableRawBufferPointer]
        /// Indices of buffers the helper may fill.
        var free: [Int]
        /// Filled buffers in order, with their byte counts; a count of 0 marks the end.
        var ready: [(index: Int, count: Int)] = []
        var readyHead = 0
        var failure: Error?
        var cancelled = false
        var consumerWaiting = false
        var producerWaiting = false

        init(depth: Int, chunkSize: Int) {
            buffers = (0..<depth).map { _ in .allocate(byteCount: chunkSize, alignment: 64) }
            free = Array((0..<depth).reversed())
        }

        deinit { for b in buffers { b.deallocate() } }
    }

    public init(_ source: ByteSource, chunkSize: Int = 1 << 20, depth: Int = 4) {
        name = source.name
        shared = Shared(depth: max(2, depth), chunkSize: max(4096, chunkSize))
        // The source moves to the helper thread: nothing else touches it from here on.
        let handOver = HandOver(source)
        let thread = Thread { [shared] in ReadAheadSource.fill(handOver.source, shared) }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit {
        shared.condition.lock()
        shared.cancelled = true
        shared.condition.broadcast()
        shared.condition.unlock()
    }

    private final class HandOver: @unchecked Sendable {
        let source: ByteSource
        init(_ source: ByteSource) { self.source = source }
    }

    /// The helper thread: fills free buffers from `source` until its end, an error, or cancellation.
    private static func fill(_ source: ByteSource, _ s: Shared) {
        while true {
            s.condition.lock()
            while s.free.isEmpty && !s.cancelled {
                s.producerWaiting = true
                s.condition.wait()
            }
            s.producerWaiting = false
            if s.cancelled {
                s.condition.unlock()
                return
            }
            let index = s.free.removeLast()
            s.condition.unlock()

            let buffer = s.buffers[index]
            var filled = 0
            var failure: Error?
            do {
                while filled < buffer.count {
                    let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                    if n == 0 { break }
                    filled += n
                }
            } catch {
                failure = error
            }

            s.condition.lock()
            if filled > 0 { s.ready.append((index, filled)) } else { s.free.append(index) }
            let ended = failure != nil || filled < buffer.count
            if ended {
                s.failure = failure
                s.ready.append((-1, 0))
            }
            if s.consumerWaiting { s.condition.signal() }
            s.condition.unlock()
            if ended { return }
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        if let chunk = current, offset == chunk.count {
            // Hand the used buffer back.
            shared.condition.lock()
            shared.free.append(chunk.index)
            if shared.producerWaiting { shared.condition.signal() }
            shared.condition.unlock()
            current = nil
        }
        if current == nil {
            if atEnd {
                if let failure = shared.failure { throw failure }
                return 0
            }
            shared.condition.lock()
            while shared.readyHead == shared.ready.count {
                shared.consumerWaiting = true
                shared.condition.wait()
            }
            shared.consumerWaiting = false
            let next = shared.ready[shared.readyHead]
            shared.readyHead += 1
            if shared.readyHead > 64 {
                shared.ready.removeFirst(shared.readyHead)
                shared.readyHead = 0
            }
            let failure = shared.failure
            shared.condition.unlock()
            if next.count == 0 {
                atEnd = true
                if let failure { throw failure }
                return 0
            }
            current = next
            offset = 0
        }
        let chunk = current!
        let n = min(buffer.count, chunk.count - offset)
        buffer.baseAddress!.copyMemory(from: shared.buffers[chunk.index].baseAddress! + offset, byteCount: n)
        offset += n
        return n
    }
}
