import FerryCore
import FerryText

/// A value that failed to parse: a stable code, a message, and the byte offset inside the value.
public struct ValueError: Error, Sendable, Equatable {
    public var code: String
    public var message: String
    public var offset: Int

    public init(_ code: String, _ message: String, offset: Int = 0) {
        self.code = code
        self.message = message
        self.offset = offset
    }
}

// MARK: - Civil calendar arithmetic (proleptic Gregorian, no Foundation)

/// Days since 1970-01-01 for a civil date (H. Hinnant's algorithm).
@inlinable
public func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y - 1 : y
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (m + 9) % 12
    let doy = (153 * mp + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
}

/// The civil date of a day count since 1970-01-01.
@inlinable
public func civilFromDays(_ z: Int) -> (year: Int, month: Int, day: Int) {
    let z = z + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
}

@inlinable
public func isLeapYear(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

@inlinable
public func daysInMonth(_ y: Int, _ m: Int) -> Int {
    switch m {
    case 2: return isLeapYear(y) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
}

/// Weekday of a day count: 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
@inlinable
public func weekdayOf(days: Int) -> Int { ((days % 7) + 7 + 3) % 7 }

// MARK: - Date and date-time

/// A wall-clock date and time without a zone.
public struct LocalDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The wall clock read as if it were UTC, in seconds since 1970 (for arithmetic and zone lookups).
    public var seconds: Int64 {
        Int64(daysFromCivil(year, month, day)) * 86400 + Int64(hour * 3600 + minute * 60 + min(second, 59))
    }

    public init(seconds: Int64) {
        let days = Int((seconds >= 0 ? seconds : seconds - 86399) / 86400)
        let rest = Int(seconds - Int64(days) * 86400)
        let (y, m, d) = civilFromDays(days)
        self.init(year: y, month: m, day: d, hour: rest / 3600, minute: rest / 60 % 60, second: rest % 60)
    }

    public var days: Int { daysFromCivil(year, month, day) }

    public static func < (a: LocalDateTime, b: LocalDateTime) -> Bool { a.seconds < b.seconds }

    /// `YYYYMMDDTHHMMSS`.
    public var basicFormat: String {
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T" + pad(hour, 2) + pad(minute, 2) + pad(second, 2)
    }

    /// `YYYYMMDD`.
    public var basicDateFormat: String { String(basicFormat.prefix(8)) }

    public var description: String { basicFormat }
}

/// A DATE or DATE-TIME value with how its time is anchored (RFC 5545 §3.3.4, §3.3.5).
public struct CalendarDateTime: Sendable, Hashable, CustomStringConvertible {
    public enum Anchor: Sendable, Hashable {
        /// Local time wherever the reader is.
        case floating
        /// `…Z`.
        case utc
        /// `TZID=…`.
        case zone(String)
    }

    public var local: LocalDateTime
    /// True for a DATE (no time of day).
    public var isDate: Bool
    public var anchor: Anchor

    public init(local: LocalDateTime, isDate: Bool = false, anchor: Anchor = .floating) {
        self.local = local
        self.isDate = isDate
        self.anchor = anchor
    }

    public var isUTC: Bool { anchor == .utc }

    public var tzid: String? {
        if case .zone(let id) = anchor { return id }
        return nil
    }

    /// The value as written in iCalendar (without parameters).
    public var icalString: String {
        isDate ? local.basicDateFormat : local.basicFormat + (isUTC ? "Z" : "")
    }

    public var description: String { icalString + (tzid.map { " [\($0)]" } ?? "") }

    /// Parses `YYYYMMDD` (a DATE) or `YYYYMMDDTHHMMSS[Z]` (a DATE-TIME).
    public static func parse<C: Collection>(_ value: C, tzid: String? = nil) throws(ValueError) -> CalendarDateTime
    where C.Element == UInt8 {
        let b = Array(value)
        func num(_ from: Int, _ count: Int) throws(ValueError) -> Int {
            var v = 0
            for k in from..<(from + count) {
                guard k < b.count, b[k] >= 0x30, b[k] <= 0x39 else {
                    throw ValueError("value.bad-date", "expected a digit at position \(k + 1) of '\(String(decoding: b, as: UTF8.self))'", offset: k)
                }
                v = v * 10 + Int(b[k] - 0x30)
            }
            return v
        }
        guard b.count == 8 || b.count == 15 || b.count == 16 else {
            throw ValueError("value.bad-date",
                             "'\(String(decoding: b, as: UTF8.self))' is neither a DATE (YYYYMMDD) nor a DATE-TIME (YYYYMMDDTHHMMSS[Z])")
        }
        let y = try num(0, 4), m = try num(4, 2), d = try num(6, 2)
        guard (1...12).contains(m) else { throw ValueError("value.bad-date", "month \(m) is out of range 01–12", offset: 4) }
        guard d >= 1, d <= daysInMonth(y, m) else {
            throw ValueError("value.bad-date", "day \(d) does not exist in \(y)-\(m < 10 ? "0" : "")\(m)", offset: 6)
        }
        if b.count == 8 {
            return CalendarDateTime(local: LocalDateTime(year: y, month: m, day: d), isDate: true,
                                    anchor: tzid.map { .zone($0) } ?? .floating)
        }
        guard b[8] == 0x54 || b[8] == 0x74 else {
            throw ValueError("value.bad-date", "expected 'T' between date and time", offset: 8)
        }
        let h = try num(9, 2), mi = try num(11, 2), s = try num(13, 2)
        guard h <= 23 else { throw ValueError("value.bad-date", "hour \(h) is out of range 00–23", offset: 9) }
        guard mi <= 59 else { throw ValueError("value.bad-date", "minute \(mi) is out of range 00–59", offset: 11) }
        guard s <= 60 else { throw ValueError("value.bad-date", "second \(s) is out of range 00–60", offset: 13) }
        var anchor: Anchor = tzid.map { .zone($0) } ?? .floating
        if b.count == 16 {
            guard b[15] == 0x5A || b[15] == 0x7A else {
                throw ValueError("value.bad-date", "only 'Z' may follow the time (UTC)", offset: 15)
            }
            anchor = .utc
        }
        return CalendarDateTime(local: LocalDateTime(year: y, month: m, day: d, hour: h, minute: mi, second: s),
                                isDate: false, anchor: anchor)
    }

    /// Reads the value of a DTSTART-like property (with its TZID and VALUE parameters).
    public static func parse(property line: ContentLine) throws(ValueError) -> CalendarDateTime {
        let tzid = line.parameters.isEmpty ? nil : line.parameterValue("TZID")
        var v = line.value
        // Tolerate trailing whitespace (reported separately by the validator).
        while let last = v.last, last == 0x20 || last == 0x09 { v = v.dropLast() }
        let result = try parse(v, tzid: tzid)
        if result.isUTC, tzid != nil {
            // TZID with a UTC time: the Z wins (RFC 5545 §3.2.19 forbids the combination; validators report it).
            return CalendarDateTime(local: result.local, isDate: false, anchor: .utc)
        }
        return result
    }
}

// MARK: - Duration

/// A DURATION (RFC 5545 §3.3.6): weeks and days are nominal (wall-clock days), the time part exact.
public struct CalendarDuration: Sendable, Hashable, CustomStringConvertible {
    public var negative: Bool
    public var weeks: Int
    public var days: Int
    public var hours: Int
    public var minutes: Int
    public var seconds: Int

    public init(negative: Bool = false, weeks: Int = 0, days: Int = 0, hours: Int = 0, minutes: Int = 0, seconds: Int = 0) {
        self.negative = negative
        self.weeks = weeks
        self.days = days
        self.hours = hours
        self.minutes = minutes
        self.seconds = seconds
    }

    /// Nominal days (weeks × 7 + days), signed.
    public var nominalDays: Int { (negative ? -1 : 1) * (weeks * 7 + days) }
    /// Exact seconds of the time part, signed.
    public var exactSeconds: Int64 { Int64((negative ? -1 : 1) * (hours * 3600 + minutes * 60 + seconds)) }
    /// Total seconds treating a day as 86,400 s.
    public var totalSeconds: Int64 { Int64(nominalDays) * 86400 + exactSeconds }

    public var description: String {
        var s = negative ? "-P" : "P"
        if weeks > 0 && days == 0 && hours == 0 && minutes == 0 && seconds == 0 { return s + "\(weeks)W" }
        let d = weeks * 7 + days
        if d > 0 { s += "\(d)D" }
        if hours > 0 || minutes > 0 || seconds > 0 {
            s += "T"
            if hours > 0 { s += "\(hours)H" }
            if minutes > 0 { s += "\(minutes)M" }
            if seconds > 0 { s += "\(seconds)S" }
        }
        if s.hasSuffix("P") { s += "T0S" }
        return s
    }

    /// `[+|-]P(nW | nD[T…] | T nH[nM[nS]] …)`. Lenient on the order of time units is not allowed:
    /// RFC 5545's grammar is followed, except that a week may be combined with other units (RFC 5545bis).
    public static func parse<C: Collection>(_ value: C) throws(ValueError) -> CalendarDuration where C.Element == UInt8 {
        let b = Array(value)
        var i = 0
        var result = CalendarDuration()
        func fail(_ why: String) -> ValueError {
            ValueError("value.bad-duration", "'\(String(decoding: b, as: UTF8.self))' is not a DURATION: \(why)", offset: i)
        }
        if i < b.count, b[i] == 0x2B || b[i] == 0x2D {
            result.negative = b[i] == 0x2D
            i += 1
        }
        guard i < b.count, b[i] == 0x50 || b[i] == 0x70 else { throw fail("it must start with P") }
        i += 1
        var inTime = false
        var sawUnit = false
        var lastRank = -1
        while i < b.count {
            if b[i] == 0x54 || b[i] == 0x74 {
                guard !inTime else { throw fail("T appears twice") }
                inTime = true
                i += 1
                continue
            }
            var n = 0
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                n = n &* 10 &+ Int(b[i] - 0x30)
                if n > 100_000_000 { throw fail("number too large") }
                i += 1
            }
            guard i > start else { throw fail("expected a number") }
            guard i < b.count else { throw fail("number without a unit") }
            let unit = b[i] & 0xDF
            let rank: Int
            switch (unit, inTime) {
            case (0x57, false): result.weeks = n; rank = 0     // W
            case (0x44, false): result.days = n; rank = 1      // D
            case (0x48, true): result.hours = n; rank = 2      // H
            case (0x4D, true): result.minutes = n; rank = 3    // M
            case (0x53, true): result.seconds = n; rank = 4    // S
            default: throw fail(inTime ? "unit must be H, M or S after T" : "unit must be W or D before T")
            }
            guard rank > lastRank else { throw fail("units out of order") }
            lastRank = rank
            sawUnit = true
            i += 1
        }
        guard sawUnit else { throw fail("no value") }
        if inTime && lastRank < 2 { throw fail("T without a time") }
        return result
    }
}

