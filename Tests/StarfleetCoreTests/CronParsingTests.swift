import Testing

@testable import StarfleetCore

@Suite struct CronParsingTests {
    /// (text, canonical description)
    @Test(arguments: [
        ("cron(0 12 * * ? *)", "cron(0 12 * * ? *)"),
        ("cron(0 9 ? * mon-fri *)", "cron(0 9 ? * MON-FRI *)"),
        ("cron(15 10 ? * 6L 2026-2030)", "cron(15 10 ? * 6L 2026-2030)"),
        ("cron(0/15 * * * ? *)", "cron(0/15 * * * ? *)"),
        ("cron(0 0 L * ? *)", "cron(0 0 L * ? *)"),
        ("cron(0 0 LW * ? *)", "cron(0 0 LW * ? *)"),
        ("cron(0 0 15W * ? *)", "cron(0 0 15W * ? *)"),
        ("cron(0 0 ? * 3#2 *)", "cron(0 0 ? * 3#2 *)"),
        ("cron(0 0 ? * fri#1 *)", "cron(0 0 ? * FRI#1 *)"),
        ("cron(0 0 ? * friL *)", "cron(0 0 ? * FRIL *)"),
        ("cron(0 0 ? * L *)", "cron(0 0 ? * L *)"),
        ("cron(0 8 1 jan,Jul ? *)", "cron(0 8 1 JAN,JUL ? *)"),
        ("cron(*/10 8-17/2 1,15 * ? 2026/2)", "cron(*/10 8-17/2 1,15 * ? 2026/2)"),
        ("cron(0 22-2 ? * FRI-MON *)", "cron(0 22-2 ? * FRI-MON *)"),
        ("cron(00 09 ? * * 2199)", "cron(00 09 ? * * 2199)"),
    ])
    func parsesValidExpressions(text: String, canonical: String) throws {
        let cron = try CronExpression(parsing: text)
        #expect(cron.description == canonical)
        #expect(try Schedule(parsing: text) == .cron(cron))
        #expect(try CronExpression(parsing: canonical) == cron)
    }

    @Test func fieldSetsHoldTheRightValues() throws {
        let a = try CronExpression(parsing: "cron(1/10 8-17/2 ? JAN-MAR/2 2,4 1970,2199)")
        #expect(a.minutes.values == [1, 11, 21, 31, 41, 51])
        #expect(a.hours.values == [8, 10, 12, 14, 16])
        #expect(a.months.values == [1, 3])
        #expect(a.days == .weekdays(CronValueSet([2, 4])))
        #expect(a.years.values == [1970, 2199])

        let wrapped = try CronExpression(parsing: "cron(50-5/5 22-1 ? * FRI-MON *)")
        #expect(wrapped.minutes.values == [0, 5, 50, 55])
        #expect(wrapped.hours.values == [0, 1, 22, 23])
        #expect(wrapped.days == .weekdays(CronValueSet([1, 2, 6, 7])))

        #expect(try CronExpression(parsing: "cron(0 0 ? * 6L *)").days == .lastWeekdayInMonth(6))
        #expect(try CronExpression(parsing: "cron(0 0 ? * TUE#2 *)").days == .nthWeekdayInMonth(weekday: 3, nth: 2))
        #expect(try CronExpression(parsing: "cron(0 0 3W * ? *)").days == .nearestWeekday(3))
        #expect(try CronExpression(parsing: "cron(0 0 L * ? *)").days == .lastDayOfMonth)
    }

