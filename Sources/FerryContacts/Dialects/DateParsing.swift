/// Contact dates as Zimbra reads them: stored `yyyy-MM-dd` when unambiguous, else kept verbatim.
enum DateParsing {
    /// Reads `value`; `order` (`mdy`, `dmy`, …) settles ambiguous dates for dialects that declare one.
    static func normalize(_ value: String, order: String?) -> String {
        let v = value.trimming(" \t")
        if v == "0/0/00" || v == "00.00.00" || v == "0.0.00" { return "" }  // Outlook's empty date
        if v.hasPrefix("--") { return v }  // year-less (vCard 4, Google)
        if let fast = fastNormalize(v, order: order) { return fast }
        var sep: Character = "/"
        var parts = v.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count != 3 { parts = v.split(separator: "-", omittingEmptySubsequences: false); sep = "-" }
        if parts.count != 3 { parts = v.split(separator: ".", omittingEmptySubsequences: false); sep = "." }
        // Drop a time part ("2004-03-04T00:00:00", "3/4/2004 0:00").
        if parts.count == 3, let cut = parts[2].firstIndex(where: { $0 == " " || $0 == "T" }) {
            parts[2] = parts[2][..<cut]
        }
        guard parts.count == 3 else { return v }
        let n = parts.compactMap { Int($0) }
        guard n.count == 3 else { return v }
        // Unambiguous orders first.
        let orders = ["ymd", "mdy", "dmy", "dym", "ydm", "myd"]
        var hits: [String] = []
        for o in orders where valid(n, o) { hits.append(format(n, o)) }
        let distinct = Set(hits)
        if distinct.count == 1 { return distinct.first! }
        if n[0] > 31, valid(n, "ymd") { return format(n, "ymd") }
        // German-style dots are day-first.
        if sep == ".", valid(n, "dmy") { return format(n, "dmy") }
        if let order, valid(n, order) { return format(n, order) }
        return v
    }

    /// `normalize` for the common shape — three runs of digits split by one of `/ - .`, nothing else —
    /// on bytes, with the same rules; nil for anything else (the general path decides).
    private static func fastNormalize(_ v: String, order: String?) -> String? {
        var n = (0, 0, 0), k = 0, digits = 0
        var sep: UInt8 = 0
        for b in v.utf8 {
            if b >= 0x30 && b <= 0x39 {
                digits += 1
                guard digits <= 9 else { return nil }
                switch k { case 0: n.0 = n.0 * 10 + Int(b - 0x30); case 1: n.1 = n.1 * 10 + Int(b - 0x30); default: n.2 = n.2 * 10 + Int(b - 0x30) }
            } else if b == 0x2F || b == 0x2D || b == 0x2E {
                guard digits > 0, k < 2, sep == 0 || sep == b else { return nil }
                sep = b; k += 1; digits = 0
            } else {
                return nil
            }
        }
        guard k == 2, digits > 0 else { return nil }
        let a = [n.0, n.1, n.2]
        // Orders as (year, month, day) positions, in `normalize`'s order: ymd mdy dmy dym ydm myd.
        let orders: [(Int, Int, Int)] = [(0, 1, 2), (2, 0, 1), (2, 1, 0), (1, 2, 0), (0, 2, 1), (1, 0, 2)]
        func date(_ o: (Int, Int, Int)) -> (Int, Int, Int)? {
            var y = a[o.0]
            let m = a[o.1], d = a[o.2]
            if y < 100, o.0 == 2 { y += y < 50 ? 2000 : 1900 }
            guard (1600...4500).contains(y), (1...12).contains(m), d >= 1 else { return nil }
            let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
            let days = m == 2 ? (leap ? 29 : 28) : (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31
            return d <= days ? (y, m, d) : nil
        }
        func text(_ t: (Int, Int, Int)) -> String { "\(pad(t.0, 4))-\(pad(t.1, 2))-\(pad(t.2, 2))" }
        var first: (Int, Int, Int)?
        var distinct = 0
        for o in orders {
            guard let t = date(o) else { continue }
            if let f = first { if f != t { distinct += 1 } } else { first = t; distinct = 1 }
        }
        if distinct == 1, let first { return text(first) }
        if a[0] > 31, let t = date(orders[0]) { return text(t) }
        if sep == 0x2E, let t = date(orders[2]) { return text(t) }
        if let order, let i = ["ymd", "mdy", "dmy", "dym", "ydm", "myd"].firstIndex(of: order), let t = date(orders[i]) {
            return text(t)
        }
        return v
    }

    static func fromParts(month: String?, day: String?, year: String?) -> String {
        let m = month.flatMap { Int($0.trimming(" ")) }, d = day.flatMap { Int($0.trimming(" ")) }
        let y = year.flatMap { Int($0.trimming(" ")) }
        if let m, let d, (1...12).contains(m), (1...31).contains(d) {
            if let y, y > 0 { return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))" }
            if year == nil || year!.trimming(" ").isEmpty { return "--\(pad(m, 2))-\(pad(d, 2))" }
        }
        return [month, day, year].map { $0 ?? "" }.joined(separator: "/").trimming("/")
    }

    /// Splits a stored date into (year, month, day) strings for column-per-part dialects.
    static func parts(_ value: String) -> (year: String, month: String, day: String)? {
        if value.hasPrefix("--") {
            let p = value.dropFirst(2).split(separator: "-")
            guard p.count == 2, let m = Int(p[0]), let d = Int(p[1]) else { return nil }
            return ("", String(m), String(d))
        }
        let p = value.split(separator: "-")
        guard p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]) else { return nil }
        return (String(y), String(m), String(d))
    }

    private static func fields(_ n: [Int], _ order: String) -> (y: Int, m: Int, d: Int) {
        var y = 0, m = 0, d = 0
        for (i, c) in order.enumerated() {
            switch c {
            case "y": y = n[i]
            case "m": m = n[i]
            default: d = n[i]
            }
        }
        return (y, m, d)
    }

    private static func valid(_ n: [Int], _ order: String) -> Bool {
        var (y, m, d) = fields(n, order)
        if y < 100, order.last == "y" { y += y < 50 ? 2000 : 1900 }  // two-digit years at the end only
        guard (1600...4500).contains(y), (1...12).contains(m), d >= 1 else { return false }
        let days = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return d <= days[m - 1]
    }

    private static func format(_ n: [Int], _ order: String) -> String {
        var (y, m, d) = fields(n, order)
        if y < 100 { y += y < 50 ? 2000 : 1900 }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
