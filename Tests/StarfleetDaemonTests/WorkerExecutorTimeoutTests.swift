import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetTestSupport
import StarfleetWorkerKit
import Testing

@testable import StarfleetDaemon

/// TimeoutSeconds for in-process (Swift) ships, on the manual clock: a hung run is cancelled when the timeout's
/// time has passed and not a moment before, its attempt fails and is retried, and its slot goes to the next message.
@Suite(.timeLimit(.minutes(1))) struct WorkerExecutorTimeoutTests {
    struct Rig {
        let dir: TemporaryDirectory
        let clock = ManualClock()
        let worker: WorkerConfiguration
        let status: StatusBoard

        init() throws {
            dir = try TemporaryDirectory("executor")
            let configuration = try dir.configuration(
                """
                STARFLEET: {TemplateDirectory: templates}
                W: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: W/, InvocationSources: [S3], TimeoutSeconds: 60, VisibilityTimeoutSeconds: 120}
                """)
            worker = try #require(configuration.worker(named: "W"))
            status = StatusBoard(startedAt: clock.now(), pid: 1)
        }

        func executor(_ ship: any WorkerShip) -> WorkerExecutor {
            WorkerExecutor(
                configuration: worker, ship: ship, invoker: NoInvoker(), status: status, clock: clock, logger: .quiet,
                metrics: nil)
        }

        func message(_ body: String, receiveCount: Int = 1) -> ReceivedMessage {
            ReceivedMessage(
                messageId: "id-\(body)", receiptHandle: ReceiptHandle(rawValue: "r-\(body)"), body: body, attributes: [:],
                receiveCount: receiveCount, sentTimestamp: clock.now(), firstReceiveTimestamp: clock.now(),
                deduplicationId: nil, failures: [])
        }
    }

    @Test func aHungRunIsCancelledAtTimeoutSecondsAndItsAttemptFails() async throws {
        let rig = try Rig()
        defer { rig.dir.remove() }
        let ship = HangingShip(name: "W")
        let executor = rig.executor(ship)
        let message = rig.message("hung")
        async let outcome = executor.handle(message)
        try await ship.runs.wait(for: "the run to start") { $0.started == ["hung"] }
        try await rig.clock.waitForSleepers(1)
        rig.clock.advance(by: 59)
        // Not yet: the timer still sleeps and the run goes on.
        #expect(rig.clock.sleeperCount == 1)
        #expect(ship.runs.value.cancelled.isEmpty)
        rig.clock.advance(by: 1)
        let result = await outcome
        guard case .retry(let failure) = result else {
            Issue.record("a timed-out run gave \(result)")
            return
        }
        #expect(failure.message == "W ran longer than TimeoutSeconds (60 s) and was cancelled")
        #expect(ship.runs.value.cancelled == ["hung"])
        // The status counts the failure once the queue has said what became of it.
        executor.settled(message, failure, .retried(visibleAt: rig.clock.now(), attempt: 1, maxReceiveCount: 4))
        let board = rig.status.snapshot(now: rig.clock.now(), queues: [:]).workers["W"]
        #expect(board?.failed == 1 && board?.succeeded == 0)
        #expect(board?.lastError == failure.message)
    }

    @Test func aRunThatFinishesInTimeSucceedsAndLeavesNoTimerBehind() async throws {
        let rig = try Rig()
        defer { rig.dir.remove() }
        let executor = rig.executor(ScriptedShip(name: "W") { invocation, _ in invocation.body })
        let result = await executor.handle(rig.message("quick"))
        #expect(result == .done)
        #expect(rig.clock.sleeperCount == 0)
        #expect(rig.status.snapshot(now: rig.clock.now(), queues: [:]).workers["W"]?.succeeded == 1)
    }

    @Test func aThrowingRunFailsWithItsOwnErrorBeforeTheTimeout() async throws {
        let rig = try Rig()
        defer { rig.dir.remove() }
        let executor = rig.executor(ScriptedShip(name: "W") { _, _ in throw WorkerFailure("boom", exitStatus: 2) })
        let result = await executor.handle(rig.message("x"))
        #expect(result == .retry(WorkerFailure("boom", exitStatus: 2)))
    }

    @Test func aTimedOutAttemptIsRetriedAndItsSlotGoesToTheNextMessage() async throws {
        let rig = try Rig()
        defer { rig.dir.remove() }
        let ship = HangingShip(name: "W")
        let executor = rig.executor(ship)
        let queue = InMemoryQueue(name: "W", clock: rig.clock)
        _ = try await queue.send([OutgoingMessage(body: "a"), OutgoingMessage(body: "b")])
        let stop = StopToken()
        // A long backoff: "a" does not come back within this test.
        let consumer = QueueConsumer(
            queue: queue, name: "worker W", concurrency: 1,
            backoff: BackoffPolicy(initialSeconds: 1_000, maxSeconds: 1_000), clock: rig.clock,
            logger: .quiet, heartbeat: nil, handle: { await executor.handle($0) }, settled: { executor.settled($0, $1, $2) })
        async let finished: Void = consumer.run(stop: stop)
        try await ship.runs.wait(for: "a to start") { $0.started == ["a"] }
        // The run's timeout timer (the saturated loop waits for its slot with no timer).
        try await rig.clock.waitForSleepers(1)
        rig.clock.advance(by: 60)
        try await queue.waitForSettlements(1)
        try await ship.runs.wait(for: "b to start in the freed slot") { $0.started == ["a", "b"] }
        try await rig.clock.waitForSleepers(1)
        // A stop drains: the consumer waits for b's run, which its own timeout ends.
        stop.stop()
        rig.clock.advance(by: 60)
        await finished
        let timeout = "W ran longer than TimeoutSeconds (60 s) and was cancelled"
        #expect(queue.settlements.count == 2)
        for (settlement, body) in zip(queue.settlements, ["a", "b"]) {
            guard case .retried(let settled, let after, let error) = settlement else {
                Issue.record("\(body) was settled as \(settlement)")
                continue
            }
            #expect(settled == body && error == timeout && after >= 500)
        }
        #expect(ship.runs.value.cancelled == ["a", "b"])
    }
}