// MARK: - Period, UTC offset

/// A PERIOD: a start and either an end or a duration (RFC 5545 §3.3.9).
public struct CalendarPeriod: Sendable, Hashable {
    public var start: CalendarDateTime
    public var end: CalendarDateTime?
    public var duration: CalendarDuration?

    public static func parse<C: Collection>(_ value: C, tzid: String? = nil) throws(ValueError) -> CalendarPeriod
    where C.Element == UInt8 {
        let b = Array(value)
        guard let slash = b.firstIndex(of: 0x2F) else {
            throw ValueError("value.bad-period", "'\(String(decoding: b, as: UTF8.self))' is not a PERIOD (start/end or start/duration)")
        }
        let start = try CalendarDateTime.parse(b[..<slash], tzid: tzid)
        guard !start.isDate else { throw ValueError("value.bad-period", "a PERIOD starts with a DATE-TIME, not a DATE") }
        let rest = b[(slash + 1)...]
        if let first = rest.first, first == 0x50 || first == 0x2B || first == 0x2D || first == 0x70 {
            do throws(ValueError) {
                return CalendarPeriod(start: start, end: nil, duration: try CalendarDuration.parse(rest))
            } catch {
                throw ValueError(error.code, error.message, offset: error.offset + slash + 1)
            }
        }
        do throws(ValueError) {
            let end = try CalendarDateTime.parse(rest, tzid: tzid)
            guard !end.isDate else { throw ValueError("value.bad-period", "a PERIOD ends with a DATE-TIME, not a DATE") }
            return CalendarPeriod(start: start, end: end, duration: nil)
        } catch {
            throw ValueError(error.code, error.message, offset: error.offset + slash + 1)
        }
    }
}

