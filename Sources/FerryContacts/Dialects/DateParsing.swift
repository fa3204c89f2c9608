/// Contact dates as Zimbra reads them: stored `yyyy-MM-dd` when unambiguous, else kept verbatim.
enum DateParsing {
    /// Reads `value`; `order` (`mdy`, `dmy`, …) settles ambiguous dates for dialects that declare one.
    static func normalize(_ value: String, order: String?) -> String {
        let v = value.trimming(" \t")
        if v == "0/0/00" || v == "00.00.00" || v == "0.0.00" { return "" }  // Outlook's empty date
        if v.hasPrefix("--") { return v }  // year-less (vCard 4, Google)
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
