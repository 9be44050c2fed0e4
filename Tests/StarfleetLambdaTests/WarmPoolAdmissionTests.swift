import Foundation
import Logging
import StarfleetTestSupport
import Testing

@testable import StarfleetCore
@testable import StarfleetDaemon
@testable import StarfleetLambda

/// Issue 22 §3: a synchronous invoke that finds every Concurrency slot busy waits at most its bounded time on the
/// pool's (manual) clock, then is throttled; a slot freed meanwhile admits it. Real `sleep` processes stand in for
/// runtime clients, the test answering for them.
@Suite(.timeLimit(.minutes(1))) struct WarmPoolAdmissionTests {
    let rig = WarmPoolTests()

    func busyPool(_ clock: ManualClock) async throws -> (
        WarmPool, StopToken, Task<Void, Never>, Task<LambdaJobOutcome, Never>, pid_t
    ) {
        let pool = WarmPool(
            worker: rig.worker(concurrency: 1),
            launch: WarmLaunch(argv: ["sleep", "30"], environment: ["PATH": "/usr/bin:/bin"], workingDirectory: "/"),
            logger: Logger(label: "test"), clock: clock)
        let stop = StopToken()
        let running = Task { await pool.run(stop: stop) }
        let first = Task { await pool.submit(rig.job(1), timeout: 600) }
        let pid = try #require(try await rig.pids(pool, count: 1).first)
        #expect(await pool.next(pid: pid)?.requestId == "req-1")
        return (pool, stop, running, first, pid)
    }

    @Test func aBusyWorkerThrottlesAfterTheBoundedWaitAndNotBefore() async throws {
        let clock = ManualClock()
        let (pool, stop, running, first, pid) = try await busyPool(clock)
        let admission = Task { await pool.admitSynchronous(within: 1) }
        // Two sleepers: the admission's wait and the pool's watch of the running invocation's TimeoutSeconds.
        try await clock.waitForSleepers(2)
        clock.advance(by: 0.9)
        #expect(clock.sleeperCount == 2, "still waiting at 0.9 s")
        clock.advance(by: 0.1)
        #expect(await admission.value == false, "throttled at 1 s")
        _ = await pool.answer(pid: pid, requestId: "req-1") { _ in .response([]) }
        _ = await first.value
        #expect(await pool.admitSynchronous(within: 1), "a free slot admits at once")
        stop.stop()
        await running.value
    }

    @Test func aSlotFreedDuringTheWaitAdmitsTheInvoke() async throws {
        let clock = ManualClock()
        let (pool, stop, running, first, pid) = try await busyPool(clock)
        let admission = Task { await pool.admitSynchronous(within: 1) }
        try await clock.waitForSleepers(2)
        #expect(await pool.answer(pid: pid, requestId: "req-1") { _ in .response([]) } == .accepted)
        _ = await first.value
        #expect(await admission.value == true)
        stop.stop()
        await running.value
    }

    @Test func anInvocationPastItsTimeoutFailsOnElapsedTimeAndNotBefore() async throws {
        let clock = ManualClock()
        let (pool, stop, running, first, _) = try await busyPool(clock)
        // The watch sleeps until the running invocation's deadline (600 s); a second one is due at 5 s.
        try await clock.waitForSleepers(1)
        let second = Task { await pool.submit(rig.job(2), timeout: 5) }
        try await clock.waitForSleepers(1)
        // The watch wakes for the earlier deadline and sleeps again until it (bounded: a hang fails the test).
        let due = clock.elapsedSeconds() + 5
        var settled = false
        for _ in 0..<100_000 where !settled {
            settled = await pool.isWatching(until: due) && clock.sleeperCount == 1
            if !settled { await Task.yield() }
        }
        #expect(settled, "the watch sleeps until the earlier deadline")
        // A step of the wall clock (NTP, a resumed VM) moves no deadline: only elapsed time does.
        clock.set(clock.now().addingTimeInterval(3600))
        clock.advance(by: 4.9)
        #expect(clock.sleeperCount == 1, "nothing is due at 4.9 s, an hour's step of the wall clock notwithstanding")
        clock.advance(by: 0.1)
        guard case .failure(let failure) = await second.value else {
            Issue.record("the invocation outlived its timeout")
            return
        }
        #expect(failure.timedOut)
        clock.advance(by: 600)
        guard case .failure(let timedOut) = await first.value else {
            Issue.record("the running invocation outlived its timeout")
            return
        }
        #expect(timedOut.timedOut)
        stop.stop()
        await running.value
    }
}
