package import FoundationEssentials

/// The scheduler's decisions as pure functions of (schedules, last fires, now): which boundaries are due and
/// when to wake next. The driver re-reads the clock after every wake, so a stepped clock is absorbed: a jump
/// forward fires the latest missed boundary once, a jump backward fires nothing until time passes the last fire.
package enum TimerPlanner {
    /// Each schedule whose most recent boundary at or before `now` is later than its last fire, with that boundary.
    /// Missed boundaries are coalesced: one fire per schedule, for the latest.
    /// `offsets` (seconds, by schedule description; TimerJitter) delay each fire past its boundary.
    package static func due(
        _ schedules: [Schedule], lastFired: [String: Date], now: Date,
        offsets: [String: Int] = [:]
    ) -> [(schedule: Schedule, boundary: Date)] {
        schedules.compactMap { schedule in
            let offset = TimeInterval(offsets[schedule.description] ?? 0)
            guard let boundary = schedule.previousFire(atOrBefore: now.addingTimeInterval(-offset)) else { return nil }
            guard let last = lastFired[schedule.description] else { return nil }
            return boundary > last ? (schedule, boundary) : nil
        }
    }

    /// Starting state for schedules seen for the first time: their latest boundary counts as fired, so a fresh
    /// install does not fire everything at once. With `catchUp` off, every schedule starts from now the same way.
    package static func startingState(_ schedules: [Schedule], persisted: [String: Date], now: Date, catchUp: Bool) -> [String:
        Date]
    {
        var state = persisted
        for schedule in schedules where state[schedule.description] == nil || !catchUp {
            let latest = schedule.previousFire(atOrBefore: now) ?? now
            // Without catch-up, never move a persisted fire backwards (a clock stepped back at start).
            if let old = state[schedule.description], old > latest { continue }
            state[schedule.description] = latest
        }
        return state
    }

    /// The earliest next fire (boundary plus its offset) of any schedule (nil when none will ever fire).
    package static func nextWake(_ schedules: [Schedule], lastFired: [String: Date], now: Date, offsets: [String: Int] = [:])
        -> Date?
    {
        schedules.compactMap { schedule -> Date? in
            let offset = TimeInterval(offsets[schedule.description] ?? 0)
            let shiftedNow = now.addingTimeInterval(-offset)
            let after = max(shiftedNow, lastFired[schedule.description] ?? shiftedNow)
            return schedule.nextFire(after: after)?.addingTimeInterval(offset)
        }.min()
    }
}