    /// (text, expected message substring): every error names the field and the reason.
    @Test(arguments: [
        ("cron(0 9 * * MON-FRI *)", "exactly one of Day-of-month (\"*\") and Day-of-week (\"MON-FRI\") must be \"?\""),
        ("cron(0 9 * * * *)", "Day-of-month and Day-of-week cannot both be \"*\""),
        ("cron(0 9 1 * MON *)", "exactly one of Day-of-month (\"1\") and Day-of-week (\"MON\") must be \"?\""),
        ("cron(0 9 ? * ? *)", "Day-of-month and Day-of-week are both \"?\""),
        ("cron(0 9 * * ?)", "needs 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), found 5"),
        ("cron(0 0 9 * * ? *)", "found 7"),
        ("cron(0  9 * * ? *)", "separate the fields with single spaces"),
        ("cron( 0 9 * * ? *)", "no spaces are allowed after \"(\" or before \")\""),
        ("cron(60 * * * ? *)", "Minutes field \"60\": 60 is out of range 0-59"),
        ("cron(0 24 * * ? *)", "Hours field \"24\": 24 is out of range 0-23"),
        ("cron(0 0 0 * ? *)", "Day-of-month field \"0\": 0 is out of range 1-31"),
        ("cron(0 0 32 * ? *)", "Day-of-month field \"32\": 32 is out of range 1-31"),
        ("cron(0 0 1 13 ? *)", "Month field \"13\": 13 is out of range 1-12"),
        ("cron(0 0 1 FOO ? *)", "Month field \"FOO\": \"FOO\" is not a number 1-12 or a name JAN-DEC"),
        ("cron(0 0 ? * 0 *)", "Day-of-week field \"0\": 0 is out of range 1-7"),
        ("cron(0 0 ? * 8 *)", "Day-of-week field \"8\": 8 is out of range 1-7"),
        ("cron(0 0 ? * MONDAY *)", "Day-of-week field \"MONDAY\": \"MONDAY\" is not a number 1-7 or a name SUN-SAT"),
        ("cron(0 0 * * ? 1969)", "Year field \"1969\": 1969 is out of range 1970-2199"),
        ("cron(0 0 * * ? 2200)", "Year field \"2200\": 2200 is out of range 1970-2199"),
        ("cron(0 0 * * ? 2030-2026)", "Year field \"2030-2026\": the range 2030-2026 runs backwards"),
        ("cron(0/0 * * * ? *)", "Minutes field \"0/0\": the step in \"0/0\" must be a number from 1 to 60"),
        ("cron(0/x * * * ? *)", "Minutes field \"0/X\": the step in \"0/X\" must be a number from 1 to 60"),
        ("cron(0/+5 * * * ? *)", "Minutes field \"0/+5\": the step in \"0/+5\" must be a number from 1 to 60"),
        ("cron(0 0 ? * 3#+2 *)", "Day-of-week field \"3#+2\": the number after \"#\" must be 1-5"),
        ("cron(+5 * * * ? *)", "Minutes field \"+5\": \"+5\" is not a number"),
        ("cron(1/2/3 * * * ? *)", "Minutes field \"1/2/3\": \"1/2/3\" has more than one \"/\""),
        ("cron(1-2-3 * * * ? *)", "Minutes field \"1-2-3\": \"1-2-3\" is not a range like 1-5"),
        ("cron(1,,2 * * * ? *)", "Minutes field \"1,,2\": a list has an empty element"),
        ("cron(a * * * ? *)", "Minutes field \"A\": \"A\" is not a number"),
        ("cron(? * * * ? *)", "Minutes field \"?\": \"?\" is allowed only in Day-of-month and Day-of-week"),
        ("cron(0 L * * ? *)", "Hours field \"L\": \"L\" is allowed only in Day-of-month and Day-of-week"),
        ("cron(0 0 * 1#2 ? *)", "Month field \"1#2\": \"#\" is allowed only in Day-of-week"),
        ("cron(0 0 L,15 * ? *)", "Day-of-month field \"L,15\": \"L\" must stand alone"),
        ("cron(0 0 1-15W * ? *)", "Day-of-month field \"1-15W\": \"W\" must stand alone"),
        ("cron(0 0 W * ? *)", "Day-of-month field \"W\": \"W\" must follow a single day number"),
        ("cron(0 0 32W * ? *)", "Day-of-month field \"32W\": 32 is out of range 1-31"),
        ("cron(0 0 ? * 6L,2 *)", "Day-of-week field \"6L,2\": \"L\" must stand alone"),
        ("cron(0 0 ? * 8L *)", "Day-of-week field \"8L\": 8 is out of range 1-7"),
        ("cron(0 0 ? * 3#6 *)", "Day-of-week field \"3#6\": the number after \"#\" must be 1-5"),
        ("cron(0 0 ? * 3#2#1 *)", "Day-of-week field \"3#2#1\": use one \"#\""),
        ("cron(0 0 ?,1 * ? *)", "Day-of-month field \"?,1\": \"?\" must stand alone"),
        ("cron()", "needs 6 fields"),
        ("cron(0 9 ? * MON-FRI *", "a cron expression is written cron(Minutes Hours Day-of-month Month Day-of-week Year)"),
    ])
    func rejectsInvalidExpressions(text: String, message: String) {
        #expect(throws: ScheduleError.self) { try Schedule(parsing: text) }
        do {
            _ = try Schedule(parsing: text)
        } catch {
            #expect(error.message.hasPrefix(text + ": "), "\(error.message)")
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    /// (text, hint): the common mistakes come with the corrected expression.
    @Test(arguments: [
        ("cron(0 9 * * MON-FRI *)", "write cron(0 9 ? * MON-FRI *)"),
        ("cron(0 9 * * * *)", "write cron(0 9 * * ? *)"),
        ("cron(0 9 ? * ? *)", "for example cron(0 9 * * ? *) for every day"),
        ("cron(0  9 * * ? *)", "write cron(0 9 * * ? *)"),
        ("cron( 0 9 * * ? *)", "write cron(0 9 * * ? *)"),
        ("cron(0 9 * * ?)", "EventBridge cron has a sixth field, Year: add \" *\" at the end (and Day-of-week is 1-7, 1 = SUN)"),
        ("cron(0 0 9 * * ? *)", "EventBridge cron has no seconds field"),
    ])
    func commonMistakesGetTheFix(text: String, hint: String) {
        do {
            _ = try CronExpression(parsing: text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.hint == hint, "\(error.hint ?? "nil")")
        }
    }
}
