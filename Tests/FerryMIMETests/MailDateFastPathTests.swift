import Foundation
import Testing
@testable import FerryMIME
import FerryTestSupport

/// `MailDate.common` (the byte-level path for `Mon, 23 Nov 2026 11:22:45 +0000`) against the general
/// parser: wherever the fast path reads a date, the general one reads the same; `parse` always equals
/// the general parser.
@Suite struct MailDateFastPathTests {
    typealias Rng = SplitMix64

    static func generated(_ count: Int) -> [String] {
        var r = Rng(state: 0xFEED_DA7E)
        let dayNames = ["Mon, ", "Tue, ", "Wed, ", "Thu, ", "Fri, ", "Sat, ", "Sun, ", "mon, ", "SUN, ", "", "",
                        "Mon ", "Mar, ", "Xyz, ", "Mo, ", "Mon,", "M@n, ", "Monday, ", "Thu,  ", "1on, "]
        let days = ["1", "5", "09", "10", "23", "28", "29", "30", "31", "0", "00", "32", "99", "7a", " 5", "005"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                      "jan", "NOV", "dEc", "March", "Sept", "Xyz", "J@n", "Ja", "Ja[", "J n", "Nov."]
        let years = ["2026", "1999", "1970", "0001", "0000", "9999", "1900", "26", "99", "126", "20266", "2O26", "2024"]
        let hours = ["00", "09", "11", "23", "24", "99", "7", "1a"]
        let minutes = ["00", "22", "59", "60", "5"]
        let seconds = ["00", "45", "59", "60", "61", "99", "4"]
        let zones = ["+0000", "-0000", "+0100", "-0530", "+0545", "+9999", "-1200", "GMT", "gmt", "UT", "ut", "UTC",
                     "EST", "Z", "z", "+00:00", "+00", "0000", "+000", "+00000", "GMT+1", "", "(UTC)", "+0000 (UTC)", "+0a00"]
        var out: [String] = []
        for n in 0..<count {
            // Every other date is well formed in the common shape, with random valid fields.
            if n % 2 == 0 {
                let two = { (v: UInt64) in v < 10 ? "0\(v)" : "\(v)" }
                var s = r.chance(80) ? r.pick(Array(dayNames[0..<9])) : ""
                let day = 1 + r.next() % 31
                s += r.chance(20) ? "\(day) " : two(day) + " "
                s += r.pick(Array(months[0..<15])) + " \(1 + r.next() % 9999) "
                s += two(r.next() % 24) + ":" + two(r.next() % 60) + ":" + two(r.next() % 61) + " "
                s += r.pick(["+0000", "-0000", "+0100", "-0530", "+1400", "-9959", "GMT", "UT", "UTC", "utc", "Gmt"])
                out.append(s)
                continue
            }
            var s = r.pick(dayNames) + r.pick(days) + " " + r.pick(months) + " " + r.pick(years) + " "
            s += r.pick(hours) + ":" + r.pick(minutes) + (r.chance(90) ? ":" + r.pick(seconds) : "")
            let zone = r.pick(zones)
            if !zone.isEmpty { s += " " + zone }
            if r.chance(5) { s = " " + s }
            if r.chance(5) { s += r.pick([" ", "\n", "x", ",", "é"]) }
            if r.chance(3) { s = s.replacingOccurrences(of: " ", with: "  ") }
            if r.chance(3) { s = s.replacingOccurrences(of: " ", with: "\t") }
            out.append(s)
        }
        return out
    }

    @Test func fastPathAgreesWithGeneralParser() {
        var fast = 0
        for s in Self.generated(20_000) + ["Mon, 23 Nov 2026 11:22:45 +0000", "1 Jan 2026 00:00:00 GMT", "Sat, 29 Feb 2025 23:59:60 -0030"] {
            let bytes = Array(s.utf8)
            let general = MailDate.general(bytes)
            let common = bytes.withUnsafeBufferPointer { MailDate.common($0) }
            if let common {
                fast += 1
                #expect(common == general, "\(s): fast \(common), general \(String(describing: general))")
            }
            #expect(MailDate.parse(s) == general, "\(s)")
            #expect(MailDate.parse(bytes) == general, "\(s)")
        }
        // The generator makes the common shape often enough for the comparison to mean something.
        #expect(fast > 5_000)
    }

    @Test func commonShapeIsReadByTheFastPath() {
        let b = Array("Mon, 23 Nov 2026 11:22:45 +0000".utf8)
        let d = b.withUnsafeBufferPointer { MailDate.common($0) }
        #expect(d == Date(timeIntervalSince1970: 1_795_432_965))
        #expect(Array("Mon, 23 Nov 2026 11:22:45 (UTC)".utf8).withUnsafeBufferPointer { MailDate.common($0) } == nil)
    }
}
