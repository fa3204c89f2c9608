/// Generates the wall-clock date-times of a recurrence rule (RFC 5545 §3.3.10) from a DTSTART, in order.
///
/// Per period of the frequency (a year, a month, a week aligned to WKST, a day, an hour, …) it builds the
/// candidate days (BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY and BYDAY expand or limit as the RFC's table
/// says), crosses them with the times (BYHOUR, BYMINUTE, BYSECOND), sorts, applies BYSETPOS, then COUNT and
/// UNTIL. DTSTART is always the first instance (and counts toward COUNT). Runaway rules that produce
/// nothing are stopped after `maxEmptyPeriods` periods and reported through `stoppedEarly`.
public struct RuleIterator: IteratorProtocol {
    public let rule: RecurrenceRule
    public let start: LocalDateTime
    /// True when an UNTIL bound is passed (checked by the caller's closure, which knows time zones).
    private let isPastUntil: (LocalDateTime) -> Bool
    private let maxEmptyPeriods: Int

    // Normalised BY parts (defaults taken from DTSTART as RFC 5545 implies).
    private let byMonth: Set<Int>
    private let byMonthDay: [Int]
    private let byYearDay: [Int]
    private let byWeekNo: [Int]
    private let byDayPlain: Set<Int>
    private let byDayOrdinal: [RecurrenceRule.WeekdayNum]
    private let hours: [Int]
    private let minutes: [Int]
    private let seconds: [Int]

    // Period cursor: for YEARLY the year; MONTHLY a month index; WEEKLY the week's first day; DAILY and
    // finer the day plus a second-of-day.
    private var periodYear: Int
    private var periodMonth: Int
    private var periodDay: Int
    private var periodSecond: Int
    private var buffer: [LocalDateTime] = []
    private var skipTo: Int64?
    private var bufferIndex = 0
    private var emitted = 0
    private var startEmitted = false
    private var finished = false
    public private(set) var stoppedEarly = false

    public init(rule: RecurrenceRule, start: LocalDateTime, maxEmptyPeriods: Int? = nil,
                isPastUntil: @escaping (LocalDateTime) -> Bool = { _ in false }) {
        self.rule = rule
        self.start = start
        self.isPastUntil = isPastUntil
        // Default guard: 400 years of periods (a full Gregorian cycle) without an instance.
        switch rule.frequency {
        case .yearly: self.maxEmptyPeriods = maxEmptyPeriods ?? 400
        case .monthly: self.maxEmptyPeriods = maxEmptyPeriods ?? 4_800
        case .weekly: self.maxEmptyPeriods = maxEmptyPeriods ?? 20_871
        case .daily: self.maxEmptyPeriods = maxEmptyPeriods ?? 146_097
        default: self.maxEmptyPeriods = maxEmptyPeriods ?? 3_000_000
        }
        var byMonth = rule.byMonth
        var byMonthDay = rule.byMonthDay
        var byDay = rule.byDay
        if rule.byWeekNo.isEmpty && rule.byYearDay.isEmpty && rule.byMonthDay.isEmpty && rule.byDay.isEmpty {
            switch rule.frequency {
            case .yearly:
                if byMonth.isEmpty { byMonth = [start.month] }
                byMonthDay = [start.day]
            case .monthly:
                byMonthDay = [start.day]
            case .weekly:
                byDay = [RecurrenceRule.WeekdayNum(ordinal: 0, weekday: weekdayOf(days: start.days))]
            default: break
            }
        }
        self.byMonth = Set(byMonth)
        self.byMonthDay = byMonthDay
        self.byYearDay = rule.byYearDay
        self.byWeekNo = rule.byWeekNo
        // Ordinals only count in MONTHLY and YEARLY; elsewhere they are plain weekdays.
        let ordinalsCount = rule.frequency == .monthly || (rule.frequency == .yearly && rule.byWeekNo.isEmpty)
        self.byDayPlain = Set(byDay.filter { $0.ordinal == 0 || !ordinalsCount }.map(\.weekday))
        self.byDayOrdinal = ordinalsCount ? byDay.filter { $0.ordinal != 0 } : []
        self.hours = rule.byHour.isEmpty ? [start.hour] : rule.byHour.sorted()
        self.minutes = rule.byMinute.isEmpty ? [start.minute] : rule.byMinute.sorted()
        self.seconds = rule.bySecond.isEmpty ? [start.second] : rule.bySecond.sorted()
        periodYear = start.year
        periodMonth = start.month
        periodDay = start.days
        periodSecond = start.hour * 3600 + start.minute * 60 + start.second
        if rule.frequency == .weekly {
            let wd = weekdayOf(days: start.days)
            periodDay = start.days - ((wd - rule.weekStart + 7) % 7)
        }
    }

