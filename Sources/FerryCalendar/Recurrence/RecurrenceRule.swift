import FerryCore
import FerryText

/// A RECUR value (RFC 5545 §3.3.10).
public struct RecurrenceRule: Sendable, Hashable {
    public enum Frequency: Int, Sendable, Comparable, CaseIterable {
        case secondly = 0, minutely, hourly, daily, weekly, monthly, yearly

        public static func < (a: Frequency, b: Frequency) -> Bool { a.rawValue < b.rawValue }

        public var name: String {
            ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"][rawValue]
        }
    }

    /// A BYDAY entry: an optional ordinal (0 = every) and a weekday (0 = Monday … 6 = Sunday).
    public struct WeekdayNum: Sendable, Hashable {
        public var ordinal: Int
        public var weekday: Int
    }

    public var frequency: Frequency
    public var until: CalendarDateTime?
    public var count: Int?
    public var interval = 1
    public var bySecond: [Int] = []
    public var byMinute: [Int] = []
    public var byHour: [Int] = []
    public var byDay: [WeekdayNum] = []
    public var byMonthDay: [Int] = []
    public var byYearDay: [Int] = []
    public var byWeekNo: [Int] = []
    public var byMonth: [Int] = []
    public var bySetPos: [Int] = []
    /// Week start, 0 = Monday (the default) … 6 = Sunday.
    public var weekStart = 0

    public init(frequency: Frequency) { self.frequency = frequency }

