package import FoundationEssentials

/// Starfleet's seven EventBridge timed frequencies (`EventBridgeFrequency` in Starfleet), spelled exactly as in
/// config and in the timed event's `name`: `FIVE_MIN`, `FIFTEEN_MIN`, `THIRTY_MIN`, `HOURLY`, `SIX_HOURLY`,
/// `TWELVE_HOURLY`, `DAILY`. Names are case-sensitive (`hourly` and `FIVE_MINUTES` are not frequencies).
///
/// Each fires on UTC boundaries of its period, aligned to the Unix epoch: FIVE_MIN at :00, :05, …; HOURLY at the
/// top of every hour; SIX_HOURLY at 00, 06, 12 and 18 UTC; DAILY at 00:00 UTC. Every period divides a day, so
/// this is the same as "on the hour/day boundary" and equals the ``rate`` Starfleet's SAM template uses,
/// interpreted the starfleetd way (see ``RateExpression``).
package enum TimedFrequency: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case fiveMin = "FIVE_MIN"
    case fifteenMin = "FIFTEEN_MIN"
    case thirtyMin = "THIRTY_MIN"
    case hourly = "HOURLY"
    case sixHourly = "SIX_HOURLY"
    case twelveHourly = "TWELVE_HOURLY"
    case daily = "DAILY"

    /// The period in seconds.
    package var period: Int {
        switch self {
        case .fiveMin: 5 * 60
        case .fifteenMin: 15 * 60
        case .thirtyMin: 30 * 60
        case .hourly: 3600
        case .sixHourly: 6 * 3600
        case .twelveHourly: 12 * 3600
        case .daily: 86400
        }
    }

    /// The rate expression Starfleet's SAM template schedules this name with (`rate(5 minutes)` … `rate(1 day)`).
    package var rate: RateExpression {
        switch self {
        case .fiveMin: RateExpression(checkedValue: 5, unit: .minute)
        case .fifteenMin: RateExpression(checkedValue: 15, unit: .minute)
        case .thirtyMin: RateExpression(checkedValue: 30, unit: .minute)
        case .hourly: RateExpression(checkedValue: 1, unit: .hour)
        case .sixHourly: RateExpression(checkedValue: 6, unit: .hour)
        case .twelveHourly: RateExpression(checkedValue: 12, unit: .hour)
        case .daily: RateExpression(checkedValue: 1, unit: .day)
        }
    }

    /// The exact config spelling, e.g. `FIVE_MIN`.
    package var description: String { rawValue }

    /// The first boundary strictly after `date`, or nil only for non-finite or absurdly distant dates.
    package func nextFire(after date: Date) -> Date? {
        nextMultiple(of: period, after: date)
    }

    /// The last boundary at or before `date`, or nil only for non-finite or absurdly distant dates.
    package func previousFire(atOrBefore date: Date) -> Date? {
        previousMultiple(of: period, atOrBefore: date)
    }
}
