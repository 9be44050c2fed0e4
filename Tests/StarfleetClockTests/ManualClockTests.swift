import FoundationEssentials
import StarfleetClock
import StarfleetTestSupport
import Testing

@Suite struct ManualClockTests {
    @Test func sleeperWakesOnlyWhenTimeReachesItsDeadline() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let task = Task {
            try await clock.sleep(until: start.addingTimeInterval(60))
            return clock.now()
        }
        try await clock.waitForSleepers(1)
        clock.advance(by: 59)
        #expect(clock.sleeperCount == 1)
        clock.advance(by: 1)
        let woke = try await task.value
        #expect(woke == start.addingTimeInterval(60))
        #expect(clock.sleeperCount == 0)
    }

    @Test func pastDeadlineReturnsImmediately() async throws {
        let clock = ManualClock()
        try await clock.sleep(until: clock.now().addingTimeInterval(-5))
        #expect(clock.sleeperCount == 0)
    }

    @Test func cancellationThrowsAndRemovesTheSleeper() async throws {
        let clock = ManualClock()
        let task = Task { try await clock.sleep(seconds: 3600) }
        try await clock.waitForSleepers(1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
    }

    /// A duration sleep follows elapsed time: stepping the wall clock (either way) does not end or stretch it.
    @Test func durationSleepIgnoresWallClockSteps() async throws {
        let clock = ManualClock()
        let task = Task { try await clock.sleep(seconds: 1) }
        try await clock.waitForSleepers(1)
        clock.set(clock.now().addingTimeInterval(-3600))
        clock.set(clock.now().addingTimeInterval(7200))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: 1)
        try await task.value
        #expect(clock.sleeperCount == 0)
    }
}

@Suite struct ManualClockWaitTests {
    @Test func waitingForASleeperThatNeverComesFailsSayingWhat() async {
        let clock = ManualClock()
        await #expect {
            try await clock.waitForSleepers(1, timeout: .milliseconds(50))
        } throws: { error in
            (error as? SleeperTimeout)?.description == "waited 0.05 seconds for 1 task(s) to sleep on the manual clock; 0 did"
        }
    }
}
