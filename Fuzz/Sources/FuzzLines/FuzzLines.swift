// Fuzzes the line splitter: lines plus their terminators must rebuild the input exactly, with
// consistent numbers and offsets, whatever the chunk size (taken from the first input byte).
import FerryCore
import FuzzSupport

@_cdecl("FuzzLines_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        guard size > 0, let data else { return 0 }
        let chunk = Int(data[0] % 37) + 1
        let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
        let reader = LineReader(source: MemorySource(input, maxChunk: chunk), chunkSize: 16)
        var rebuilt: [UInt8] = []
        var expectedNumber = 1
        do {
            while let line = try reader.next() {
                if line.number != expectedNumber { ferry_fuzz_fail("line numbers skip") }
                if line.offset != Int64(rebuilt.count) { ferry_fuzz_fail("offset mismatch") }
                if line.bytes.contains(0x0A) { ferry_fuzz_fail("LF inside a line") }
                rebuilt.append(contentsOf: line.bytes)
                switch line.terminator {
                case .lf: rebuilt.append(0x0A)
                case .crlf: rebuilt.append(contentsOf: [0x0D, 0x0A])
                case .cr: rebuilt.append(0x0D)
                case .none: break
                }
                expectedNumber += 1
            }
        } catch {
            ferry_fuzz_fail("LineReader threw on in-memory input")
        }
        if rebuilt != input { ferry_fuzz_fail("lines do not rebuild the input") }
        return 0
    }
}
