import FerryMIME
import Foundation

/// The `From ` separator line: `From <sender> <asctime date> [more]`, in every dialect seen in the
/// wild (classic asctime, Thunderbird/Netscape `From -`, Eudora `???@???`, Google Takeout's zone before
/// the year, mutt's `From nobody`).
public enum FromLine {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// True when `line` is a separator: `From `, a sender, and a date with a time and a year.
    /// (A body line such as `From the museum:` has neither and is never taken for one.)
    public static func isSeparator(_ line: UnsafeRawBufferPointer) -> Bool {
        guard line.count >= 5 + 1 + 11, line[0] == 0x46, line[1] == 0x72, line[2] == 0x6F, line[3] == 0x6D,
              line[4] == 0x20 else { return false }
        if case .parsed(let date) = parseDateASCII(line) { return date != nil }
        return parseDate(String(decoding: line, as: UTF8.self)) != nil
    }

    public static func isSeparator(_ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { isSeparator($0) }
    }

    /// The date of a From_ line (UTC unless the line carries a numeric zone).
    public static func parseDate(_ line: String) -> Date? {
        var line = line
        if case .parsed(let date) = line.withUTF8({ parseDateASCII(UnsafeRawBufferPointer($0)) }) { return date }
        return parseDateGeneral(line)
    }

    /// `parseDate` over the line's bytes when they are all printable ASCII (every From_ line seen in
    /// practice); `.notASCII` for any other line, which takes the general path. The same
    /// rules as `parseDateGeneral` token for token (a test compares them), without building strings:
    /// for printable ASCII a Character is a byte and `lowercased()` is ASCII lowercasing.
    enum ASCIIParse: Equatable { case notASCII, parsed(Date?) }

    static func parseDateASCII(_ line: UnsafeRawBufferPointer) -> ASCIIParse {
        for b in line where b < 0x20 || b > 0x7E { return .notASCII }
        /// `Int(String)` of `line[from..<to]`: an optional sign, then at least one digit, no overflow.
        func integer(_ from: Int, _ to: Int) -> Int? {
            var i = from
            var negative = false
            if i < to && (line[i] == 0x2B || line[i] == 0x2D) { negative = line[i] == 0x2D; i += 1 }
            guard i < to else { return nil }
            var value = 0
            while i < to {
                let d = Int(line[i]) - 0x30
                guard d >= 0 && d <= 9 else { return nil }
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (v, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
                guard !o1 && !o2 else { return nil }
                value = v
                i += 1
            }
            return value
        }
        var month: Int?
        var day: Int?
        var time: (Int, Int, Int)?
        var year: Int?
        var zone = 0
        var index = 0
        var i = 0
        let n = line.count
        while i < n {
            while i < n && line[i] == 0x20 { i += 1 }
            guard i < n else { break }
            let start = i
            while i < n && line[i] != 0x20 { i += 1 }
            let end = i
            index += 1
            if index <= 2 { continue }   // `From` and the sender
            let count = end - start
            var monthIndex: Int?
            if month == nil, count >= 3, let m = MailDate.monthNumber(line[start], line[start + 1], line[start + 2]) {
                monthIndex = m - 1
            }
            var colon = false
            for k in start..<end where line[k] == 0x3A { colon = true; break }
            if let m = monthIndex {
                month = m + 1
            } else if time == nil, colon {
                // `split(separator: ":")`: empty parts are left out.
                var parts: [Int] = []
                var p = start
                while p < end {
                    var q = p
                    while q < end && line[q] != 0x3A { q += 1 }
                    if q > p {
                        guard let v = integer(p, q) else { return .parsed(nil) }
                        parts.append(v)
                    }
                    p = q + 1
                }
                guard parts.count >= 2, parts[0] < 24, parts[1] < 60 else { return .parsed(nil) }
                time = (parts[0], parts[1], parts.count > 2 ? parts[2] : 0)
            } else if (line[start] == 0x2B || line[start] == 0x2D), count == 5, let z = integer(start + 1, end) {
                zone = (line[start] == 0x2D ? -1 : 1) * ((z / 100) * 3600 + (z % 100) * 60)
            } else if let v = integer(start, end) {
                if month != nil, day == nil, v >= 1, v <= 31, time == nil { day = v }
                else if v >= 1900, v < 10000, year == nil { year = v }
                else if day == nil, v >= 1, v <= 31 { day = v }
            }
        }
        guard let month, let day, let time, let year else { return .parsed(nil) }
        return .parsed(utcDate(year: year, month: month, day: day, hour: time.0, minute: time.1, second: time.2, offset: zone))
    }

    /// The general path of `parseDate`, on `String` tokens (any line).
    static func parseDateGeneral(_ line: String) -> Date? {
        let tokens = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).map(String.init)
        var month: Int?
        var day: Int?
        var time: (Int, Int, Int)?
        var year: Int?
        var zone = 0
        for token in tokens {
            let lower = token.lowercased()
            if month == nil, lower.count >= 3, let m = months.firstIndex(of: String(lower.prefix(3))) {
                month = m + 1
            } else if time == nil, token.contains(":") {
                let parts = token.split(separator: ":").map { Int($0) }
                guard parts.count >= 2, parts.allSatisfy({ $0 != nil }), parts[0]! < 24, parts[1]! < 60 else { return nil }
                time = (parts[0]!, parts[1]!, parts.count > 2 ? parts[2]! : 0)
            } else if (token.hasPrefix("+") || token.hasPrefix("-")), token.count == 5, let z = Int(token.dropFirst()) {
                zone = (token.hasPrefix("-") ? -1 : 1) * ((z / 100) * 3600 + (z % 100) * 60)
            } else if let n = Int(token) {
                if month != nil, day == nil, n >= 1, n <= 31, time == nil { day = n }
                else if n >= 1900, n < 10000, year == nil { year = n }
                else if day == nil, n >= 1, n <= 31 { day = n }
            }
        }
        guard let month, let day, let time, let year else { return nil }
        return utcDate(year: year, month: month, day: day, hour: time.0, minute: time.1, second: time.2, offset: zone)
    }

