// Fuzzes the feed reader (charset decision, repairs, libxml2 SAX in recovery mode): any bytes either
// read or fail with a FerryError, never crash, and give the same entries and the same repairs whether
// the input arrives whole or in pieces (the piece size is taken from the first input byte).
import FerryCore
import FerryFeeds
import FuzzSupport

private func read(_ input: [UInt8], chunk: Int) -> (entries: [String], codes: [String])? {
    let log = DiagnosticLog()
    let reader = FeedReader(source: MemorySource(input, name: "fuzz", maxChunk: chunk), options: ReadOptions(), log: log)
    var entries: [String] = []
    do {
        while let item = try reader.next() {
            guard let entry = item.payload as? FeedEntry else { ferry_fuzz_fail("not a feed entry") }
            entries.append([entry.id ?? "", entry.title?.value ?? "", entry.link ?? "", entry.summary?.value ?? "",
                            entry.authorName ?? "", entry.date.map { "\($0.timeIntervalSince1970)" } ?? ""].joined(separator: "\u{1F}"))
        }
    } catch is FerryError {
        return nil
    } catch {
        ferry_fuzz_fail("the feed reader threw something other than a FerryError")
    }
    return (entries, log.diagnostics.map(\.code))
}

@_cdecl("FuzzFeeds_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        guard size > 0, let data else { return 0 }
        let chunk = Int(data[0] % 29) + 1
        let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
        let whole = read(input, chunk: .max)
        let pieces = read(input, chunk: chunk)
        if (whole == nil) != (pieces == nil) { ferry_fuzz_fail("error depends on chunking") }
        if let whole, let pieces, whole.entries != pieces.entries { ferry_fuzz_fail("entries depend on chunking") }
        return 0
    }
}
