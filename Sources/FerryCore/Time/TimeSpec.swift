import Foundation

/// Where relative times are anchored and in which zone calendar arithmetic happens.
public struct TimeContext: Sendable {
    public var now: Date
    public var timeZone: TimeZone

    public init(now: Date = Date(), timeZone: TimeZone = .current) {
        self.now = now
        self.timeZone = timeZone
    }

    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// Builds a context from `--now` and `--tz` option values (either may be nil).
    public static func from(now: String?, tz: String?) throws -> TimeContext {
        var context = TimeContext()
        if let tz {
            guard let zone = TimeZone(identifier: tz) else {
                throw FerryError.usage("time.bad-zone", "unknown time zone '\(tz)' (use an IANA name such as "
                                       + "Europe/Berlin or America/New_York)")
            }
            context.timeZone = zone
        }
        if let now {
            context.now = try TimeSpec.parse(now, in: context, option: "--now")
        }
        return context
    }
}

/// A start/end time as Zimbra's REST `start=`/`end=` parameters accept it, plus ISO 8601.
///
/// Rules, tried in this order on the whole string (reference: zimbra-formats.md §3):
/// 1. digits only: milliseconds since the Unix epoch (`7` is 7 ms after 1970, never 7 days);
/// 2. `yyyy/mm/dd` or `yyyy-mm-dd` (`/` and `-` may be mixed): local midnight;
/// 3. `mm/dd/yyyy` (US order): local midnight;
/// 4. `[+|p|-|m]N[unit]`: relative to now. Only the unit's first letter counts, except `mi` =
///    minutes: `m…` months, `h…` hours, `d…` days (`1dec` is one day), `w…` weeks, `y…` years;
///    no unit = days. N must fit a signed 32-bit integer. Months and years clamp the day of month,
///    days and weeks keep the wall-clock time across DST, hours and minutes are absolute;
/// 5. ISO 8601 date-times (`2024-03-31T02:30`, with `Z` or `±hh:mm`; local time without a zone).
///
/// Unlike Zimbra, which silently falls back to a default, anything else is an error listing these forms,
/// and impossible dates (`2024-02-30`, month 13) are errors rather than rolled over.
public enum TimeSpec {
    public static let acceptedForms = """
        accepted forms: milliseconds since 1970 (1700000000000); yyyy/mm/dd or yyyy-mm-dd; mm/dd/yyyy; \
        relative [+|p|-|m]N[unit] with unit mi(nutes), h(ours), d(ays), w(eeks), m(onths), y(ears), \
        no unit = days (-7days, +2weeks, p1month, m60mi); ISO 8601 (2024-03-31T14:00:00Z)
        """

    public static func parse(_ text: String, in context: TimeContext, option: String = "time") throws -> Date {
        let bytes = Array(text.utf8)
        func fail(_ why: String) -> FerryError {
            FerryError.usage("time.invalid", "\(option) '\(text)': \(why); \(acceptedForms)")
        }
        guard !bytes.isEmpty else { throw fail("empty value") }
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }

        // 1. Epoch milliseconds.
        if bytes.allSatisfy(isDigit) {
            guard let ms = Int64(text) else { throw fail("number too large") }
            return Date(timeIntervalSince1970: Double(ms) / 1000)
        }

