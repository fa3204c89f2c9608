// Fuzzes Zimbra's time grammar: nothing may crash or hang; whatever parses must be a finite date
// and must parse again to the same instant.
import FerryCore
import FuzzSupport
import Foundation

let context = TimeContext(now: Date(timeIntervalSince1970: 1_711_800_000),
                          timeZone: TimeZone(identifier: "Europe/Berlin")!)

@_cdecl("FuzzTimeSpec_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
        if let date = try? TimeSpec.parse(text, in: context) {
            if !date.timeIntervalSince1970.isFinite { ferry_fuzz_fail("non-finite date") }
            if (try? TimeSpec.parse(text, in: context)) != date { ferry_fuzz_fail("parse is not deterministic") }
        }
        return 0
    }
}
