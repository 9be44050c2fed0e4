import Testing

@testable import StarfleetCore

@Suite struct ScheduleCivilDateTests {
    @Test(arguments: [
        (1970, 1, 1, 0, 5),  // Thursday
        (2000, 3, 1, 11017, 4),  // Wednesday, just after a 400-year leap day
        (2028, 2, 29, 21243, 3),  // Tuesday
        (2100, 3, 1, 47541, 2),  // Monday; 2100 has no Feb 29
        (1969, 12, 31, -1, 4),  // Wednesday, before the epoch
        (2199, 12, 31, 84005, 3),  // Tuesday, the last cron day
    ])
    func knownDays(year: Int, month: Int, day: Int, days: Int, weekday: Int) {
        let date = CivilDate(year: year, month: month, day: day)
        #expect(date.daysSinceEpoch == days)
        #expect(CivilDate(daysSinceEpoch: days) == date)
        #expect(date.weekday == weekday)
    }

    @Test(arguments: [(2024, true), (2026, false), (2028, true), (2000, true), (2100, false), (1900, false), (2400, true)])
    func leapYears(year: Int, leap: Bool) {
        #expect(CivilDate.isLeapYear(year) == leap)
        #expect(CivilDate.daysInMonth(year: year, month: 2) == (leap ? 29 : 28))
    }

    /// Walks every day from 1900 to 2400 by incrementing a (year, month, day) counter by hand, so the
    /// closed-form conversions are checked against simple counting, in both directions.
    @Test func everyDayRoundTripsAgainstCounting() {
        var (y, m, d) = (1900, 1, 1)
        var days = CivilDate(year: 1900, month: 1, day: 1).daysSinceEpoch
        var weekday = CivilDate.weekday(daysSinceEpoch: days)
        var mismatches = 0
        while y < 2400 {
            let date = CivilDate(year: y, month: m, day: d)
            if date.daysSinceEpoch != days || CivilDate(daysSinceEpoch: days) != date
                || CivilDate.weekday(daysSinceEpoch: days) != weekday
            {
                mismatches += 1
            }
            days += 1
            weekday = weekday % 7 + 1
            d += 1
            if d > CivilDate.daysInMonth(year: y, month: m) { (m, d) = (m + 1, 1) }
            if m > 12 { (y, m) = (y + 1, 1) }
        }
        #expect(mismatches == 0)
        #expect(days == CivilDate(year: 2400, month: 1, day: 1).daysSinceEpoch)
    }

    @Test func floorDivisionRoundsDown() {
        #expect(floorDiv(7, 60) == 0)
        #expect(floorDiv(-1, 60) == -1)
        #expect(floorDiv(-60, 60) == -1)
        #expect(floorDiv(-61, 60) == -2)
        #expect(floorMod(-1, 7) == 6)
    }
}
