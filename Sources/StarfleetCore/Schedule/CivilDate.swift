import FoundationEssentials

/// A UTC calendar date on the proleptic Gregorian calendar, converted to and from days since 1970-01-01.
///
/// Hand-written (Howard Hinnant's `days_from_civil` / `civil_from_days`) rather than Foundation's `Calendar`:
/// it is exact for every Int day, allocation-free and needs no time-zone database. EventBridge rules are UTC
/// only, so UTC is all we need.
struct CivilDate: Hashable, Sendable, CustomStringConvertible {
    var year: Int
    /// 1...12
    var month: Int
    /// 1...31
    var day: Int

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The civil date of a day number (0 = 1970-01-01).
    init(daysSinceEpoch days: Int) {
        let z = days + 719_468  // shift the epoch to 0000-03-01 so leap days fall at the end of a year
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097  // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365  // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)  // [0, 365], March-based
        let mp = (5 * doy + 2) / 153  // [0, 11], March = 0
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01 (negative before it).
    var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// EventBridge numbering: 1 = Sunday … 7 = Saturday.
    var weekday: Int { Self.weekday(daysSinceEpoch: daysSinceEpoch) }

    var daysInMonth: Int { Self.daysInMonth(year: year, month: month) }

    var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// EventBridge numbering: 1 = Sunday … 7 = Saturday. 1970-01-01 was a Thursday (5).
    static func weekday(daysSinceEpoch days: Int) -> Int {
        floorMod(days + 4, 7) + 1
    }
}

// MARK: - Epoch arithmetic shared by every schedule kind

/// Division rounding toward negative infinity (Swift's `/` truncates toward zero). `divisor` must be > 0.
func floorDiv(_ value: Int, _ divisor: Int) -> Int {
    let q = value / divisor
    return (value % divisor != 0 && value < 0) ? q - 1 : q
}

/// The non-negative remainder matching ``floorDiv(_:_:)``. `divisor` must be > 0.
func floorMod(_ value: Int, _ divisor: Int) -> Int {
    let r = value % divisor
    return r < 0 ? r + divisor : r
}

/// Whole seconds since the epoch, rounded down, or nil for NaN, infinities and dates so far out
/// (beyond ±2^52 s, about 140 million years) that integer arithmetic on them could overflow.
func epochSecondsFloor(_ date: Date) -> Int? {
    let t = date.timeIntervalSince1970
    guard t.isFinite, abs(t) < 4.5e15 else { return nil }
    return Int(t.rounded(.down))
}

/// The `Date` of a whole number of epoch seconds.
func dateFromEpochSeconds(_ seconds: Int) -> Date {
    Date(timeIntervalSince1970: Double(seconds))
}

/// The first multiple of `period` seconds strictly after `date`, or nil if out of range.
/// This is what aligns rates and named frequencies to UTC boundaries.
func nextMultiple(of period: Int, after date: Date) -> Date? {
    guard period > 0, let s = epochSecondsFloor(date) else { return nil }
    // A multiple F is > date (real) exactly when F > floor(date), i.e. F >= floor(date) + 1.
    let (k, o1) = floorDiv(s, period).addingReportingOverflow(1)
    let (t, o2) = k.multipliedReportingOverflow(by: period)
    guard !o1, !o2 else { return nil }
    return dateFromEpochSeconds(t)
}

/// The last multiple of `period` seconds at or before `date`, or nil if out of range.
func previousMultiple(of period: Int, atOrBefore date: Date) -> Date? {
    guard period > 0, let s = epochSecondsFloor(date) else { return nil }
    let (t, overflow) = floorDiv(s, period).multipliedReportingOverflow(by: period)
    guard !overflow else { return nil }
    return dateFromEpochSeconds(t)
}
