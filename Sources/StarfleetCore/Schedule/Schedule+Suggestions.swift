/// "Did you mean" help for schedule texts that are none of the accepted forms.
extension Schedule {
    static let expectedHint =
        "expected one of "
        + TimedFrequency.allCases.map(\.rawValue).joined(separator: ", ")
        + ", or an expression such as rate(5 minutes) or cron(0 9 ? * MON-FRI *)"

    /// The error for text that is neither a name nor starts with `rate(` / `cron(`.
    static func unknownScheduleError(_ text: String) -> ScheduleError {
        let lowered = text.lowercased()
        for keyword in ["rate", "cron"] where lowered.hasPrefix(keyword + "(") {
            let fixed = keyword + text.dropFirst(keyword.count)
            return ScheduleError("\(text): write \"\(keyword)\" in lowercase", hint: "write \(fixed)")
        }
        if lowered.hasPrefix("at(") {
            return ScheduleError("\(text): one-time at(...) schedules are not supported", hint: expectedHint)
        }
        // "5 minutes" → rate(5 minutes); "0 9 ? * MON-FRI *" → cron(...).
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        if words.count == 2, (try? RateExpression(parsing: "rate(\(text))")) != nil {
            return ScheduleError("\"\(text)\" is not a timed frequency", hint: "did you mean rate(\(text))?")
        }
        if words.count == 6, (try? CronExpression(parsing: "cron(\(text))")) != nil {
            return ScheduleError("\"\(text)\" is not a timed frequency", hint: "did you mean cron(\(text))?")
        }
        if let name = closestFrequencyName(to: text) {
            let caseOnly = name == text.uppercased()
            return ScheduleError(
                "\"\(text)\" is not a timed frequency" + (caseOnly ? " (names are case-sensitive)" : ""),
                hint: "did you mean \(name)?")
        }
        return ScheduleError("\"\(text)\" is not a timed frequency", hint: expectedHint)
    }

    /// The frequency name a typo most likely meant: an exact case-insensitive match, else a name that is a
    /// prefix of the text (`FIVE_MINUTES` → `FIVE_MIN`), else the nearest by edit distance if it is close.
    static func closestFrequencyName(to text: String) -> String? {
        let upper = text.uppercased().replacingSpacesAndDashes()
        let names = TimedFrequency.allCases.map(\.rawValue)
        if let exact = names.first(where: { $0 == upper }) { return exact }
        if let prefix = names.filter({ upper.hasPrefix($0) }).max(by: { $0.count < $1.count }) { return prefix }
        let scored = names.map { (name: $0, distance: editDistance(upper, $0)) }
        guard let best = scored.min(by: { $0.distance < $1.distance }) else { return nil }
        return best.distance <= max(2, upper.count / 3) ? best.name : nil
    }

    /// Levenshtein distance over Characters (two-row dynamic programme; names are short).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (FoundationEssentials has no
    /// `trimmingCharacters(in:)`).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

    /// `six-hourly` / `six hourly` → `six_hourly`, so word separators do not count as typos.
    fileprivate func replacingSpacesAndDashes() -> String {
        String(map { $0 == " " || $0 == "-" ? "_" : $0 })
    }
}
