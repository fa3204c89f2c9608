import Benchmark
import BenchSupport
import FerryCore
import Foundation

/// LineReader over a 64 MB mail-shaped file (LF) and the same text with CRLF, from the page cache.
let benchmarks: @Sendable () -> Void = {
    let megabytes = 64
    func prepare(_ name: String, crlf: Bool) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-bench-\(name).txt").path
        if !FileManager.default.fileExists(atPath: path) {
            var lines = Generator.mailLines(count: 200_000)
            if crlf { lines = lines.map { $0 + "\r" } }
            let block = Data((lines.joined(separator: "\n") + "\n").utf8)
            FileManager.default.createFile(atPath: path, contents: nil)
            let handle = FileHandle(forWritingAtPath: path)!
            var written = 0
            while written < megabytes << 20 { handle.write(block); written += block.count }
            try? handle.close()
        }
        return path
    }
    let config = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, .peakMemoryResident],
                                         timeUnits: .milliseconds, maxDuration: .seconds(10), maxIterations: 20)
    for (name, crlf) in [("LF", false), ("CRLF", true)] {
        Benchmark("LineReader \(megabytes) MB file, \(name)", configuration: config) { benchmark in
            let path = prepare(name, crlf: crlf)
            benchmark.startMeasurement()
            let reader = LineReader(source: try FileSource(path: path))
            var lines = 0
            while let line = try reader.next() { lines &+= line.bytes.count &+ 1 }
            blackHole(lines)
        }
    }
}
