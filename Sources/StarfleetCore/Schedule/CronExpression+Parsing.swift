extension CronExpression {
    /// Parses `cron(Minutes Hours Day-of-month Month Day-of-week Year)` exactly as written in config.
    /// Every error names the field at fault and why.
    package init(parsing text: String) throws(ScheduleError) {
        guard text.hasPrefix("cron("), text.hasSuffix(")"), text.count >= 6 else {
            throw ScheduleError(
                "\(text): a cron expression is written cron(Minutes Hours Day-of-month Month Day-of-week Year)",
                hint: "for example cron(0 9 ? * MON-FRI *)")
        }
        let inner = String(text.dropFirst(5).dropLast())
        let trimmed = inner.trimmingWhitespace()
        if trimmed != inner {
            throw ScheduleError(
                "\(text): no spaces are allowed after \"(\" or before \")\"",
                hint: trimmed.isEmpty ? nil : "write cron(\(trimmed))")
        }
        let parts = inner.isEmpty ? [] : inner.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if parts.contains(where: { $0.isEmpty }) || inner.contains(where: { $0.isWhitespace && $0 != " " }) {
            let words = inner.split(whereSeparator: \.isWhitespace)
            throw ScheduleError(
                "\(text): separate the fields with single spaces",
                hint: words.count == 6 ? "write cron(\(words.joined(separator: " ")))" : nil)
        }
        guard parts.count == 6 else {
            let hint =
                switch parts.count {
                case 5: "EventBridge cron has a sixth field, Year: add \" *\" at the end (and Day-of-week is 1-7, 1 = SUN)"
                case 7: "EventBridge cron has no seconds field"
                default: "for example cron(0 9 ? * MON-FRI *)"
                }
            throw ScheduleError(
                "\(text): needs 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), found \(parts.count)",
                hint: hint)
        }
        let f = parts.map { $0.uppercased() }
        let parser = CronFieldParser(text: text)

        let minutes = try parser.list(f[0], .minutes)
        let hours = try parser.list(f[1], .hours)
        let dayOfMonth = try parser.dayOfMonth(f[2])
        let months = try parser.list(f[3], .month)
        let dayOfWeek = try parser.dayOfWeek(f[4])
        let years = try parser.list(f[5], .year)

        // Exactly one day field is "?": EventBridge cannot AND or OR the two day fields together.
        let days: DayRule
        switch (dayOfMonth, dayOfWeek) {
        case (nil, nil):
            throw ScheduleError(
                "\(text): Day-of-month and Day-of-week are both \"?\"; exactly one of them must be \"?\"",
                hint: "for example cron(\(f[0]) \(f[1]) * \(f[3]) ? \(f[5])) for every day")
        case (.some, .some):
            let message =
                f[2] == "*" && f[4] == "*"
                ? "Day-of-month and Day-of-week cannot both be \"*\"; exactly one of them must be \"?\""
                : "exactly one of Day-of-month (\"\(f[2])\") and Day-of-week (\"\(f[4])\") must be \"?\""
            let hint: String? =
                f[4] == "*"
                ? "write cron(\(f[0]) \(f[1]) \(f[2]) \(f[3]) ? \(f[5]))"
                : f[2] == "*"
                    ? "write cron(\(f[0]) \(f[1]) ? \(f[3]) \(f[4]) \(f[5]))"
                    : "EventBridge cannot combine the two day fields; use one and put \"?\" in the other"
            throw ScheduleError("\(text): \(message)", hint: hint)
        case (let dom?, nil): days = dom
        case (nil, let dow?): days = dow
        }
        self.init(fields: f, minutes: minutes, hours: hours, days: days, months: months, years: years)
    }
}

/// Parses single cron fields (already uppercased) and words errors as `cron(...): <Field> field "<text>": why`.
struct CronFieldParser {
    let text: String

    func error(_ field: CronField, _ token: String, _ reason: String, hint: String? = nil) -> ScheduleError {
        ScheduleError("\(text): \(field.name) field \"\(token)\": \(reason)", hint: hint)
    }

    /// `?` (nil), `L`, `LW`, `nW`, or a list.
    func dayOfMonth(_ token: String) throws(ScheduleError) -> CronExpression.DayRule? {
        switch token {
        case "?": return nil
        case "L": return .lastDayOfMonth
        case "LW": return .lastWeekdayOfMonth
        default: break
        }
        if token.hasSuffix("W"), !token.contains(where: { ",-/*".contains($0) }) {
            let day = String(token.dropLast())
            guard Self.isDigits(day) else {
                throw error(.dayOfMonth, token, "\"W\" must follow a single day number, as in 15W, or be LW")
            }
            return .nearestWeekday(try value(day, .dayOfMonth, in: token))
        }
        return .monthDays(try list(token, .dayOfMonth))
    }