    public mutating func next() -> LocalDateTime? {
        if finished { return nil }
        if !startEmitted {
            startEmitted = true
            if isPastUntil(start) { finished = true; return nil }
            emitted = 1
            if let count = rule.count, emitted >= count { finished = true }
            return start
        }
        var empty = 0
        while true {
            if bufferIndex < buffer.count {
                let candidate = buffer[bufferIndex]
                bufferIndex += 1
                if candidate <= start { continue }
                if isPastUntil(candidate) { finished = true; return nil }
                emitted += 1
                if let count = rule.count, emitted >= count { finished = true }
                return candidate
            }
            if periodYear > 9999 { finished = true; return nil }
            fillPeriod()
            advance()
            if buffer.isEmpty {
                empty += 1
                if empty > maxEmptyPeriods {
                    stoppedEarly = true
                    finished = true
                    return nil
                }
            } else {
                empty = 0
            }
        }
    }

    // MARK: period construction

    private mutating func fillPeriod() {
        buffer.removeAll(keepingCapacity: true)
        bufferIndex = 0
        var days: [Int] = []
        switch rule.frequency {
        case .yearly:
            if !byWeekNo.isEmpty {
                let from = Self.weekOneStart(periodYear, rule.weekStart)
                let to = Self.weekOneStart(periodYear + 1, rule.weekStart)
                for d in from..<to where dayMatches(d) { days.append(d) }
            } else {
                let from = daysFromCivil(periodYear, 1, 1)
                let to = daysFromCivil(periodYear + 1, 1, 1)
                if byMonth.count > 0 && byYearDay.isEmpty {
                    for m in byMonth.sorted() {
                        let first = daysFromCivil(periodYear, m, 1)
                        for d in first..<(first + daysInMonth(periodYear, m)) where dayMatches(d) { days.append(d) }
                    }
                } else {
                    for d in from..<to where dayMatches(d) { days.append(d) }
                }
            }
        case .monthly:
            let first = daysFromCivil(periodYear, periodMonth, 1)
            for d in first..<(first + daysInMonth(periodYear, periodMonth)) where dayMatches(d) { days.append(d) }
        case .weekly:
            for d in periodDay..<(periodDay + 7) where dayMatches(d) { days.append(d) }
        case .daily, .hourly, .minutely, .secondly:
            if dayMatches(periodDay) { days.append(periodDay) }
        }
        skipTo = nil
        if days.isEmpty {
            if rule.frequency < .daily { skipTo = Int64(periodDay + 1) * 86400 }
            return
        }
        var times: [Int] = []
        let h = periodSecond / 3600, mi = periodSecond / 60 % 60, s = periodSecond % 60
        switch rule.frequency {
        case .yearly, .monthly, .weekly, .daily:
            for hh in hours { for mm in minutes { for ss in seconds { times.append(hh * 3600 + mm * 60 + ss) } } }
        case .hourly:
            if rule.byHour.isEmpty || rule.byHour.contains(h) {
                for mm in minutes { for ss in seconds { times.append(h * 3600 + mm * 60 + ss) } }
            }
        case .minutely:
            if (rule.byHour.isEmpty || rule.byHour.contains(h)) && (rule.byMinute.isEmpty || rule.byMinute.contains(mi)) {
                for ss in seconds { times.append(h * 3600 + mi * 60 + ss) }
            }
        case .secondly:
            if (rule.byHour.isEmpty || rule.byHour.contains(h)) && (rule.byMinute.isEmpty || rule.byMinute.contains(mi))
                && (rule.bySecond.isEmpty || rule.bySecond.contains(s)) {
                times.append(periodSecond)
            }
        }
        if times.isEmpty {
            if rule.frequency < .hourly, !rule.byHour.isEmpty, !rule.byHour.contains(h) {
                skipTo = Int64(periodDay) * 86400 + Int64(h + 1) * 3600
            }
            return
        }
        times.sort()
        var all: [LocalDateTime] = []
        all.reserveCapacity(days.count * times.count)
        for d in days.sorted() {
            for t in times { all.append(LocalDateTime(seconds: Int64(d) * 86400 + Int64(min(t, 86399)))) }
        }
        if rule.bySetPos.isEmpty {
            buffer = all
        } else {
            var picked = Set<Int>()
            for pos in rule.bySetPos {
                let index = pos > 0 ? pos - 1 : all.count + pos
                if index >= 0 && index < all.count { picked.insert(index) }
            }
            buffer = picked.sorted().map { all[$0] }
        }
    }

