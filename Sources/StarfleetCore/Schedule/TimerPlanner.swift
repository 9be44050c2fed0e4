public import FoundationEssentials

/// The scheduler's decisions as pure functions of (schedules, last fires, now): which boundaries are due and
/// when to wake next. The driver re-reads the clock after every wake, so a stepped clock is absorbed: a jump
/// forward fires the latest missed boundary once, a jump backward fires nothing until time passes the last fire.
public enum TimerPlanner {
    /// Each schedule whose most recent boundary at or before `now` is later than its last fire, with that boundary.
    /// Missed boundaries are coalesced: one fire per schedule, for the latest.
    public static func due(_ schedules: [Schedule], lastFired: [String: Date], now: Date) -> [(schedule: Schedule, boundary: Date)] {
        schedules.compactMap { schedule in
            guard let boundary = schedule.previousFire(atOrBefore: now) else { return nil }
            guard let last = lastFired[schedule.description] else { return nil }
            return boundary > last ? (schedule, boundary) : nil
        }
    }

    /// Starting state for schedules seen for the first time: their latest boundary counts as fired, so a fresh
    /// install does not fire everything at once. With `catchUp` off, every schedule starts from now the same way.
    public static func startingState(_ schedules: [Schedule], persisted: [String: Date], now: Date, catchUp: Bool) -> [String: Date] {
        var state = persisted
        for schedule in schedules where state[schedule.description] == nil || !catchUp {
            let latest = schedule.previousFire(atOrBefore: now) ?? now
            // Without catch-up, never move a persisted fire backwards (a clock stepped back at start).
            if let old = state[schedule.description], old > latest { continue }
            state[schedule.description] = latest
        }
        return state
    }

    /// The earliest next boundary of any schedule (nil when none will ever fire).
    public static func nextWake(_ schedules: [Schedule], lastFired: [String: Date], now: Date) -> Date? {
        schedules.compactMap { schedule -> Date? in
            let after = max(now, lastFired[schedule.description] ?? now)
            return schedule.nextFire(after: after)
        }.min()
    }
}
