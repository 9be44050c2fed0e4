import Foundation
import Logging
import StarfleetProcess
import StarfleetWorkers
import Testing

@testable import StarfleetCore
@testable import StarfleetDaemon
@testable import StarfleetLambda

/// The warm pool's bookkeeping, with real processes standing in for runtime clients (`sleep`: they never call the
/// Runtime API, so the test plays their part by calling `next` / `answer` with their pids).
@Suite struct WarmPoolTests {
    func worker(concurrency: Int = 2, maxInvocations: Int? = nil) -> WorkerConfiguration {
        var w = WorkerConfiguration(
            name: "Warm", enabled: true, templatePrefix: "Warm/", invocationQueueUrl: nil, invocationSources: [.s3],
            schedule: nil,
            alert: nil, concurrency: concurrency, visibilityTimeoutSeconds: 30, timeoutSeconds: 10, maxReceiveCount: 3,
            backoff: BackoffPolicy(), commit: false, command: ["sleep", "30"], fanOutStrategy: .singleInvocation,
            mark: SourceMark(file: "t.yaml", line: 1, column: 1),
            section: Node(.null, at: SourceMark(file: "t.yaml", line: 1, column: 1)))
        w.runtime = .provided
        w.process.maxInvocationsPerProcess = maxInvocations
        return w
    }

    func pool(_ w: WorkerConfiguration) -> WarmPool {
        WarmPool(
            worker: w, launch: WarmLaunch(argv: ["sleep", "30"], environment: ["PATH": "/usr/bin:/bin"], workingDirectory: "/"),
            logger: Logger(label: "test"))
    }

    func job(_ n: Int) -> LambdaJob {
        LambdaJob(
            requestId: "req-\(n)", event: Array("{\"n\":\(n)}".utf8), clientContext: "{}", deadlineMilliseconds: 0,
            messageId: "m-\(n)", account: nil)
    }

