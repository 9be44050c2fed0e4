package import FoundationEssentials

/// The wall clock seen by everything that waits or stamps times: the queue, the scheduler, the dispatchers.
///
/// Production code gets ``SystemWallClock``; tests get ``ManualClock`` and move time by hand, so no test
/// sleeps through real time. Code reads `now()` again after every wake-up, which absorbs clock jumps.
package protocol WallClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date

    /// Suspends until the clock reads `deadline` or later. Throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws

    /// Suspends for `seconds` of elapsed time, whatever the wall clock does meanwhile (a step backwards must not
    /// turn a one-second nap into an hour). Loops that must wake regularly (watchdog beats) use this.
    func sleep(seconds: Double) async throws

    /// Elapsed (monotonic) seconds since an arbitrary origin: for deadlines that a step of the wall clock must not
    /// move. `sleep(seconds:)` counts the same time.
    func elapsedSeconds() -> Double
}

extension WallClock {
    package func sleep(seconds: Double) async throws {
        try await sleep(until: now().addingTimeInterval(seconds))
    }
}

/// The real clock: `Date()` and `Task.sleep`.
package struct SystemWallClock: WallClock {
    package init() {}

    package func now() -> Date { Date() }

    package func elapsedSeconds() -> Double {
        let since = ContinuousClock.now - Self.origin
        return Double(since.components.seconds) + Double(since.components.attoseconds) / 1e18
    }

    private static let origin = ContinuousClock.now

    package func sleep(seconds: Double) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, min(seconds, 86_400)) * 1_000_000_000))
    }

    package func sleep(until deadline: Date) async throws {
        // Re-check after each sleep: the wall clock may have been stepped while we slept.
        while true {
            let remaining = deadline.timeIntervalSince(Date())
            if remaining <= 0 { return }
            try await Task.sleep(nanoseconds: UInt64(min(remaining, 3600) * 1_000_000_000))
        }
    }
}
