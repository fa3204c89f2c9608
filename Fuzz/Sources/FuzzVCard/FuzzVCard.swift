// Fuzzes the vCard reader (2.1/3.0/4.0 input) and writer: any bytes read into cards or a named error,
// never a crash or a hang; what Ferry writes reads back as the same cards with the same fields, and
// writing is stable after one normalisation.
import FerryContacts
import FerryCore
import Foundation
import FuzzSupport

private func read(_ bytes: [UInt8], chunk: Int) throws -> [Item] {
    let reader = VCardReader(source: MemorySource(bytes, maxChunk: chunk), log: DiagnosticLog())
    var items: [Item] = []
    while let item = try reader.next() { items.append(item) }
    return items
}

private func write(_ items: [Item], version: VCardWriter.Version) throws -> [UInt8] {
    let sink = MemorySink()
    let writer = VCardWriter(sink: sink, version: version)
    for item in items { _ = try writer.write(item) }
    try writer.finish()
    return sink.bytes
}

@_cdecl("FuzzVCard_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        guard size > 0, let data else { return 0 }
        let chunk = Int(data[0] % 97) + 1
        let version: VCardWriter.Version = data[0] & 0x80 == 0 ? .v3 : .v4
        let raw = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
        guard let first = try? read(raw, chunk: chunk) else { return 0 }  // a named error
        for item in first { _ = (item.payload as? Contact)?.jsonObject() }
        do {
            let once = try write(first, version: version)
            let second = try read(once, chunk: 4096)
            if second.count != first.count { ferry_fuzz_fail("vCard write then read changes the card count") }
            let twice = try write(second, version: version)
            let third = try read(twice, chunk: 11)
            if third.count != second.count { ferry_fuzz_fail("second vCard round trip changes the card count") }
            for (a, b) in zip(second, third) {
                guard let a = a.payload as? Contact, let b = b.payload as? Contact else { continue }
                if a.fields != b.fields { ferry_fuzz_fail("contact fields change on a vCard round trip") }
            }
            if twice != once { ferry_fuzz_fail("vCard writing is not stable after one normalisation") }
        } catch {
            ferry_fuzz_fail("reading Ferry's own vCard output failed")
        }
        return 0
    }
}
