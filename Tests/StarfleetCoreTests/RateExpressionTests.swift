import FoundationEssentials
import Testing

@testable import StarfleetCore

@Suite struct RateExpressionTests {
    @Test(arguments: [
        ("rate(1 minute)", 1, RateExpression.Unit.minute, 60),
        ("rate(5 minutes)", 5, .minute, 300),
        ("rate(1 hour)", 1, .hour, 3600),
        ("rate(12 hours)", 12, .hour, 43200),
        ("rate(1 day)", 1, .day, 86400),
        ("rate(7 days)", 7, .day, 604_800),
    ])
    func parsesValidRates(text: String, value: Int, unit: RateExpression.Unit, seconds: Int) throws {
        let rate = try RateExpression(parsing: text)
        #expect(rate.value == value)
        #expect(rate.unit == unit)
        #expect(rate.seconds == seconds)
        #expect(rate.description == text)
        #expect(try Schedule(parsing: text) == .rate(rate))
    }

    /// EventBridge is strict and so is starfleetd: no stray spaces, exact singular/plural, lowercase units.
    @Test(arguments: [
        ("rate(1 hours)", "rate(1 hours): use the singular unit \"hour\" when the value is 1", "write rate(1 hour)"),
        ("rate(5 hour)", "rate(5 hour): use the plural unit \"hours\" when the value is not 1", "write rate(5 hours)"),
        ("rate(1 days)", "use the singular unit \"day\"", "write rate(1 day)"),
        ("rate(0 minutes)", "the value must be a positive integer, not 0", ""),
        ("rate(-1 minutes)", "the value \"-1\" must be a positive integer", ""),
        ("rate(+5 minutes)", "the value \"+5\" must be a positive integer", ""),
        ("rate(1.5 hours)", "the value \"1.5\" must be a positive integer", ""),
        ("rate(05 minutes)", "write the value without leading zeros", "write rate(5 minutes)"),
        ("rate( 5 minutes)", "no spaces are allowed after \"(\" or before \")\"", "write rate(5 minutes)"),
        ("rate(5 minutes )", "no spaces are allowed after \"(\" or before \")\"", "write rate(5 minutes)"),
        ("rate(5  minutes)", "separate the value and the unit with a single space", ""),
        ("rate(5minutes)", "needs a value and a unit separated by one space", ""),
        ("rate(5)", "needs a value and a unit separated by one space", ""),
        ("rate()", "needs a value and a unit", ""),
        ("rate(5 Minutes)", "the unit \"Minutes\" must be lowercase", "write rate(5 minutes)"),
        ("rate(2 weeks)", "the unit \"weeks\" is not one of minute, minutes, hour, hours, day, days", ""),
        ("rate(30 seconds)", "the unit \"seconds\" is not one of", ""),
        ("rate(99999999999999999999 days)", "is too large", ""),
        ("rate(999999999999999999 days)", "the value is too large", ""),
        ("rate(5 minutes", "a rate expression is written rate(value unit)", ""),
    ])
    func rejectsInvalidRates(text: String, message: String, hint: String) {
        #expect(throws: ScheduleError.self) { try Schedule(parsing: text) }
        do {
            _ = try Schedule(parsing: text)
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            if !hint.isEmpty { #expect(error.hint == hint, "\(error.hint ?? "nil")") }
        }
    }

    @Test func buildingFromPartsChecksTheValue() throws {
        #expect(try RateExpression(value: 3, unit: .hour).description == "rate(3 hours)")
        #expect(throws: ScheduleError.self) { try RateExpression(value: 0, unit: .minute) }
        #expect(throws: ScheduleError.self) { try RateExpression(value: Int.max, unit: .day) }
    }

    /// rate(1 hour) == HOURLY and rate(1 day) == DAILY, fire for fire, because rates align to the epoch.
    @Test(arguments: [
        ("rate(1 hour)", TimedFrequency.hourly), ("rate(1 day)", .daily), ("rate(5 minutes)", .fiveMin),
        ("rate(6 hours)", .sixHourly), ("rate(12 hours)", .twelveHourly),
    ])
    func equalRatesFireWithTheirNamedFrequency(text: String, frequency: TimedFrequency) throws {
        let rate = try Schedule(parsing: text)
        let named = Schedule.named(frequency)
        var t = try utc("2027-12-30T17:23:11Z")
        for _ in 0..<200 {
            let next = rate.nextFire(after: t)
            #expect(next == named.nextFire(after: t))
            #expect(rate.previousFire(atOrBefore: t) == named.previousFire(atOrBefore: t))
            guard let next else { return }
            t = next
        }
    }

    /// (expression, instant, next, previous): alignment to the Unix epoch in UTC.
    @Test(arguments: [
        ("rate(1 day)", "2028-02-28T23:59:59Z", "2028-02-29T00:00:00Z", "2028-02-28T00:00:00Z"),
        ("rate(1 day)", "2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("rate(7 minutes)", "1970-01-01T00:00:00Z", "1970-01-01T00:07:00Z", "1970-01-01T00:00:00Z"),
        ("rate(7 days)", "2026-01-01T00:00:00Z", "2026-01-08T00:00:00Z", "2026-01-01T00:00:00Z"),  // Thursdays
        ("rate(2 hours)", "2026-05-05T03:00:00Z", "2026-05-05T04:00:00Z", "2026-05-05T02:00:00Z"),
        ("rate(1 minute)", "1969-12-31T23:59:30Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:00Z"),
    ])
    func alignsToTheEpoch(text: String, at instant: String, next: String, previous: String) throws {
        let schedule = try Schedule(parsing: text)
        let date = try utc(instant)
        #expect(iso(schedule.nextFire(after: date)) == next)
        #expect(iso(schedule.previousFire(atOrBefore: date)) == previous)
    }
}
