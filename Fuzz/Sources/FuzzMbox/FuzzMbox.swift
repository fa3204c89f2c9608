// Fuzzes the mbox splitter (each variant): any bytes split into messages or a named error, never a
// crash or a hang; and once normalised by one write, reading and writing again is exact (same count,
// same message bytes, same flags, folder and tags), and the written bytes settle.
import FerryArchive
import FerryCore
import Foundation
import FuzzSupport

private func read(_ bytes: [UInt8], variant: String, chunk: Int) throws -> [Item] {
    var options = ReadOptions()
    options.mboxVariant = variant
    let reader = try MboxReader(source: MemorySource(bytes, maxChunk: chunk), options: options, log: DiagnosticLog())
    var items: [Item] = []
    while let item = try reader.next() {
        items.append(item)
        if items.count > 10_000 { ferry_fuzz_fail("more messages than input lines") }
    }
    return items
}

private func write(_ items: [Item], variant: String) throws -> [UInt8] {
    var options = WriteOptions()
    options.mboxVariant = variant
    let sink = MemorySink()
    let writer = try MboxWriter(sink: sink, options: options, log: DiagnosticLog())
    for item in items {
        if try writer.write(item) != .written { ferry_fuzz_fail("MboxWriter skipped a message read from an mbox") }
    }
    try writer.finish()
    return sink.bytes
}

@_cdecl("FuzzMbox_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        guard size > 0, let data else { return 0 }
        let variant = ["rd", "o", "cl", "cl2"][Int(data[0] & 3)]
        let chunk = Int(data[0] >> 2) + 1
        let raw = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
        guard let first = try? read(raw, variant: variant, chunk: chunk) else { return 0 }  // a named error
        // mboxrd and mboxcl2 round-trip exactly once normalised; mboxo cannot tell `>From` from `From`.
        let out = variant == "cl2" ? "cl2" : "rd"
        do {
            let once = try write(first, variant: out)
            let second = try read(once, variant: out, chunk: 4093)
            if second.count != first.count { ferry_fuzz_fail("write then read changes the message count") }
            let twice = try write(second, variant: out)
            let third = try read(twice, variant: out, chunk: 7)
            if third.count != second.count { ferry_fuzz_fail("second round trip changes the message count") }
            for (a, b) in zip(second, third) {
                if a.payload.originalBytes != b.payload.originalBytes { ferry_fuzz_fail("message bytes change on a round trip") }
                if a.metadata.flags != b.metadata.flags { ferry_fuzz_fail("flags change on a round trip") }
                if a.metadata.folder != b.metadata.folder { ferry_fuzz_fail("folder changes on a round trip") }
                if a.metadata.tags != b.metadata.tags { ferry_fuzz_fail("tags change on a round trip") }
            }
            // Stable after two passes.
            if try write(third, variant: out) != twice { ferry_fuzz_fail("writing is not stable after normalisation") }
        } catch {
            ferry_fuzz_fail("reading Ferry's own mbox output failed")
        }
        return 0
    }
}
