// ferry-bench: the raw FerryCore operations that Benchmarks/peers/run times against their Unix peers.
//
//   ferry-bench lines FILE                   count lines with LineReader (CRLF, LF and lone CR), like `wc -l`
//   ferry-bench decode CHARSET FILE [OUT]    stream FILE through CharsetDecoder to UTF-8 (OUT or stdout),
//                                            like `iconv -f CHARSET -t UTF-8 FILE`
//   ferry-bench generate lines|windows-1252|windows-31j|gbk SIZE_MB FILE
//                                            write a deterministic input of about SIZE_MB megabytes
//
// Knobs for experiments with `lines`: FERRY_BENCH_NOMAP=1 reads through read(2) instead of the memory
// mapping LineReader uses for regular files; FERRY_BENCH_CHUNK=BYTES sets the read buffer size.
import BenchSupport
import FerryCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func note(_ message: String) {
    let text = Array("ferry-bench: \(message)\n".utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress!, $0.count) }
}

func fail(_ message: String) -> Never {
    note(message)
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    fail("usage: ferry-bench lines FILE | decode CHARSET FILE [OUT] | generate KIND SIZE_MB FILE")
}

do {
    switch command {
    case "lines":
        guard arguments.count == 2 else { fail("usage: ferry-bench lines FILE") }
        let chunk = getenv("FERRY_BENCH_CHUNK").flatMap { Int(String(cString: $0)) } ?? (1 << 18)
        let file = try FileSource(path: arguments[1])
        let reader = LineReader(source: getenv("FERRY_BENCH_NOMAP") != nil ? PrefixedSource(prefix: [], rest: file) : file,
                                chunkSize: chunk)
        var lines = 0
        var bytes = 0
        while let line = try reader.next() {
            lines &+= 1
            bytes &+= line.bytes.count
        }
        print("\(lines) lines, \(bytes) bytes of text")

    case "decode":
        guard arguments.count == 3 || arguments.count == 4 else { fail("usage: ferry-bench decode CHARSET FILE [OUT]") }
        let decoder = try CharsetDecoder(arguments[1], policy: .replace, sourceName: arguments[2])
        let source = try FileSource(path: arguments[2])
        let out = arguments.count == 4 ? open(arguments[3], O_WRONLY | O_CREAT | O_TRUNC, 0o644) : 1
        guard out >= 0 else { fail("cannot open \(arguments[3])") }
        func emit(_ bytes: UnsafeRawBufferPointer) {
            var offset = 0
            while offset < bytes.count {
                let n = write(out, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 { if errno == EINTR { continue }; fail("write failed") }
                offset += n
            }
        }
        try source.forEachChunk(size: 1 << 18) { chunk in
            try decoder.decode(chunk, final: false) { emit($0) }
        }
        try decoder.decode(UnsafeRawBufferPointer(start: nil, count: 0), final: true) { emit($0) }
        if decoder.replacements > 0 { note("\(decoder.replacements) replacements") }

    case "generate":
        guard arguments.count == 4, let megabytes = Int(arguments[2]) else {
            fail("usage: ferry-bench generate lines|windows-1252|windows-31j|gbk SIZE_MB FILE")
        }
        try Generator.write(kind: arguments[1], bytes: megabytes << 20, to: arguments[3])

    default:
        fail("unknown command '\(command)'")
    }
} catch let error as FerryError {
    fail(error.diagnostic.description)
}
