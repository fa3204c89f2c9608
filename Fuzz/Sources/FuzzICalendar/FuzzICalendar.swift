// Fuzzes iCalendar: content lines (parse and rebuild each logical line's exact bytes), the component
// tree (CalendarParser's events tile the input), the validator (any bytes, every profile) and the
// reader/writer pair (an input read without errors is written back byte-identical).
import FerryCalendar
import FerryCore
import FerryText
import FuzzSupport

@_cdecl("FuzzICalendar_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        guard size > 0, let data else { return 0 }
        let chunk = Int(data[0] % 53) + 1
        let profile: CalendarValidator.Profile = data[0] & 0x80 == 0 ? .rfc5545 : .rfc2445
        let raw = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
        do {
            // Component tree: every event's raw bytes, in order, rebuild the input.
            let parser = CalendarParser(source: MemorySource(raw, maxChunk: chunk)) { _, _, _, _, _ in }
            var lines: [UnfoldedLine] = []
            parser.onLine = { lines.append($0) }
            var rebuilt: [UInt8] = []
            while let event = try parser.next() {
                switch event {
                case .calendarBegin(let l), .calendarProperty(let l), .calendarEnd(let l): l.appendRaw(to: &rebuilt)
                case .component(let c): c.appendRaw(to: &rebuilt)
                case .stray(let l): l.appendRaw(to: &rebuilt)
                }
            }
            if rebuilt != raw { ferry_fuzz_fail("CalendarParser events do not rebuild the input") }
            // Content lines: a parsed line writes back its physical bytes.
            for line in lines {
                guard let content = try? ContentLine(parsing: line) else { continue }
                var out: [UInt8] = []
                content.appendRaw(to: &out)
                if out != line.rawBytes { ferry_fuzz_fail("ContentLine does not write back its bytes") }
                _ = content.textValue
                _ = content.parameters.map(\.decodedValues)
            }
            // Validator.
            _ = try CalendarValidator(profile: profile).validate(MemorySource(raw, maxChunk: chunk), log: DiagnosticLog())
            // Reader and writer.
            let log = DiagnosticLog()
            let reader = IcsReader(source: MemorySource(raw, maxChunk: chunk), options: ReadOptions(), log: log)
            var items: [Item] = []
            while let item = try reader.next() { items.append(item) }
            let sink = MemorySink()
            let writer = IcsWriter(sink: sink)
            for item in items { _ = try writer.write(item) }
            try writer.finish()
            if !items.isEmpty, !log.hasErrors, sink.bytes != raw {
                ferry_fuzz_fail("an unchanged calendar read without errors is not written back byte-identical")
            }
        } catch is FerryError {
            // A named error (a limit) is an accepted outcome.
        } catch {
            ferry_fuzz_fail("calendar code threw something other than a FerryError")
        }
        return 0
    }
}
