/// Warnings about refused connections, at most one line per peer uid per minute with the number refused since the
/// last line: a user who opens thousands of connections must not flood the journal or cost a line each.
package struct RefusalLog: Sendable {
    private var windows: [UInt32: (start: ContinuousClock.Instant, count: Int)] = [:]
    package let interval: Duration

    package init(interval: Duration = .seconds(60)) { self.interval = interval }

    /// Counts a refusal of `uid` at `now`; returns how many to report when a line is due, else nil.
    package mutating func note(_ uid: UInt32, now: ContinuousClock.Instant) -> Int? {
        if let window = windows[uid], now < window.start.advanced(by: interval) {
            windows[uid]?.count += 1
            return nil
        }
        let pending = windows[uid]?.count ?? 0
        windows[uid] = (now, 0)
        if windows.count > 4096 { windows = windows.filter { now < $0.value.start.advanced(by: interval) } }
        return pending + 1
    }
}
