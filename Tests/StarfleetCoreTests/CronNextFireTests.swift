import FoundationEssentials
import Testing

@testable import StarfleetCore

@Suite struct CronNextFireTests {
    /// (expression, instant, first fire strictly after it). Weekdays worked out by hand from known anchors:
    /// 2026-01-01 is a Thursday, 2026-03-01 a Sunday, 2026-08-01 a Saturday, 2030-12-31 a Tuesday.
    @Test(arguments: [
        // Every day at noon: on the boundary (strictly after) and just before it.
        ("cron(0 12 * * ? *)", "2026-03-10T12:00:00Z", "2026-03-11T12:00:00Z"),
        ("cron(0 12 * * ? *)", "2026-03-10T11:59:59Z", "2026-03-10T12:00:00Z"),
        // Last Friday of the month at 10:15, 2026-2030 only.
        ("cron(15 10 ? * 6L 2026-2030)", "2026-01-01T00:00:00Z", "2026-01-30T10:15:00Z"),
        ("cron(15 10 ? * 6L 2026-2030)", "2026-01-30T10:15:00Z", "2026-02-27T10:15:00Z"),
        ("cron(15 10 ? * FRIL 2026-2030)", "2030-12-01T00:00:00Z", "2030-12-27T10:15:00Z"),
        ("cron(15 10 ? * 6L 2026-2030)", "2030-12-27T10:15:00Z", "nil"),
        ("cron(15 10 ? * 6L 2026-2030)", "2020-06-01T00:00:00Z", "2026-01-30T10:15:00Z"),
        // Every 15 minutes, across a year boundary.
        ("cron(0/15 * * * ? *)", "2026-03-10T10:15:00Z", "2026-03-10T10:30:00Z"),
        ("cron(0/15 * * * ? *)", "2026-03-10T10:44:59.900Z", "2026-03-10T10:45:00Z"),
        ("cron(0/15 * * * ? *)", "2026-12-31T23:50:00Z", "2027-01-01T00:00:00Z"),
        // 08:00 on the 1st of every month.
        ("cron(0 8 1 * ? *)", "2026-01-01T08:00:00Z", "2026-02-01T08:00:00Z"),
        ("cron(0 8 1 * ? *)", "2026-12-15T00:00:00Z", "2027-01-01T08:00:00Z"),
        // 09:00 Monday-Friday: Friday 13 March 2026 → Monday 16th.
        ("cron(0 9 ? * MON-FRI *)", "2026-03-13T09:00:00Z", "2026-03-16T09:00:00Z"),
        ("cron(0 9 ? * MON-FRI *)", "2026-03-14T10:00:00Z", "2026-03-16T09:00:00Z"),
        ("cron(0 9 ? * MON-FRI *)", "2026-03-16T08:59:00Z", "2026-03-16T09:00:00Z"),
        // Last day of the month: leap and non-leap February, and 2100 (not a leap year).
        ("cron(0 0 L * ? *)", "2028-02-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("cron(0 0 L * ? *)", "2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"),
        ("cron(0 0 L * ? *)", "2028-02-29T00:00:00Z", "2028-03-31T00:00:00Z"),
        ("cron(0 0 L * ? *)", "2100-02-01T00:00:00Z", "2100-02-28T00:00:00Z"),
        // 29 February: only leap years, and 2100 is skipped.
        ("cron(0 0 29 2 ? *)", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("cron(0 0 29 2 ? *)", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"),
        ("cron(0 0 29 2 ? *)", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z"),
        // Second Tuesday; fifth Tuesday skips months that have only four.
        ("cron(0 0 ? * 3#2 *)", "2026-03-01T00:00:00Z", "2026-03-10T00:00:00Z"),
        ("cron(0 0 ? * 3#2 *)", "2026-03-10T00:00:00Z", "2026-04-14T00:00:00Z"),
        ("cron(0 0 ? * TUE#5 *)", "2026-03-31T00:00:00Z", "2026-06-30T00:00:00Z"),
        // Nearest weekday: 15th on a Sunday → Monday 16th; on a Saturday → Friday 14th; on a Wednesday → itself.
        ("cron(0 0 15W * ? *)", "2026-03-01T00:00:00Z", "2026-03-16T00:00:00Z"),
        ("cron(0 0 15W * ? *)", "2026-08-01T00:00:00Z", "2026-08-14T00:00:00Z"),
        ("cron(0 0 15W * ? *)", "2026-04-01T00:00:00Z", "2026-04-15T00:00:00Z"),
        // 1W on Saturday the 1st → Monday the 3rd (never back into July); 31W on Sunday → Friday 29th.
        ("cron(0 0 1W * ? *)", "2026-07-31T00:00:00Z", "2026-08-03T00:00:00Z"),
        ("cron(0 0 31W * ? *)", "2026-04-01T00:00:00Z", "2026-05-29T00:00:00Z"),
        // Last weekday: May 2026 ends on a Sunday, February 2026 on a Saturday.
        ("cron(0 0 LW * ? *)", "2026-05-01T00:00:00Z", "2026-05-29T00:00:00Z"),
        ("cron(0 0 LW * ? *)", "2026-02-01T00:00:00Z", "2026-02-27T00:00:00Z"),
        // L alone in Day-of-week is Saturday.
        ("cron(0 0 ? * L *)", "2026-03-01T00:00:00Z", "2026-03-07T00:00:00Z"),
        // Year rollover.
        ("cron(* * * * ? *)", "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z"),
        ("cron(0 0 1 1 ? *)", "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z"),
        ("cron(59 23 31 12 ? *)", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"),
        // Wrapping ranges: Friday 22:00 → Saturday; Monday 02:00 → Friday 22:00.
        ("cron(0 22-2 ? * FRI-MON *)", "2026-03-13T21:00:00Z", "2026-03-13T22:00:00Z"),
        ("cron(0 22-2 ? * FRI-MON *)", "2026-03-16T02:00:00Z", "2026-03-16T22:00:00Z"),
        // Nothing left: a past Year list, a day that never exists, the end of the Year range; before 1970.
        ("cron(0 0 1 1 ? 2020-2025)", "2026-01-01T00:00:00Z", "nil"),
        ("cron(0 0 30 2 ? *)", "2026-01-01T00:00:00Z", "nil"),
        ("cron(0 0 * * ? *)", "2199-12-31T00:00:00Z", "nil"),
        ("cron(0 0 1 1 ? *)", "1960-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
    ])
    func nextFire(expression: String, after instant: String, expected: String) throws {
        let schedule = try Schedule(parsing: expression)
        #expect(iso(schedule.nextFire(after: try utc(instant))) == expected)
    }

    /// (expression, instant, last fire at or before it)
    @Test(arguments: [
        ("cron(0 12 * * ? *)", "2026-03-10T12:00:00Z", "2026-03-10T12:00:00Z"),
        ("cron(0 12 * * ? *)", "2026-03-10T11:59:59Z", "2026-03-09T12:00:00Z"),
        ("cron(0 0 L * ? *)", "2028-03-15T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("cron(0 0 L * ? *)", "2027-03-15T00:00:00Z", "2027-02-28T00:00:00Z"),
        ("cron(0 0 29 2 ? *)", "2031-06-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("cron(0 0 29 2 ? *)", "2104-01-01T00:00:00Z", "2096-02-29T00:00:00Z"),
        ("cron(15 10 ? * 6L 2026-2030)", "2040-01-01T00:00:00Z", "2030-12-27T10:15:00Z"),
        ("cron(15 10 ? * 6L 2026-2030)", "2026-01-30T10:14:59Z", "nil"),
        ("cron(0 9 ? * MON-FRI *)", "2026-03-15T12:00:00Z", "2026-03-13T09:00:00Z"),
        ("cron(0/15 * * * ? *)", "2027-01-01T00:14:59Z", "2027-01-01T00:00:00Z"),
        ("cron(0/15 * * * ? *)", "2026-12-31T23:59:00Z", "2026-12-31T23:45:00Z"),
        ("cron(0 0 1 1 ? *)", "2027-01-01T00:00:30Z", "2027-01-01T00:00:00Z"),
        ("cron(0 0 1 1 ? *)", "2026-12-31T23:59:59Z", "2026-01-01T00:00:00Z"),
        ("cron(0 0 ? * 3#2 *)", "2026-04-13T00:00:00Z", "2026-03-10T00:00:00Z"),
        ("cron(0 0 15W * ? *)", "2026-08-14T23:00:00Z", "2026-08-14T00:00:00Z"),
        ("cron(0 8 1 * ? *)", "2026-03-01T07:59:00Z", "2026-02-01T08:00:00Z"),
        ("cron(0 0 1 1 ? *)", "1969-06-01T00:00:00Z", "nil"),
        ("cron(0 0 * * ? *)", "2300-01-01T00:00:00Z", "2199-12-31T00:00:00Z"),
        ("cron(0 0 30 2 ? *)", "2100-01-01T00:00:00Z", "nil"),
    ])
    func previousFire(expression: String, atOrBefore instant: String, expected: String) throws {
        let schedule = try Schedule(parsing: expression)
        #expect(iso(schedule.previousFire(atOrBefore: try utc(instant))) == expected)
    }

    @Test func matchesOnlyExactFireTimes() throws {
        let cron = try CronExpression(parsing: "cron(0 9 ? * MON-FRI *)")
        #expect(cron.matches(try utc("2026-03-13T09:00:00Z")))
        #expect(!cron.matches(try utc("2026-03-13T09:00:01Z")))
        #expect(!cron.matches(try utc("2026-03-14T09:00:00Z")))
    }

    /// A never-firing expression answers nil over the whole 1970-2199 range (the search steps months, not minutes).
    @Test func impossibleExpressionsAnswerNil() throws {
        let cron = try CronExpression(parsing: "cron(0 0 31 2,4,6,9,11 ? *)")
        let (from, to) = (try utc("1970-01-01T00:00:00Z"), try utc("2199-12-31T23:59:00Z"))
        #expect(cron.nextFire(after: from) == nil)
        #expect(cron.previousFire(atOrBefore: to) == nil)
    }
}