/// A UTC-OFFSET (`+0100`, `-043000`), in seconds east of UTC.
public enum UTCOffset {
    public static func parse<C: Collection>(_ value: C) throws(ValueError) -> Int where C.Element == UInt8 {
        let b = Array(value)
        func fail() -> ValueError {
            ValueError("value.bad-utc-offset", "'\(String(decoding: b, as: UTF8.self))' is not a UTC-OFFSET (+HHMM or -HHMMSS)")
        }
        guard b.count == 5 || b.count == 7, b[0] == 0x2B || b[0] == 0x2D,
              b[1...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw fail() }
        let digits = b[1...].map { Int($0 - 0x30) }
        let h = digits[0] * 10 + digits[1], m = digits[2] * 10 + digits[3]
        let s = b.count == 7 ? digits[4] * 10 + digits[5] : 0
        guard h < 24, m < 60, s < 60 else { throw fail() }
        let total = h * 3600 + m * 60 + s
        if b[0] == 0x2D && total == 0 {
            throw ValueError("value.bad-utc-offset", "-0000 is not allowed (RFC 5545 §3.3.14)")
        }
        return b[0] == 0x2D ? -total : total
    }

    public static func format(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let a = abs(seconds)
        func p(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return sign + p(a / 3600) + p(a / 60 % 60) + (a % 60 != 0 ? p(a % 60) : "")
    }
}

// MARK: - Simple types

/// Checks of the remaining value types (RFC 5545 §3.3): each returns nil or the problem.
public enum SimpleValues {
    public static func checkInteger<C: Collection>(_ v: C, range: ClosedRange<Int>? = nil) -> ValueError? where C.Element == UInt8 {
        let s = String(decoding: v, as: UTF8.self)
        guard let n = Int(s.hasPrefix("+") ? String(s.dropFirst()) : s) else {
            return ValueError("value.bad-integer", "'\(s)' is not an INTEGER")
        }
        if let range, !range.contains(n) {
            return ValueError("value.out-of-range", "\(n) is outside \(range.lowerBound)–\(range.upperBound)")
        }
        return nil
    }

