// Fuzzes the Zimbra calendar-item writer: any calendar read from the input is written as `.appt`/`.task`
// pairs (a tar in Zimbra's layout), never a crash; every `.meta`'s bencoded metadata (string lengths in
// UTF-16 units) decodes again; and every event and task UID written comes back when the archive is read.
import FerryArchive
import FerryCalendar
import FerryCore
import FuzzSupport

@_cdecl("FuzzZimbraCalendar_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        guard size > 0, let data else { return 0 }
        let raw = Array(UnsafeBufferPointer(start: data, count: size))
        do {
            let reader = IcsReader(source: MemorySource(raw, maxChunk: 97), options: ReadOptions(), log: DiagnosticLog())
            var items: [Item] = []
            while let item = try reader.next() { items.append(item) }
            var written = Set<String>()
            let sink = MemorySink()
            let writer = try ZimbraArchiveWriter(sink: sink, container: .tar, options: WriteOptions(), log: DiagnosticLog())
            for item in items {
                if case .written = try writer.write(item), let object = item.payload as? CalendarObject,
                   ["VEVENT", "VTODO"].contains(object.component.name), let uid = object.component.uid, !uid.isEmpty {
                    written.insert(uid)
                }
            }
            try writer.finish()
            try sink.finish()
            // Every .meta's metadata decodes.
            let archive = try ArchiveReader(source: MemorySource(sink.bytes, name: "out.tar"), log: DiagnosticLog())
            while let entry = try archive.nextEntry() {
                guard entry.name.hasSuffix(".meta") else { continue }
                let meta = try ZimbraMeta(json: try archive.entryData().readAll())
                do { _ = try meta.metadata() } catch {
                    ferry_fuzz_fail("a .meta written by ZimbraArchiveWriter has metadata that does not decode: \(error)")
                }
            }
            // Every UID written is read back.
            let back = try ZimbraArchiveReader(source: MemorySource(sink.bytes, name: "out.tar"), options: ReadOptions(),
                                               log: DiagnosticLog())
            var read = Set<String>()
            while let item = try back.next() {
                if let object = item.payload as? CalendarObject, let uid = object.component.uid { read.insert(uid) }
            }
            if !written.isSubset(of: read) {
                ferry_fuzz_fail("calendar items written to a Zimbra archive do not read back: \(written.subtracting(read))")
            }
        } catch is FerryError {
            // A named error (a limit, a calendar too broken to read) is an accepted outcome.
        } catch {
            ferry_fuzz_fail("calendar archive code threw something other than a FerryError: \(error)")
        }
        return 0
    }
}