    /// Waits (bounded) until the pool has `count` live pids.
    func pids(_ pool: WarmPool, count: Int) async throws -> [pid_t] {
        for _ in 0..<500 {
            let pids = pool.pids
            if pids.count >= count { return pids.sorted() }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        Issue.record("the pool never had \(count) processes (has \(pool.pids.count))")
        return pool.pids
    }

    @Test func anInvocationGoesToTheProcessThatAsksAndOnlyItMayAnswer() async throws {
        let pool = pool(worker())
        let stop = StopToken()
        async let running: Void = pool.run(stop: stop)
        async let outcome = pool.submit(job(1), timeout: 600)
        let pid = try #require(try await pids(pool, count: 1).first)
        let handed = await pool.next(pid: pid)
        #expect(handed?.requestId == "req-1")
        #expect(await pool.answer(pid: pid + 100_000, requestId: "req-1") { _ in .response([]) } == .unknownRequest)
        #expect(await pool.answer(pid: pid, requestId: "req-1") { _ in .response(Array("ok".utf8)) } == .accepted)
        guard case .response(let bytes) = await outcome else {
            Issue.record("expected a response")
            return
        }
        #expect(bytes == Array("ok".utf8))
        #expect(await pool.spawned == 1)
        stop.stop()
        await running
        #expect(pool.pids.isEmpty)
    }

    @Test func aTimeoutKillsTheProcessAndTheNextInvocationGetsAFreshOne() async throws {
        let pool = pool(worker(concurrency: 1))
        let stop = StopToken()
        async let running: Void = pool.run(stop: stop)
        async let first = pool.submit(job(1), timeout: 600)
        let pid = try #require(try await pids(pool, count: 1).first)
        _ = await pool.next(pid: pid)
        await pool.timedOut("req-1", after: 10)
        guard case .failure(let failure) = await first else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.message.contains("ran longer than TimeoutSeconds (10 s)"))
        for _ in 0..<300 where kill(pid, 0) == 0 { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(kill(pid, 0) != 0, "the timed-out process is gone")
        async let second = pool.submit(job(2), timeout: 600)
        var fresh: pid_t = 0
        for _ in 0..<300 {
            if let p = pool.pids.first(where: { $0 != pid }) {
                fresh = p
                break
            }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(fresh != 0 && fresh != pid)
        #expect(await pool.next(pid: fresh)?.requestId == "req-2")
        _ = await pool.answer(pid: fresh, requestId: "req-2") { _ in .response([]) }
        _ = await second
        stop.stop()
        await running
    }

    @Test func aProcessThatDiesMidInvocationFailsItAndOneThatNeverStartedFailsWhatWaits() async throws {
        let pool = pool(worker(concurrency: 1))
        let stop = StopToken()
        async let running: Void = pool.run(stop: stop)
        async let first = pool.submit(job(1), timeout: 600)
        let pid = try #require(try await pids(pool, count: 1).first)
        _ = await pool.next(pid: pid)
        kill(pid, SIGKILL)
        guard case .failure(let died) = await first else {
            Issue.record("expected a failure")
            return
        }
        #expect(died.message.contains("was killed by signal 9 during the invocation"), "\(died.message)")
        // A fresh process that exits before asking for work fails the waiting invocation instead of respawning forever.
        async let second = pool.submit(job(2), timeout: 600)
        let next = try #require(try await pids(pool, count: 1).first)
        kill(next, SIGKILL)
        guard case .failure(let early) = await second else {
            Issue.record("expected a failure")
            return
        }
        #expect(early.message.contains("before it asked for an invocation"), "\(early.message)")
        #expect(await pool.spawned == 2)
        stop.stop()
        await running
    }

    @Test func processesAreRecycledAfterMaxInvocationsPerProcess() async throws {
        let pool = pool(worker(concurrency: 1, maxInvocations: 1))
        let stop = StopToken()
        async let running: Void = pool.run(stop: stop)
        async let first = pool.submit(job(1), timeout: 600)
        let pid = try #require(try await pids(pool, count: 1).first)
        _ = await pool.next(pid: pid)
        _ = await pool.answer(pid: pid, requestId: "req-1") { _ in .response([]) }
        _ = await first
        // Its next request is refused: it has served its one invocation and is ended.
        #expect(await pool.next(pid: pid) == nil)
        for _ in 0..<300 where kill(pid, 0) == 0 { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(kill(pid, 0) != 0)
        stop.stop()
        await running
    }

    @Test func stopLetsTheRunningInvocationFinishFirst() async throws {
        let pool = pool(worker(concurrency: 1))
        let stop = StopToken()
        async let running: Void = pool.run(stop: stop)
        async let first = pool.submit(job(1), timeout: 600)
        let pid = try #require(try await pids(pool, count: 1).first)
        _ = await pool.next(pid: pid)
        stop.stop()
        try await Task.sleep(nanoseconds: 50_000_000)
        #expect(kill(pid, 0) == 0, "the process runs until its invocation ends")
        if case .failure = await pool.submit(job(2), timeout: 600) {
        } else {
            Issue.record("a stopping pool takes no new invocation")
        }
        _ = await pool.answer(pid: pid, requestId: "req-1") { _ in .response([]) }
        _ = await first
        await running
        #expect(kill(pid, 0) != 0)
    }

    /// Waits (bounded) for a live pid of the pool that is not one of `old`.
    func newPid(_ pool: WarmPool, besides old: Set<pid_t>) async throws -> pid_t {
        for _ in 0..<500 {
            if let pid = pool.pids.first(where: { !old.contains($0) }) { return pid }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        Issue.record("the pool never started a new process")
        return -1
    }

    @Test func aReloadLetsRunningInvocationsFinishThenReplacesTheirProcesses() async throws {
        let pool = pool(worker(concurrency: 2))
        let stop = StopToken()
        async let running: Void = pool.run(stop: stop)
        async let first = pool.submit(job(1), timeout: 600)
        async let second = pool.submit(job(2), timeout: 600)
        let old = try await pids(pool, count: 2)
        let handed = [await pool.next(pid: old[0]), await pool.next(pid: old[1])].compactMap { $0?.requestId }
        #expect(Set(handed) == ["req-1", "req-2"])

        #expect(await pool.reload(reason: "test") == 2)
        // Both invocations end as the handler answers them: the reload fails none.
        for (pid, id) in zip(old, handed) {
            #expect(await pool.answer(pid: pid, requestId: id) { _ in .response(Array("old".utf8)) } == .accepted)
        }
        for outcome in [await first, await second] {
            guard case .response(let bytes) = outcome else {
                Issue.record("an invocation failed because of the reload: \(outcome)")
                continue
            }
            #expect(bytes == Array("old".utf8))
        }
        // Having answered, each old process is told to leave instead of getting another invocation…
        #expect(await pool.next(pid: old[0]) == nil)
        #expect(await pool.next(pid: old[1]) == nil)
        // …and the next invocation goes to a process started after the reload.
        async let third = pool.submit(job(3), timeout: 600)
        let fresh = try await newPid(pool, besides: Set(old))
        #expect(await pool.next(pid: fresh)?.requestId == "req-3")
        #expect(await pool.answer(pid: fresh, requestId: "req-3") { _ in .response(Array("new".utf8)) } == .accepted)
        guard case .response(let bytes) = await third else {
            Issue.record("expected a response")
            return
        }
        #expect(bytes == Array("new".utf8))
        for pid in old {
            for _ in 0..<300 where kill(pid, 0) == 0 { try await Task.sleep(nanoseconds: 10_000_000) }
            #expect(kill(pid, 0) != 0, "an old process is ended")
        }
        stop.stop()
        await running
    }

    @Test func anIdleProcessIsReplacedByAReloadWithoutServingAgain() async throws {
        let pool = pool(worker(concurrency: 1))
        let stop = StopToken()
        async let running: Void = pool.run(stop: stop)
        async let first = pool.submit(job(1), timeout: 600)
        let pid = try #require(try await pids(pool, count: 1).first)
        _ = await pool.next(pid: pid)
        _ = await pool.answer(pid: pid, requestId: "req-1") { _ in .response([]) }
        _ = await first
        // It waits for its next invocation (or is about to): a reload ends it either way, with nothing to serve.
        async let parked = pool.next(pid: pid)
        await pool.reload(reason: "test")
        #expect(await parked == nil)
        async let second = pool.submit(job(2), timeout: 600)
        let fresh = try await newPid(pool, besides: [pid])
        #expect(await pool.next(pid: fresh)?.requestId == "req-2")
        _ = await pool.answer(pid: fresh, requestId: "req-2") { _ in .response([]) }
        if case .failure(let failure) = await second { Issue.record("failed: \(failure)") }
        stop.stop()
        await running
    }

    @Test func aProcessWithOldCodeThatCannotLoadItsHandlerLeavesTheVerdictToTheNewCode() async throws {
        let pool = pool(worker(concurrency: 1))
        let stop = StopToken()
        async let running: Void = pool.run(stop: stop)
        async let first = pool.submit(job(1), timeout: 600)
        let old = try #require(try await pids(pool, count: 1).first)
        // The code changes while the process is still loading it (say, a file caught mid-save): it fails to load.
        await pool.reload(reason: "test")
        #expect(await pool.initError(pid: old, LambdaErrorDocument(errorMessage: "half a file", errorType: "SyntaxError")))
        // What waits is not failed: a process started after the change takes it.
        let fresh = try await newPid(pool, besides: [old])
        #expect(await pool.next(pid: fresh)?.requestId == "req-1")
        _ = await pool.answer(pid: fresh, requestId: "req-1") { _ in .response(Array("ok".utf8)) }
        guard case .response = await first else {
            Issue.record("the invocation failed with the old process's init error")
            return
        }
        stop.stop()
        await running
    }
}
