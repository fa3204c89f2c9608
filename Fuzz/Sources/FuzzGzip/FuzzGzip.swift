// Fuzzes gzip decompression: corrupt input is an error, never a crash or a hang, and the size limit holds.
import FerryCore
import FuzzSupport

@_cdecl("FuzzGzip_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        let input = Array(UnsafeBufferPointer(start: data, count: size))
        guard let source = try? GzipSource(MemorySource(input, maxChunk: 13), limit: 1 << 20) else { return 0 }
        var total = 0
        do {
            try source.forEachChunk(size: 4096) { total += $0.count }
        } catch {}
        if total > (1 << 20) + 4096 { ferry_fuzz_fail("limit exceeded") }
        return 0
    }
}
