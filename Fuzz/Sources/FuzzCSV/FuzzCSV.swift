// Fuzzes the CSV reader in strict and lenient modes and the contact CSV layer on top of it (dialect
// detection, header binding): any bytes give records or a named error, never a crash or a hang. The
// same bytes, cut into records (0x1E) and fields (0x1F), are written by CSVWriter and must read back
// as exactly those fields in both modes and both quoting styles.
import FerryContacts
import FerryCore
import FuzzSupport

private func records(_ bytes: [UInt8], mode: CSVMode, delimiter: UInt8?, chunk: Int) throws -> [[String]] {
    let reader = CSVReader(source: MemorySource(bytes, maxChunk: chunk), delimiter: delimiter, mode: mode,
                           log: DiagnosticLog(), chunkSize: 64)
    var out: [[String]] = []
    while let record = try reader.next() {
        if record.line > record.endLine { ferry_fuzz_fail("record ends before it starts") }
        out.append(record.fields)
    }
    return out
}

@_cdecl("FuzzCSV_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        guard size > 0, let data else { return 0 }
        let control = data[0]
        let chunk = Int(control % 31) + 1
        let raw = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
        do {
            // Arbitrary bytes, both modes.
            _ = try records(raw, mode: .strict, delimiter: nil, chunk: chunk)
            _ = try records(raw, mode: .lenient, delimiter: nil, chunk: chunk)
            // The contact layer (dialect sniffing, header binding, field mapping).
            var options = ReadOptions()
            options.csvLenient = control & 0x40 != 0
            // Charset detection (ICU, uchardet: ~0.5 s an input under the sanitizers) is FuzzCharsets' job.
            options.charset = .utf8
            // Dialect detection binds the headers against every dialect (slow: one input in eight);
            // otherwise a named dialect is bound.
            let dialects = ["zimbra-csv", "yahoo-csv", "thunderbird-csv", "outlook-2003-csv", "outlook-2000-csv",
                            "google-csv", "outlook-csv"]
            if control & 0x1C != 0 { options.csvFormat = dialects[Int(control >> 2) % dialects.count] }
            if let reader = try? ContactCSVReader(source: MemorySource(raw, maxChunk: chunk), options: options, log: DiagnosticLog()) {
                while let item = try? reader.next() { _ = item.payload.jsonObject() }
            }
            // Writer round trip.
            let delimiter: UInt8 = [0x2C, 0x3B, 0x09][Int(control >> 6) % 3]
            var expected: [[String]] = raw.split(separator: 0x1E, omittingEmptySubsequences: false).map { record in
                record.split(separator: 0x1F, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            }
            // A record of one empty field is a blank line, which CSV cannot tell from nothing.
            expected = expected.filter { !($0.count == 1 && $0[0].allSatisfy { $0 == " " || $0 == "\t" }) }
            if let first = expected.first?.first, first.hasPrefix("\u{FEFF}") { expected[0][0] = "x" + first }
            for quoting in [CSVQuoting.always, .minimal] {
                let writer = CSVWriter(style: CSVStyle(delimiter: delimiter, quoting: quoting,
                                                       lineEnding: control & 0x20 == 0 ? [0x0D, 0x0A] : [0x0A]))
                var out: [UInt8] = []
                for record in expected { writer.append(record, to: &out) }
                for mode in [CSVMode.strict, .lenient] {
                    if try records(out, mode: mode, delimiter: delimiter, chunk: chunk) != expected {
                        ferry_fuzz_fail("CSVWriter output does not read back as the same fields")
                    }
                }
            }
        } catch is FerryError {
            // A named error is an accepted outcome for arbitrary bytes.
        } catch {
            ferry_fuzz_fail("CSV code threw something other than a FerryError")
        }
        return 0
    }
}