    private func dayMatches(_ d: Int) -> Bool {
        let (y, m, dom) = civilFromDays(d)
        if !byMonth.isEmpty && !byMonth.contains(m) { return false }
        if !byWeekNo.isEmpty {
            // Week numbers of the period's week-year (weeks may start in the year before).
            let w1 = Self.weekOneStart(periodYear, rule.weekStart)
            let total = (Self.weekOneStart(periodYear + 1, rule.weekStart) - w1) / 7
            let n = (d - w1) / 7 + 1
            if !(byWeekNo.contains(n) || byWeekNo.contains(n - total - 1)) { return false }
        }
        if !byYearDay.isEmpty {
            let doy = d - daysFromCivil(y, 1, 1) + 1
            let diy = isLeapYear(y) ? 366 : 365
            if !(byYearDay.contains(doy) || byYearDay.contains(doy - diy - 1)) { return false }
        }
        if !byMonthDay.isEmpty {
            let dim = daysInMonth(y, m)
            if !(byMonthDay.contains(dom) || byMonthDay.contains(dom - dim - 1)) { return false }
        }
        if !byDayPlain.isEmpty || !byDayOrdinal.isEmpty {
            let wd = weekdayOf(days: d)
            if byDayPlain.contains(wd) { return true }
            guard !byDayOrdinal.isEmpty else { return false }
            // Ordinals count within the month (MONTHLY, or YEARLY with BYMONTH) or within the year.
            let inMonth = rule.frequency == .monthly || !rule.byMonth.isEmpty
            let index: Int, total: Int
            if inMonth {
                index = (dom - 1) / 7 + 1
                total = (daysInMonth(y, m) - dom) / 7 + index
            } else {
                let doy = d - daysFromCivil(y, 1, 1) + 1
                let diy = isLeapYear(y) ? 366 : 365
                index = (doy - 1) / 7 + 1
                total = (diy - doy) / 7 + index
            }
            for entry in byDayOrdinal where entry.weekday == wd {
                if entry.ordinal == index || entry.ordinal == index - total - 1 { return true }
            }
            return false
        }
        return true
    }

    /// First day of week 1 of `year`: the week (starting on `weekStart`) holding at least four days of the year.
    static func weekOneStart(_ year: Int, _ weekStart: Int) -> Int {
        let jan1 = daysFromCivil(year, 1, 1)
        let offset = (weekdayOf(days: jan1) - weekStart + 7) % 7
        return offset <= 3 ? jan1 - offset : jan1 - offset + 7
    }

    private mutating func advance() {
        let n = rule.interval
        switch rule.frequency {
        case .yearly: periodYear += n
        case .monthly:
            let index = periodYear * 12 + (periodMonth - 1) + n
            periodYear = index / 12
            periodMonth = index % 12 + 1
        case .weekly:
            periodDay += 7 * n
            periodYear = civilFromDays(periodDay).year
        case .daily:
            periodDay += n
            periodYear = civilFromDays(periodDay).year
        case .hourly, .minutely, .secondly:
            let step = Int64(n * (rule.frequency == .hourly ? 3600 : rule.frequency == .minutely ? 60 : 1))
            let current = Int64(periodDay) * 86400 + Int64(periodSecond)
            var steps: Int64 = 1
            if let skipTo, skipTo > current + step {
                steps = (skipTo - current + step - 1) / step  // jump over a day or hour that cannot match
            }
            let total = current + steps * step
            periodDay = Int(total / 86400)
            periodSecond = Int(total % 86400)
            periodYear = civilFromDays(periodDay).year
        }
    }
}
