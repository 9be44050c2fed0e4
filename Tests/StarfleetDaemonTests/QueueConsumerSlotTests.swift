import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetSystemd
import StarfleetTestSupport
import StarfleetWorkerKit
import Testing

@testable import StarfleetDaemon

/// The consumer's slot accounting and settling, on an in-memory queue and the manual clock: never more executions
/// than slots, a freed slot refilled at once, each outcome settled its own way, a failed receive retried after one
/// second of the clock, and a saturated loop still beating the watchdog. (QueueConsumerWakeTests covers the wake-ups
/// on the journal queue.)
@Suite(.timeLimit(.minutes(1))) struct QueueConsumerSlotTests {
    struct Rig {
        let clock = ManualClock()
        let queue: InMemoryQueue
        let held = HeldExecutions()
        let stop = StopToken()
        let heartbeat = WatchdogHeartbeat()

        init(maxReceiveCount: Int = 4) { queue = InMemoryQueue(name: "W", clock: clock, maxReceiveCount: maxReceiveCount) }

        func consumer(concurrency: Int, handle: (@Sendable (ReceivedMessage) async -> HandlingOutcome)? = nil) -> QueueConsumer {
            let held = self.held
            return QueueConsumer(
                queue: queue, name: "worker W", concurrency: concurrency,
                backoff: BackoffPolicy(initialSeconds: 10, maxSeconds: 100), clock: clock, logger: .quiet,
                heartbeat: heartbeat,
                handle: handle ?? { message in
                    await held.run(message.body)
                    return .done
                })
        }

        func send(_ bodies: [String]) async throws {
            _ = try await queue.send(bodies.map { OutgoingMessage(body: $0) })
        }
    }

    @Test func neverRunsMoreThanItsSlotsAndRefillsAFreedOneAtOnce() async throws {
        let rig = Rig()
        try await rig.send((1...7).map { "m\($0)" })
        let consumer = rig.consumer(concurrency: 3)
        async let finished: Void = consumer.run(stop: rig.stop)
        try await rig.held.waitForStarts(3)
        // Saturated: the loop waits for a free slot (parked for the watchdog, no timer), and takes nothing more.
        while rig.heartbeat.parkedNames != ["worker W"] { await Task.yield() }
        #expect(rig.held.runs.value.started == ["m1", "m2", "m3"])
        #expect(try await rig.queue.stats().visible == 4)

        rig.held.finish("m2")
        try await rig.held.waitForStarts(4)
        #expect(rig.held.runs.value.started.last == "m4")
        for body in ["m1", "m3", "m4", "m5", "m6", "m7"] { rig.held.finish(body) }
        try await rig.queue.waitForSettlements(7)
        #expect(rig.held.runs.value.mostAtOnce == 3)
        #expect(Set(rig.queue.settlements) == Set((1...7).map { InMemoryQueue.Settlement.deleted(body: "m\($0)") }))
        rig.stop.stop()
        await finished
    }

    @Test func eachOutcomeSettlesTheMessageItsOwnWay() async throws {
        let rig = Rig()
        try await rig.send(["ok", "flaky", "bad"])
        let consumer = rig.consumer(concurrency: 3) { message in
            switch message.body {
            case "flaky": return .retry(WorkerFailure("exit status 3", exitStatus: 3))
            case "bad": return .permanent(WorkerFailure("invalid template"))
            default: return .done
            }
        }
        async let finished: Void = consumer.run(stop: rig.stop)
        try await rig.queue.waitForSettlements(3)
        rig.stop.stop()
        await finished

        let settlements = rig.queue.settlements
        #expect(settlements.contains(.deleted(body: "ok")))
        #expect(settlements.contains(.deadLettered(body: "bad", error: "invalid template")))
        let retry = try #require(settlements.first { $0.body == "flaky" })
        guard case .retried(_, let after, let error) = retry else {
            Issue.record("flaky was settled as \(retry)")
            return
        }
        // The first retry waits BackoffPolicy's first step (10 s here, with jitter), and the failure is recorded.
        #expect(after >= 5 && after <= 10, "backoff \(after)")
        #expect(error == "exit status 3")
        #expect(rig.queue.contents.value.messages.first?.failures.first?.exitStatus == 3)
    }

    @Test func aRetryOnTheLastAttemptIsDeadLettered() async throws {
        let rig = Rig(maxReceiveCount: 1)
        try await rig.send(["doomed"])
        let consumer = rig.consumer(concurrency: 1) { _ in .retry(WorkerFailure("still failing")) }
        async let finished: Void = consumer.run(stop: rig.stop)
        try await rig.queue.waitForSettlements(1)
        rig.stop.stop()
        await finished
        #expect(rig.queue.settlements == [.deadLettered(body: "doomed", error: "still failing")])
    }

    @Test func aFailedReceiveIsRetriedAfterOneSecondOfTheClock() async throws {
        let rig = Rig()
        try await rig.send(["a"])
        rig.queue.failReceives(1)
        let consumer = rig.consumer(concurrency: 1)
        async let finished: Void = consumer.run(stop: rig.stop)
        // The failed receive leaves the loop asleep on the clock, with the message still waiting.
        try await rig.clock.waitForSleepers(1)
        #expect(rig.queue.contents.value.receives == 1)
        #expect(rig.held.runs.value.started.isEmpty)
        rig.clock.advance(by: 1)
        try await rig.held.waitForStarts(1)
        rig.held.finish("a")
        try await rig.queue.waitForSettlements(1)
        rig.stop.stop()
        await finished
        #expect(rig.queue.settlements == [.deleted(body: "a")])
    }

    @Test func aSaturatedLoopParksForTheWatchdogInsteadOfWaking() async throws {
        let rig = Rig()
        try await rig.send(["long"])
        let consumer = rig.consumer(concurrency: 1)
        async let finished: Void = consumer.run(stop: rig.stop)
        try await rig.held.waitForStarts(1)
        // The long execution holds the only slot: the loop waits for the slot with no timer, parked, so the watchdog
        // does not wait for its beats (a hang inside that wait is the one place it would not see).
        while rig.heartbeat.parkedNames != ["worker W"] { await Task.yield() }
        #expect(rig.heartbeat.componentNames == ["worker W"])
        _ = rig.heartbeat.check()
        #expect(rig.heartbeat.check() == .healthy)
        #expect(rig.held.runs.value.started == ["long"])
        rig.held.finish("long")
        try await rig.queue.waitForSettlements(1)
        rig.stop.stop()
        await finished
        // A stopped consumer leaves the heartbeat: it no longer holds the pings back.
        #expect(rig.heartbeat.componentNames.isEmpty)
    }

    @Test func aStopEndsAnIdleConsumerWithoutTheClockMoving() async throws {
        let rig = Rig()
        let consumer = rig.consumer(concurrency: 4)
        async let finished: Void = consumer.run(stop: rig.stop)
        // Idle: the long poll waits on the clock (a send would wake it); the stop cuts it short.
        try await rig.clock.waitForSleepers(1)
        rig.stop.stop()
        await finished
        #expect(rig.queue.settlements.isEmpty)
    }
}
