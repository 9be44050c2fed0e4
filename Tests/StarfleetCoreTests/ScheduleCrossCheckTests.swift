import FoundationEssentials
import Testing

@testable import StarfleetCore

/// Compares the field-wise search against a naive minute-by-minute scan over 60-day windows. The naive matcher
/// below restates each day rule from its definition (not from the search's arithmetic), so the two only agree
/// if both are right.
@Suite struct ScheduleCrossCheckTests {
    static let expressions = [
        "cron(0 12 * * ? *)", "cron(15 10 ? * 6L 2026-2030)", "cron(0/15 * * * ? *)", "cron(0 8 1 * ? *)",
        "cron(0 9 ? * MON-FRI *)", "cron(0 0 L * ? *)", "cron(30 23 LW * ? *)", "cron(0 0 29 2 ? *)",
        "cron(0 0 ? * 3#2 *)", "cron(5 6 ? * 2#5 *)", "cron(0 0 1W * ? *)", "cron(0 0 15W * ? *)",
        "cron(0 0 31W * ? *)", "cron(*/7 22-2 ? * FRI-MON *)", "cron(59 23 31 12 ? *)",
        "cron(10-20/3 */5 1-7 JAN,FEB,DEC ? 2027,2028)", "cron(0 0 ? * L *)", "cron(0 0 1 1 ? 1970,2199)",
    ]

    /// Window starts: a year boundary, a leap February, 2100's non-leap February (with fractional seconds),
    /// the end of a Year range, and both ends of EventBridge's 1970-2199 range.
    static let starts = [
        "2026-12-20T23:59:59Z", "2028-02-01T00:00:00Z", "2100-02-10T12:34:56.789Z", "2030-11-15T10:15:00Z",
        "1970-01-01T00:00:00Z", "2198-12-15T00:00:00Z", "2199-11-30T00:00:00Z",
    ]
    static let windowMinutes = 60 * 24 * 60

    @Test(arguments: expressions)
    func nextAndPreviousMatchAMinuteByMinuteScan(expression: String) throws {
        let cron = try CronExpression(parsing: expression)
        var compared = 0
        for start in try Self.starts.map(utc) {
            let end = start.addingTimeInterval(Double(Self.windowMinutes * 60))
            let expected = naiveFires(cron, after: start, before: end)
            compared += expected.count

            var forward: [Date] = []
            var t = start
            while let next = cron.nextFire(after: t), next < end {
                forward.append(next)
                t = next
            }
            #expect(forward == expected, "\(expression) forward from \(iso(start))")

            var backward: [Date] = []
            var u = end.addingTimeInterval(-0.5)
            while let previous = cron.previousFire(atOrBefore: u), previous > start {
                backward.append(previous)
                u = previous.addingTimeInterval(-1)
            }
            #expect(backward.reversed() == expected, "\(expression) backward from \(iso(end))")
        }
        #expect(compared > 0, "no window contains a fire of \(expression); the check would be vacuous")
    }

    /// Rates and named frequencies against the definition `t mod period == 0`, walked minute by minute.
    @Test(arguments: ["HOURLY", "FIVE_MIN", "SIX_HOURLY", "DAILY", "rate(7 minutes)", "rate(3 days)", "rate(1 minute)"])
    func periodicSchedulesMatchAScan(text: String) throws {
        let schedule = try Schedule(parsing: text)
        let period: Int =
            switch schedule {
            case .named(let f): f.period
            case .rate(let r): r.seconds
            case .cron: 0
            }
        let start = try utc("2027-12-25T07:08:09Z")
        let first = Int(start.timeIntervalSince1970)
        var t = start
        for second in stride(from: first - first % 60 + 60, to: first + 10 * 86400, by: 60) where second % period == 0 {
            let next = schedule.nextFire(after: t)
            #expect(next == Date(timeIntervalSince1970: Double(second)))
            #expect(
                schedule.previousFire(atOrBefore: Date(timeIntervalSince1970: Double(second) + 59.5))
                    == Date(timeIntervalSince1970: Double(second)))
            t = Date(timeIntervalSince1970: Double(second))
        }
    }

    /// Every whole minute M with start < M < end that the expression selects, checked one minute at a time.
    private func naiveFires(_ cron: CronExpression, after start: Date, before end: Date) -> [Date] {
        var fires: [Date] = []
        let firstMinute = Int((start.timeIntervalSince1970 / 60).rounded(.down)) + 1
        let lastMinute = Int((end.timeIntervalSince1970 / 60).rounded(.up)) - 1
        var dayCache: (day: Int, matches: Bool) = (Int.min, false)
        for minute in firstMinute...lastMinute {
            let day = floorDiv(minute, 1440)
            if dayCache.day != day { dayCache = (day, naiveDayMatches(cron, daysSinceEpoch: day)) }
            guard dayCache.matches else { continue }
            let inDay = floorMod(minute, 1440)
            if cron.hours.contains(inDay / 60), cron.minutes.contains(inDay % 60) {
                fires.append(Date(timeIntervalSince1970: Double(minute * 60)))
            }
        }
        return fires
    }

    private func naiveDayMatches(_ cron: CronExpression, daysSinceEpoch: Int) -> Bool {
        let date = CivilDate(daysSinceEpoch: daysSinceEpoch)
        guard cron.years.contains(date.year), cron.months.contains(date.month) else { return false }
        let (d, length, weekday) = (date.day, date.daysInMonth, date.weekday)
        func weekdayOf(_ day: Int) -> Int { CivilDate.weekday(daysSinceEpoch: daysSinceEpoch + day - d) }
        func isMonToFri(_ day: Int) -> Bool { (2...6).contains(weekdayOf(day)) }
        switch cron.days {
        case .monthDays(let set): return set.contains(d)
        case .lastDayOfMonth: return d == length
        case .lastWeekdayOfMonth:
            return isMonToFri(d) && !(d + 1..<length + 1).contains(where: isMonToFri)
        case .nearestWeekday(let target):
            // The Monday-Friday day of this month closest to the target day.
            guard target <= length, isMonToFri(d) else { return false }
            return !(1...length).contains { isMonToFri($0) && abs($0 - target) < abs(d - target) }
        case .weekdays(let set): return set.contains(weekday)
        case .lastWeekdayInMonth(let wanted): return weekday == wanted && d + 7 > length
        case .nthWeekdayInMonth(let wanted, let nth): return weekday == wanted && (d - 1) / 7 + 1 == nth
        }
    }
}