    /// Seconds since the epoch for a civil date and time at a UTC offset (days-from-civil, no calendar objects).
    static func utcDate(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offset: Int) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second - offset))
    }

    /// `From sender Thu Nov 23 08:05:00 2023` (asctime, UTC).
    public static func format(sender: String, date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var tm = tm()
        gmtime_r(&t, &tm)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let day = tm.tm_mday < 10 ? " \(tm.tm_mday)" : "\(tm.tm_mday)"
        let stamp = "\(days[Int(tm.tm_wday)]) \(monthNames[Int(tm.tm_mon)]) \(day) \(two(tm.tm_hour)):\(two(tm.tm_min)):"
            + "\(two(tm.tm_sec)) \(Int(tm.tm_year) + 1900)"
        return "From \(sender) \(stamp)"
    }

    /// The envelope sender for a message: Return-Path, else From's address, else MAILER-DAEMON.
    public static func sender(_ header: MessageHeader) -> String {
        for name in ["Return-Path", "From", "Sender"] {
            guard let raw = header.raw(name) else { continue }
            switch senderASCII(raw) {
            case .found(let word): return word
            case .none: continue
            case .notASCII: break
            }
            if let word = senderGeneral(raw) { return word }
        }
        return "MAILER-DAEMON"
    }

    enum SenderScan: Equatable { case found(String), none, notASCII }

    /// `senderGeneral` on the bytes of a printable-ASCII value (tabs allowed): there every Character
    /// is one byte, so the same rules run without building a String (once per message written).
    static func senderASCII(_ raw: [UInt8]) -> SenderScan {
        raw.withUnsafeBufferPointer { b -> SenderScan in
            for c in b where (c < 0x20 && c != 0x09) || c >= 0x7F { return .notASCII }
            func word(_ start: Int, _ end: Int) -> String? {
                var s = start, e = end
                while s < e && (b[s] == 0x20 || b[s] == 0x09) { s += 1 }
                while e > s && (b[e - 1] == 0x20 || b[e - 1] == 0x09) { e -= 1 }
                guard s < e else { return nil }
                for i in s..<e where b[i] <= 0x20 { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
            }
            if let open = b.lastIndex(of: 0x3C), let close = b[(open + 1)...].firstIndex(of: 0x3E) {
                return word(open + 1, close).map { .found($0) } ?? .none
            }
            // The first space-separated token holding an `@`.
            var i = 0
            while i < b.count {
                while i < b.count && b[i] == 0x20 { i += 1 }
                let start = i
                var at = false
                while i < b.count && b[i] != 0x20 { if b[i] == 0x40 { at = true }; i += 1 }
                if at { return word(start, i).map { .found($0) } ?? .none }
            }
            return .none
        }
    }

    /// The envelope sender in one header value, or nil.
    static func senderGeneral(_ raw: [UInt8]) -> String? {
        let text = String(decoding: raw, as: UTF8.self)
        var candidate: Substring?
        if let open = text.lastIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            candidate = text[text.index(after: open)..<close]
        } else {
            candidate = text.split(separator: " ").first { $0.contains("@") }
        }
        // Trimmed of blanks, it must be one printable ASCII word.
        if let c = candidate.map({ $0.drop(while: { $0 == " " || $0 == "\t" }) }),
           case let word = c.utf8.reversed().drop(while: { $0 == 0x20 || $0 == 0x09 }).reversed(), !word.isEmpty,
           word.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            return String(decoding: word, as: UTF8.self)
        }
        return nil
    }
}
