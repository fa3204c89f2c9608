// Fuzzes the MIME parser: any bytes parse (never a crash or a hang), the parse is lossless
// (`message.bytes == raw`, the part segments tile the message exactly) whatever the chunking, and the
// header/body decoders run on every part without crashing.
import FerryCore
import FerryMIME
import FuzzSupport

@_cdecl("FuzzMIME_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        guard size > 0, let data else { return 0 }
        let chunk = Int(data[0] % 61) + 1
        let raw = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
        var options = MIMEParserOptions()
        options.maxDepth = 40
        options.maxParts = 2_000
        let message: MIMEMessage
        do {
            message = try MIMEParser(options: options).parse(MemorySource(raw, maxChunk: chunk))
        } catch {
            ferry_fuzz_fail("MIMEParser threw on in-memory input")
        }
        if message.bytes != raw { ferry_fuzz_fail("parse(raw).bytes != raw") }
        var next = 0
        for segment in message.segments() {
            if segment.lowerBound != next { ferry_fuzz_fail("segments do not tile the message") }
            next = segment.upperBound
        }
        if next != raw.count { ferry_fuzz_fail("segments stop short of the end") }
        _ = message.subject
        _ = message.date
        _ = message.messageID
        _ = message.from
        _ = message.addresses("To")
        for part in message.parts {
            _ = part.filename
            _ = part.disposition
            _ = try? message.decodedContent(of: part)
            if part.contentType.type == "text" { _ = try? message.text(of: part) }
        }
        _ = message.diagnostics(file: "fuzz")
        return 0
    }
}