        // 2./3. Dates.
        let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "/" || $0 == "-" })
        if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(isDigit) }) {
            let lengths = parts.map(\.count)
            var ymd: (Int, Int, Int)?
            if lengths[0] == 4 && (1...2).contains(lengths[1]) && (1...2).contains(lengths[2]) {
                ymd = (Int(parts[0])!, Int(parts[1])!, Int(parts[2])!)
            } else if (1...2).contains(lengths[0]) && (1...2).contains(lengths[1]) && lengths[2] == 4 {
                ymd = (Int(parts[2])!, Int(parts[0])!, Int(parts[1])!)
            }
            if let (y, m, d) = ymd {
                return try localMidnight(year: y, month: m, day: d, in: context) ?? { throw fail("no such date") }()
            }
        }

        // 4. Relative.
        if let relative = try parseRelative(bytes, fail: fail) {
            let (value, unit) = relative
            let calendar = context.calendar
            let result: Date?
            switch unit {
            case .minute: result = context.now.addingTimeInterval(Double(value) * 60)
            case .hour: result = context.now.addingTimeInterval(Double(value) * 3600)
            case .day: result = calendar.date(byAdding: .day, value: value, to: context.now)
            case .week:
                let (days, overflow) = value.multipliedReportingOverflow(by: 7)
                result = overflow ? nil : calendar.date(byAdding: .day, value: days, to: context.now)
            case .month: result = calendar.date(byAdding: .month, value: value, to: context.now)
            case .year: result = calendar.date(byAdding: .year, value: value, to: context.now)
            }
            guard let result, abs(result.timeIntervalSince1970) < 253_402_300_800 * 4 else {
                throw fail("result out of range")
            }
            return result
        }

        // 5. ISO 8601.
        if let date = parseISO8601(text, in: context) { return date }
        throw fail("not a recognised time")
    }

    enum Unit { case minute, hour, day, week, month, year }

    /// `^([mp+-]?)([0-9]+)([mhdwy][a-z]*)?$`; nil when the shape does not match.
    static func parseRelative(_ bytes: [UInt8], fail: (String) -> FerryError) throws -> (Int, Unit)? {
        var i = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "p")
            || first == UInt8(ascii: "-") || first == UInt8(ascii: "m") {
            negative = first == UInt8(ascii: "-") || first == UInt8(ascii: "m")
            i = 1
        }
        let digitsStart = i
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
        guard i > digitsStart else { return nil }
        let digits = String(decoding: bytes[digitsStart..<i], as: UTF8.self)
        let unitBytes = bytes[i...]
        guard unitBytes.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) else { return nil }
        let unit: Unit
        if let first = unitBytes.first {
            switch first {
            case UInt8(ascii: "m"):
                unit = unitBytes.count >= 2 && unitBytes[unitBytes.startIndex + 1] == UInt8(ascii: "i") ? .minute : .month
            case UInt8(ascii: "h"): unit = .hour
            case UInt8(ascii: "d"): unit = .day
            case UInt8(ascii: "w"): unit = .week
            case UInt8(ascii: "y"): unit = .year
            default: return nil
            }
        } else {
            unit = .day
        }
        guard let magnitude = Int32(digits) else { throw fail("number does not fit a 32-bit integer") }
        return (negative ? -Int(magnitude) : Int(magnitude), unit)
    }

    static func localMidnight(year: Int, month: Int, day: Int, in context: TimeContext) -> Date? {
        let calendar = context.calendar
        guard (1...12).contains(month), day >= 1 else { return nil }
        var components = DateComponents(year: year, month: month, day: 1)
        components.timeZone = context.timeZone
        guard let first = calendar.date(from: components),
              let days = calendar.range(of: .day, in: .month, for: first), days.contains(day) else { return nil }
        components.day = day
        return calendar.date(from: components)
    }

    /// `yyyy-mm-ddThh:mm[:ss[.fff]][Z|±hh[:]mm]` (a space may replace `T`).
    static func parseISO8601(_ text: String, in context: TimeContext) -> Date? {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for k in from..<(from + count) {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                value = value * 10 + Int(b[k] - 0x30)
            }
            return value
        }
        guard b.count >= 16, let year = number(0, 4), b[4] == UInt8(ascii: "-"), let month = number(5, 2),
              b[7] == UInt8(ascii: "-"), let day = number(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
              let hour = number(11, 2), b[13] == UInt8(ascii: ":"), let minute = number(14, 2) else { return nil }
        var i = 16
        var second = 0
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard let s = number(i + 1, 2) else { return nil }
            second = s
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                var k = i + 1
                var digits = ""
                while k < b.count, b[k] >= 0x30, b[k] <= 0x39 { digits.append(Character(UnicodeScalar(b[k]))); k += 1 }
                guard !digits.isEmpty else { return nil }
                fraction = Double("0." + digits) ?? 0
                i = k
            }
        }
        var zone: TimeZone = context.timeZone
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") && i + 1 == b.count {
                zone = TimeZone(secondsFromGMT: 0)!
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                guard let hh = number(i + 1, 2) else { return nil }
                var mm = 0
                if i + 3 < b.count {
                    let colon = b[i + 3] == UInt8(ascii: ":") ? 1 : 0
                    guard let m = number(i + 3 + colon, 2), i + 5 + colon == b.count else { return nil }
                    mm = m
                } else if i + 3 != b.count {
                    return nil
                }
                guard hh < 24, mm < 60, let tz = TimeZone(secondsFromGMT: sign * (hh * 3600 + mm * 60)) else { return nil }
                zone = tz
            } else {
                return nil
            }
        }
        guard (1...12).contains(month), hour < 24, minute < 60, second < 61 else { return nil }
        var zoned = context
        zoned.timeZone = zone
        guard let midnight = localMidnight(year: year, month: month, day: day, in: zoned) else { return nil }
        var components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        components.timeZone = zone
        _ = midnight
        return zoned.calendar.date(from: components).map { $0.addingTimeInterval(fraction) }
    }
}

/// A half-open interval of instants; either end may be open.
public struct TimeRange: Sendable, Equatable {
    public var start: Date?
    public var end: Date?

    public init(start: Date? = nil, end: Date? = nil) {
        self.start = start
        self.end = end
    }

    /// From `--start`/`--end` option values; an end before the start is an error.
    public static func from(start: String?, end: String?, in context: TimeContext) throws -> TimeRange {
        let range = TimeRange(start: try start.map { try TimeSpec.parse($0, in: context, option: "--start") },
                              end: try end.map { try TimeSpec.parse($0, in: context, option: "--end") })
        if let s = range.start, let e = range.end, e < s {
            throw FerryError.usage("time.reversed", "--end (\(iso8601(e))) is before --start (\(iso8601(s)))")
        }
        return range
    }

    public var isUnbounded: Bool { start == nil && end == nil }

    /// True when [from, to) overlaps the range (an instant when `to` is nil).
    public func overlaps(from: Date, to: Date?) -> Bool {
        let to = to ?? from
        if let start, to < start || (to == start && to > from) { return false }
        if let end, from >= end { return false }
        return true
    }

    public func contains(_ date: Date) -> Bool { overlaps(from: date, to: nil) }
}

/// `2024-03-31T14:00:00Z`.
public func iso8601(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
}
