// Fuzzes the charset decoders: UTF-8 validation must agree with Swift's own decoder, and every
// converter must give the same output whether the input comes whole or in small chunks.
import FerryCore
import FuzzSupport

let charsets = ["UTF-8", "windows-1252", "ISO-8859-2", "KOI8-R", "Shift_JIS", "windows-31j", "EUC-JP",
                "ISO-2022-JP", "GBK", "GB18030", "Big5", "EUC-KR", "UTF-16LE", "UTF-16", "UTF-32BE"]

func decode(_ input: [UInt8], _ charset: String, chunk: Int) -> [UInt8] {
    guard let decoder = try? CharsetDecoder(charset, policy: .replace) else { ferry_fuzz_fail("cannot open \(charset)") }
    var output: [UInt8] = []
    var start = 0
    repeat {
        let end = min(input.count, start + chunk)
        let isLast = end == input.count
        do {
            try input[start..<end].withUnsafeBytes { try decoder.decode($0, final: isLast, into: &output) }
        } catch {
            ferry_fuzz_fail("replace policy threw for \(charset)")
        }
        start = end
    } while start < input.count
    return output
}

@_cdecl("FuzzCharsets_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        guard size > 1, let data else { return 0 }
        let charset = charsets[Int(data[0]) % charsets.count]
        let chunk = Int(data[1] % 7) + 1
        let input = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
        let whole = decode(input, charset, chunk: max(1, input.count))
        let chunked = decode(input, charset, chunk: chunk)
        if whole != chunked { ferry_fuzz_fail("\(charset): chunked output differs from whole output") }
        if String(validating: whole, as: UTF8.self) == nil { ferry_fuzz_fail("\(charset): output is not UTF-8") }
        if charset == "UTF-8" {
            var expected = Array(String(decoding: input, as: UTF8.self).utf8)
            if expected.starts(with: [0xEF, 0xBB, 0xBF]) { expected.removeFirst(3) }  // BOM dropped
            if whole != expected { ferry_fuzz_fail("UTF-8 replacement differs from Swift's") }
        }
        return 0
    }
}