    public static func checkFloat<C: Collection>(_ v: C) -> ValueError? where C.Element == UInt8 {
        let b = Array(v)
        var i = 0
        if i < b.count, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
        var digits = 0, dots = 0
        while i < b.count {
            if b[i] >= 0x30 && b[i] <= 0x39 { digits += 1 } else if b[i] == 0x2E { dots += 1 } else { break }
            i += 1
        }
        if i != b.count || digits == 0 || dots > 1 {
            return ValueError("value.bad-float", "'\(String(decoding: b, as: UTF8.self))' is not a FLOAT")
        }
        return nil
    }

    /// URI: a scheme (`letter *(letter / digit / + - .)`) followed by ':' (RFC 3986 §3.1).
    public static func checkURI<C: Collection>(_ v: C) -> ValueError? where C.Element == UInt8 {
        let b = Array(v)
        guard let colon = b.firstIndex(of: 0x3A), colon > 0,
              (b[0] | 0x20) >= 0x61, (b[0] | 0x20) <= 0x7A,
              b[..<colon].allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || ($0 >= 0x30 && $0 <= 0x39)
                  || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }) else {
            return ValueError("value.bad-uri", "'\(String(decoding: b.prefix(60), as: UTF8.self))' is not a URI (no scheme such as mailto: or https:)")
        }
        if b.contains(where: { $0 == 0x20 }) {
            return ValueError("value.bad-uri", "a URI may not contain spaces", offset: b.firstIndex(of: 0x20) ?? 0)
        }
        return nil
    }

    public static func checkBoolean<C: Collection>(_ v: C) -> ValueError? where C.Element == UInt8 {
        let s = String(decoding: v, as: UTF8.self).uppercased()
        return s == "TRUE" || s == "FALSE" ? nil : ValueError("value.bad-boolean", "'\(s)' is not TRUE or FALSE")
    }

    public static func checkTime<C: Collection>(_ v: C) -> ValueError? where C.Element == UInt8 {
        let b = Array(v)
        guard b.count == 6 || (b.count == 7 && (b[6] == 0x5A)), b[..<6].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return ValueError("value.bad-time", "'\(String(decoding: b, as: UTF8.self))' is not a TIME (HHMMSS[Z])")
        }
        let h = Int(b[0] - 0x30) * 10 + Int(b[1] - 0x30), m = Int(b[2] - 0x30) * 10 + Int(b[3] - 0x30)
        let s = Int(b[4] - 0x30) * 10 + Int(b[5] - 0x30)
        return h < 24 && m < 60 && s <= 60 ? nil : ValueError("value.bad-time", "time out of range")
    }
}