    static let weekdayNames = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    /// Parses a RECUR value. Errors name the part (`BYMONTH=13`) and its offset.
    public static func parse<C: Collection>(_ value: C) throws(ValueError) -> RecurrenceRule where C.Element == UInt8 {
        let bytes = Array(value)
        var rule = RecurrenceRule(frequency: .daily)
        var sawFrequency = false
        var seen = Set<String>()
        var offset = 0
        let parts = bytes.split(separator: 0x3B, omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            defer { offset += part.count + 1 }
            if part.isEmpty {
                if index == parts.count - 1 { continue }  // a trailing ';' is tolerated
                throw ValueError("rrule.empty-part", "empty rule part (two ';' in a row)", offset: offset)
            }
            guard let eq = part.firstIndex(of: 0x3D) else {
                throw ValueError("rrule.bad-part", "rule part '\(String(decoding: part, as: UTF8.self))' has no '='", offset: offset)
            }
            let name = String(decoding: part[part.startIndex..<eq], as: UTF8.self).uppercased()
            let text = String(decoding: part[(eq + 1)...], as: UTF8.self)
            let valueOffset = offset + (eq - part.startIndex) + 1
            guard seen.insert(name).inserted else {
                throw ValueError("rrule.duplicate-part", "\(name) appears more than once", offset: offset)
            }
            func fail(_ why: String) -> ValueError {
                ValueError("rrule.bad-value", "\(name)=\(text): \(why)", offset: valueOffset)
            }
            func numbers(_ range: ClosedRange<Int>, signed: Bool) throws(ValueError) -> [Int] {
                var result: [Int] = []
                for item in text.split(separator: ",", omittingEmptySubsequences: false) {
                    let s = item.hasPrefix("+") ? item.dropFirst() : item[...]
                    guard let n = Int(s), !s.isEmpty else { throw fail("'\(item)' is not a number") }
                    if signed {
                        guard n != 0, range.contains(abs(n)) else {
                            throw fail("\(n) is outside ±\(range.lowerBound)…\(range.upperBound)")
                        }
                    } else {
                        guard range.contains(n), !item.hasPrefix("-") else {
                            throw fail("\(n) is outside \(range.lowerBound)…\(range.upperBound)")
                        }
                    }
                    result.append(n)
                }
                return result
            }
            switch name {
            case "FREQ":
                guard let f = Frequency.allCases.first(where: { $0.name == text.uppercased() }) else {
                    throw fail("not one of SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY")
                }
                rule.frequency = f
                sawFrequency = true
            case "UNTIL":
                do throws(ValueError) {
                    rule.until = try CalendarDateTime.parse(Array(text.utf8))
                } catch {
                    throw ValueError("rrule.bad-until", "UNTIL=\(text): \(error.message)", offset: valueOffset + error.offset)
                }
            case "COUNT":
                guard let n = Int(text), n >= 1 else { throw fail("COUNT must be a positive integer") }
                rule.count = n
            case "INTERVAL":
                guard let n = Int(text), n >= 1 else { throw fail("INTERVAL must be a positive integer") }
                rule.interval = n
            case "BYSECOND": rule.bySecond = try numbers(0...60, signed: false)
            case "BYMINUTE": rule.byMinute = try numbers(0...59, signed: false)
            case "BYHOUR": rule.byHour = try numbers(0...23, signed: false)
            case "BYMONTHDAY": rule.byMonthDay = try numbers(1...31, signed: true)
            case "BYYEARDAY": rule.byYearDay = try numbers(1...366, signed: true)
            case "BYWEEKNO": rule.byWeekNo = try numbers(1...53, signed: true)
            case "BYMONTH": rule.byMonth = try numbers(1...12, signed: false)
            case "BYSETPOS": rule.bySetPos = try numbers(1...366, signed: true)
            case "WKST":
                guard let w = weekdayNames.firstIndex(of: text.uppercased()) else { throw fail("not a weekday (MO…SU)") }
                rule.weekStart = w
            case "BYDAY":
                for item in text.split(separator: ",", omittingEmptySubsequences: false) {
                    let upper = item.uppercased()
                    guard upper.count >= 2, let w = weekdayNames.firstIndex(of: String(upper.suffix(2))) else {
                        throw fail("'\(item)' is not a weekday such as MO, 1MO or -1FR")
                    }
                    let ordinalText = upper.dropLast(2)
                    var ordinal = 0
                    if !ordinalText.isEmpty {
                        let digits = ordinalText.hasPrefix("+") ? ordinalText.dropFirst() : ordinalText
                        guard let n = Int(digits), n != 0, abs(n) <= 53 else {
                            throw fail("'\(item)': the ordinal must be ±1…53")
                        }
                        ordinal = n
                    }
                    rule.byDay.append(WeekdayNum(ordinal: ordinal, weekday: w))
                }
            default:
                if name.hasPrefix("X-") { continue }
                if name == "RSCALE" || name == "SKIP" { continue }  // RFC 7529 extensions: tolerated
                throw ValueError("rrule.unknown-part", "unknown rule part \(name)", offset: offset)
            }
        }
        guard sawFrequency else { throw ValueError("rrule.missing-freq", "FREQ is required") }
        if rule.until != nil, rule.count != nil {
            throw ValueError("rrule.until-and-count", "UNTIL and COUNT must not both be present")
        }
        // Parts that RFC 5545's table does not allow with the frequency.
        if !rule.byWeekNo.isEmpty, rule.frequency != .yearly {
            throw ValueError("rrule.part-not-allowed", "BYWEEKNO is only allowed with FREQ=YEARLY")
        }
        if !rule.byYearDay.isEmpty, [.daily, .weekly, .monthly].contains(rule.frequency) {
            throw ValueError("rrule.part-not-allowed", "BYYEARDAY is not allowed with FREQ=\(rule.frequency.name)")
        }
        if !rule.byMonthDay.isEmpty, rule.frequency == .weekly {
            throw ValueError("rrule.part-not-allowed", "BYMONTHDAY is not allowed with FREQ=WEEKLY")
        }
        if rule.byDay.contains(where: { $0.ordinal != 0 }) {
            if rule.frequency != .monthly && rule.frequency != .yearly {
                throw ValueError("rrule.part-not-allowed",
                                 "BYDAY with an ordinal (1MO, -1FR) is only allowed with FREQ=MONTHLY or YEARLY")
            }
            if rule.frequency == .yearly && !rule.byWeekNo.isEmpty {
                throw ValueError("rrule.part-not-allowed", "BYDAY with an ordinal is not allowed together with BYWEEKNO")
            }
        }
        if !rule.bySetPos.isEmpty, rule.bySecond.isEmpty, rule.byMinute.isEmpty, rule.byHour.isEmpty, rule.byDay.isEmpty,
           rule.byMonthDay.isEmpty, rule.byYearDay.isEmpty, rule.byWeekNo.isEmpty, rule.byMonth.isEmpty {
            throw ValueError("rrule.part-not-allowed", "BYSETPOS needs another BYxxx part")
        }
        return rule
    }
}
