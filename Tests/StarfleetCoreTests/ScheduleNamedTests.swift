import FoundationEssentials
import Testing

@testable import StarfleetCore

@Suite struct ScheduleNamedTests {
    @Test func namesAreStarfleetsExactSpellings() {
        #expect(
            TimedFrequency.allCases.map(\.rawValue)
                == ["FIVE_MIN", "FIFTEEN_MIN", "THIRTY_MIN", "HOURLY", "SIX_HOURLY", "TWELVE_HOURLY", "DAILY"])
        #expect(TimedFrequency.allCases.map(\.period) == [300, 900, 1800, 3600, 21600, 43200, 86400])
        #expect(
            TimedFrequency.allCases.map(\.rate.description)
                == [
                    "rate(5 minutes)", "rate(15 minutes)", "rate(30 minutes)", "rate(1 hour)", "rate(6 hours)",
                    "rate(12 hours)", "rate(1 day)",
                ])
    }

    @Test(arguments: TimedFrequency.allCases)
    func parsesAndPrintsEachName(frequency: TimedFrequency) throws {
        let schedule = try Schedule(parsing: frequency.rawValue)
        #expect(schedule == .named(frequency))
        #expect(schedule.description == frequency.rawValue)
    }

    /// (name, instant, next fire strictly after, previous fire at or before)
    @Test(arguments: [
        ("FIVE_MIN", "2026-03-10T10:05:00Z", "2026-03-10T10:10:00Z", "2026-03-10T10:05:00Z"),
        ("FIVE_MIN", "2026-03-10T10:07:30Z", "2026-03-10T10:10:00Z", "2026-03-10T10:05:00Z"),
        ("FIVE_MIN", "2026-03-10T10:04:59.500Z", "2026-03-10T10:05:00Z", "2026-03-10T10:00:00Z"),
        ("FIFTEEN_MIN", "2026-03-10T10:15:00Z", "2026-03-10T10:30:00Z", "2026-03-10T10:15:00Z"),
        ("FIFTEEN_MIN", "2026-03-10T10:44:59Z", "2026-03-10T10:45:00Z", "2026-03-10T10:30:00Z"),
        ("THIRTY_MIN", "2026-03-10T10:30:00Z", "2026-03-10T11:00:00Z", "2026-03-10T10:30:00Z"),
        ("THIRTY_MIN", "2026-03-10T10:29:00Z", "2026-03-10T10:30:00Z", "2026-03-10T10:00:00Z"),
        ("HOURLY", "2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z", "2026-03-10T10:00:00Z"),
        ("HOURLY", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z", "2026-12-31T23:00:00Z"),
        ("SIX_HOURLY", "2026-03-10T06:00:00Z", "2026-03-10T12:00:00Z", "2026-03-10T06:00:00Z"),
        ("SIX_HOURLY", "2026-03-10T19:00:00Z", "2026-03-11T00:00:00Z", "2026-03-10T18:00:00Z"),
        ("TWELVE_HOURLY", "2026-03-10T12:00:00Z", "2026-03-11T00:00:00Z", "2026-03-10T12:00:00Z"),
        ("TWELVE_HOURLY", "2026-03-10T11:59:00Z", "2026-03-10T12:00:00Z", "2026-03-10T00:00:00Z"),
        ("DAILY", "2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z", "2028-02-28T00:00:00Z"),
        ("DAILY", "2028-02-29T13:00:00Z", "2028-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
    ])
    func fireTimes(name: String, at instant: String, next: String, previous: String) throws {
        let schedule = try Schedule(parsing: name)
        let date = try utc(instant)
        #expect(iso(schedule.nextFire(after: date)) == next)
        #expect(iso(schedule.previousFire(atOrBefore: date)) == previous)
    }

    @Test func nonFiniteDatesHaveNoFireTime() {
        let schedule = Schedule.named(.hourly)
        #expect(schedule.nextFire(after: Date(timeIntervalSince1970: .infinity)) == nil)
        #expect(schedule.previousFire(atOrBefore: Date(timeIntervalSince1970: .nan)) == nil)
    }

    /// (text, message substring, hint substring or "" for no hint check)
    @Test(arguments: [
        ("hourly", "\"hourly\" is not a timed frequency (names are case-sensitive)", "did you mean HOURLY?"),
        ("FIVE_MINUTES", "\"FIVE_MINUTES\" is not a timed frequency", "did you mean FIVE_MIN?"),
        ("SIX_HOURLEY", "is not a timed frequency", "did you mean SIX_HOURLY?"),
        ("twelve-hourly", "is not a timed frequency", "did you mean TWELVE_HOURLY?"),
        ("WEEKLY", "\"WEEKLY\" is not a timed frequency", "expected one of FIVE_MIN, FIFTEEN_MIN"),
        ("", "the schedule is empty", "expected one of"),
        (" HOURLY", "remove the leading or trailing whitespace", "write HOURLY"),
        ("5 minutes", "is not a timed frequency", "did you mean rate(5 minutes)?"),
        ("0 9 ? * MON-FRI *", "is not a timed frequency", "did you mean cron(0 9 ? * MON-FRI *)?"),
        ("Rate(5 minutes)", "write \"rate\" in lowercase", "write rate(5 minutes)"),
        ("CRON(0 9 ? * MON-FRI *)", "write \"cron\" in lowercase", "write cron(0 9 ? * MON-FRI *)"),
        ("at(2026-01-01T00:00:00)", "one-time at(...) schedules are not supported", ""),
    ])
    func rejectsWithAHelpfulHint(text: String, message: String, hint: String) {
        #expect(throws: ScheduleError.self) { try Schedule(parsing: text) }
        do {
            _ = try Schedule(parsing: text)
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            if !hint.isEmpty { #expect(error.hint?.contains(hint) == true, "\(error.hint ?? "nil")") }
        }
    }

    @Test func errorRendersLikeADiagnostic() {
        #expect(ScheduleError("x is wrong", hint: "try y").description == "x is wrong (try y)")
        #expect(ScheduleError("x is wrong").description == "x is wrong")
    }
}