    /// `?` (nil), `L` (Saturday), `nL`, `n#k`, or a list.
    func dayOfWeek(_ token: String) throws(ScheduleError) -> CronExpression.DayRule? {
        switch token {
        case "?": return nil
        case "L": return .weekdays(CronValueSet([7]))  // Quartz: L alone is the last day of the week
        default: break
        }
        let standAlone = !token.contains(where: { ",-/*".contains($0) })
        if standAlone, token.hasSuffix("L") {
            return .lastWeekdayInMonth(try value(String(token.dropLast()), .dayOfWeek, in: token))
        }
        if standAlone, token.contains("#") {
            let pieces = token.split(separator: "#", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count == 2 else {
                throw error(.dayOfWeek, token, "use one \"#\", as in 3#2 (the second Tuesday)")
            }
            let weekday = try value(pieces[0], .dayOfWeek, in: token)
            guard Self.isDigits(pieces[1]), let nth = Int(pieces[1]), (1...5).contains(nth) else {
                throw error(.dayOfWeek, token, "the number after \"#\" must be 1-5 (which occurrence in the month)")
            }
            return .nthWeekdayInMonth(weekday: weekday, nth: nth)
        }
        return .weekdays(try list(token, .dayOfWeek))
    }

    /// A `,` list of `*`, `a`, `a-b`, each optionally with `/step`.
    func list(_ token: String, _ field: CronField) throws(ScheduleError) -> CronValueSet {
        let b = field.bounds
        var set = CronValueSet(offset: b.lowerBound)
        for element in token.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !element.isEmpty else {
                throw error(field, token, "a list has an empty element")
            }
            let slash = element.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard slash.count <= 2 else {
                throw error(field, token, "\"\(element)\" has more than one \"/\"")
            }
            var step = 1
            if slash.count == 2 {
                let span = b.count
                guard Self.isDigits(slash[1]), slash[1].count <= 5, let s = Int(slash[1]), (1...span).contains(s) else {
                    throw error(field, token, "the step in \"\(element)\" must be a number from 1 to \(span)")
                }
                step = s
            }
            let base = slash[0]
            let low: Int
            let high: Int
            if base == "*" {
                (low, high) = (b.lowerBound, b.upperBound)
            } else if base.contains("-") {
                let ends = base.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard ends.count == 2 else {
                    throw error(field, token, "\"\(base)\" is not a range like 1-5")
                }
                (low, high) = (try value(ends[0], field, in: token), try value(ends[1], field, in: token))
                if low > high, !field.rangesWrap {
                    throw error(field, token, "the range \(base) runs backwards")
                }
            } else {
                low = try value(base, field, in: token)
                high = slash.count == 2 ? b.upperBound : low  // "a/b" runs from a to the end of the field
            }
            // Wrap-around ranges (FRI-MON, 22-2) walk past the top of the field and continue from the bottom.
            let span = b.count
            let length = floorMod(high - low, span)
            for i in stride(from: 0, through: length, by: step) {
                set.insert(b.lowerBound + floorMod(low - b.lowerBound + i, span))
            }
        }
        return set
    }

    /// One number or name, checked against the field's bounds. `token` is the whole field, for the message.
    func value(_ piece: String, _ field: CronField, in token: String) throws(ScheduleError) -> Int {
        let b = field.bounds
        if Self.isDigits(piece), piece.count <= 5, let n = Int(piece) {
            guard b.contains(n) else {
                throw error(field, token, "\(n) is out of range \(b.lowerBound)-\(b.upperBound)")
            }
            return n
        }
        if let index = field.valueNames.firstIndex(of: piece) {
            return b.lowerBound + index
        }
        throw error(field, token, reasonForBadValue(piece, field))
    }

    /// Plain ASCII digits only: `Int("+5")` would accept a sign, and `isNumber` accepts non-ASCII digits.
    static func isDigits(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private func reasonForBadValue(_ piece: String, _ field: CronField) -> String {
        if piece.isEmpty { return "a number is missing" }
        let dayField = field == .dayOfMonth || field == .dayOfWeek
        if piece.contains("?") {
            return dayField ? "\"?\" must stand alone" : "\"?\" is allowed only in Day-of-month and Day-of-week"
        }
        if piece.contains("#") {
            return field == .dayOfWeek ? "\"#\" must stand alone, as in 3#2" : "\"#\" is allowed only in Day-of-week"
        }
        if piece.contains("W"), field == .dayOfMonth {
            return "\"W\" must stand alone, as in 15W or LW"
        }
        if piece.contains("L") {
            if dayField { return "\"L\" must stand alone, as in L or 6L" }
            return "\"L\" is allowed only in Day-of-month and Day-of-week"
        }
        let names = field.valueNames
        if let first = names.first, let last = names.last {
            let numbers = "\(field.bounds.lowerBound)-\(field.bounds.upperBound)"
            return "\"\(piece)\" is not a number \(numbers) or a name \(first)-\(last)"
        }
        return "\"\(piece)\" is not a number"
    }
}
