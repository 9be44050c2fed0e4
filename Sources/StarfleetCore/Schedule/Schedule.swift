package import FoundationEssentials

/// What a worker's `EventBridgeTimedFrequency` may hold: one of Starfleet's named frequencies or, as a starfleetd
/// extension, an EventBridge `rate(...)` or `cron(...)` expression. All times are UTC; everything here is pure
/// (time comes in as a parameter, nothing reads the clock).
package enum Schedule: Sendable, Hashable, CustomStringConvertible {
    case named(TimedFrequency)
    case rate(RateExpression)
    case cron(CronExpression)

    /// Parses the text exactly as written in config: `HOURLY`, `rate(5 minutes)`, `cron(0 9 ? * MON-FRI *)`.
    ///
    /// Strict like EventBridge: names are case-sensitive, the keywords `rate` and `cron` are lowercase, and no
    /// whitespace is trimmed. Throws ``ScheduleError`` with one precise sentence and, where possible, a hint.
    package init(parsing text: String) throws(ScheduleError) {
        if text.isEmpty {
            throw ScheduleError("the schedule is empty", hint: Self.expectedHint)
        }
        if text.trimmingWhitespace() != text {
            let trimmed = text.trimmingWhitespace()
            throw ScheduleError(
                "\"\(text)\": remove the leading or trailing whitespace",
                hint: trimmed.isEmpty ? Self.expectedHint : "write \(trimmed)")
        }
        if text.hasPrefix("rate(") {
            self = .rate(try RateExpression(parsing: text))
            return
        }
        if text.hasPrefix("cron(") {
            self = .cron(try CronExpression(parsing: text))
            return
        }
        if let frequency = TimedFrequency(rawValue: text) {
            self = .named(frequency)
            return
        }
        throw Self.unknownScheduleError(text)
    }

    /// The first fire time strictly after `date` (UTC), or nil if none exists (a cron whose Year list is past).
    package func nextFire(after date: Date) -> Date? {
        switch self {
        case .named(let frequency): frequency.nextFire(after: date)
        case .rate(let rate): rate.nextFire(after: date)
        case .cron(let cron): cron.nextFire(after: date)
        }
    }

    /// The most recent fire time at or before `date` (UTC), or nil if none exists. Used for catch-up after
    /// downtime: a boundary missed while the daemon was down fires once at start.
    package func previousFire(atOrBefore date: Date) -> Date? {
        switch self {
        case .named(let frequency): frequency.previousFire(atOrBefore: date)
        case .rate(let rate): rate.previousFire(atOrBefore: date)
        case .cron(let cron): cron.previousFire(atOrBefore: date)
        }
    }

    /// The canonical text: `HOURLY`, `rate(5 minutes)`, `cron(0 9 ? * MON-FRI *)` (cron names in uppercase).
    package var description: String {
        switch self {
        case .named(let frequency): frequency.rawValue
        case .rate(let rate): rate.description
        case .cron(let cron): cron.description
        }
    }
}
