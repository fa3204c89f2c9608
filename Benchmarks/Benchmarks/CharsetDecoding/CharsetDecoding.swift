import Benchmark
import BenchSupport
import FerryCore

/// CharsetDecoder → UTF-8 on 16 MB of contact text per charset, in 256 KB chunks, from memory.
let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal],
                                         timeUnits: .milliseconds, maxDuration: .seconds(10), maxIterations: 30)
    for charset in ["windows-1252", "Windows-31J", "GBK", "UTF-8"] {
        Benchmark("decode \(charset) 16 MB", configuration: config) { benchmark in
            let block = try Generator.encoded(Generator.contactLines(charset: charset == "UTF-8" ? "Windows-31J" : charset,
                                                                     count: 20_000), charset: charset)
            var input: [UInt8] = []
            while input.count < 16 << 20 { input += block }
            benchmark.startMeasurement()
            let decoder = try CharsetDecoder(charset, policy: .replace)
            var produced = 0
            try input.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = min(1 << 18, raw.count - offset)
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + n)]), final: false) {
                        produced &+= $0.count
                    }
                    offset += n
                }
                try decoder.decode(UnsafeRawBufferPointer(start: nil, count: 0), final: true) { produced &+= $0.count }
            }
            blackHole(produced)
        }
    }
}
