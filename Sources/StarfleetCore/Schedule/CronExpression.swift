package import FoundationEssentials

/// An EventBridge `cron(Minutes Hours Day-of-month Month Day-of-week Year)` expression, always in UTC.
///
/// Syntax is EventBridge's: six fields separated by single spaces (no seconds field); Minutes 0-59, Hours 0-23,
/// Day-of-month 1-31, Month 1-12 or JAN-DEC, Day-of-week 1-7 or SUN-SAT (**1 = Sunday**), Year 1970-2199.
/// Every field takes `,` lists, `-` ranges, `*` and `/` steps (`0/15`, `*/10`, `8-17/2`); a range whose start
/// is after its end wraps around (`FRI-MON`, `22-2`), as in Quartz, except in Year. Day-of-month also takes
/// `?`, `L` (last day), `LW` (last weekday) and `nW` (weekday nearest the nth, never leaving the month);
/// Day-of-week also takes `?`, `nL` (last n-day of the month, e.g. `6L` = last Friday), `L` alone (Saturday) and
/// `n#k` (kth n-day, e.g. `3#2` = second Tuesday). `L`, `W` and `#` forms stand alone, not in lists.
/// Exactly one of the day fields must be `?`. Month and day names are case-insensitive.
///
/// Expressions compare equal when their canonical text (``description``) is equal.
package struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// Which days of a month match: exactly one of the two day fields is in use, so one rule covers both.
    enum DayRule: Sendable, Hashable {
        /// Day-of-month list (`*`, `1,15`, `1-7`, `1/5`); Day-of-week is `?`.
        case monthDays(CronValueSet)
        /// Day-of-month `L`.
        case lastDayOfMonth
        /// Day-of-month `LW`: the last Monday-to-Friday day of the month.
        case lastWeekdayOfMonth
        /// Day-of-month `nW`: the Monday-to-Friday day nearest day n, within the month.
        case nearestWeekday(Int)
        /// Day-of-week list (`*`, `MON-FRI`, `1,7`); Day-of-month is `?`. 1 = Sunday.
        case weekdays(CronValueSet)
        /// Day-of-week `nL`: the last n-day of the month.
        case lastWeekdayInMonth(Int)
        /// Day-of-week `n#k`: the kth n-day of the month (k in 1...5).
        case nthWeekdayInMonth(weekday: Int, nth: Int)
    }

    /// The six fields in canonical form (uppercased), in order.
    package let fields: [String]
    let minutes: CronValueSet
    let hours: CronValueSet
    let days: DayRule
    let months: CronValueSet
    let years: CronValueSet

    /// The canonical text, e.g. `cron(0 9 ? * MON-FRI *)`.
    package var description: String { "cron(\(fields.joined(separator: " ")))" }

    package static func == (lhs: Self, rhs: Self) -> Bool { lhs.fields == rhs.fields }
    package func hash(into hasher: inout Hasher) { hasher.combine(fields) }

    /// The first fire time strictly after `date`, or nil if there is none (e.g. the Year list is past, or the
    /// day fields can never match, like `cron(0 0 30 2 ? *)`).
    package func nextFire(after date: Date) -> Date? {
        guard let seconds = epochSecondsFloor(date) else { return nil }
        // Fires are whole minutes; the first whole minute strictly after `date` is floor(date / 60) + 1.
        return firstFireMinute(atOrAfter: floorDiv(seconds, 60) + 1).map { dateFromEpochSeconds($0 * 60) }
    }

    /// The last fire time at or before `date`, or nil if there is none.
    package func previousFire(atOrBefore date: Date) -> Date? {
        guard let seconds = epochSecondsFloor(date) else { return nil }
        return lastFireMinute(atOrBefore: floorDiv(seconds, 60)).map { dateFromEpochSeconds($0 * 60) }
    }

    /// True when `date` is exactly a fire time (second 0 of a matching minute).
    package func matches(_ date: Date) -> Bool {
        guard let seconds = epochSecondsFloor(date), Double(seconds) == date.timeIntervalSince1970,
            floorMod(seconds, 60) == 0
        else { return false }
        return lastFireMinute(atOrBefore: seconds / 60) == seconds / 60
    }
}

/// The six cron fields with their EventBridge names, bounds and names for values.
enum CronField: Int, CaseIterable, Sendable {
    case minutes, hours, dayOfMonth, month, dayOfWeek, year

    var name: String {
        switch self {
        case .minutes: "Minutes"
        case .hours: "Hours"
        case .dayOfMonth: "Day-of-month"
        case .month: "Month"
        case .dayOfWeek: "Day-of-week"
        case .year: "Year"
        }
    }

    var bounds: ClosedRange<Int> {
        switch self {
        case .minutes: 0...59
        case .hours: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 1...7
        case .year: 1970...2199
        }
    }

    /// Three-letter names, index 0 = bounds.lowerBound (JAN = 1, SUN = 1).
    var valueNames: [String] {
        switch self {
        case .month: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        case .dayOfWeek: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        default: []
        }
    }

    /// Whether a start-after-end range wraps around (Quartz does for every field; a backwards Year is a typo).
    var rangesWrap: Bool { self != .year }
}
