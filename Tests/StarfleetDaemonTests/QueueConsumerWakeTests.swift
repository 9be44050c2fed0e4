import Foundation
import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetSystemd
import StarfleetTestSupport
import Synchronization
import Testing

@testable import StarfleetDaemon

/// The dispatcher never sleeps for a fixed time: a finished execution frees its slot and the next message starts at
/// once, a send wakes an idle consumer, a stop ends it. The manual clock never moves in these tests, so anything that
/// waited on a timer would hang them (the suite's time limit turns that into a failure). An idle or saturated loop
/// waits with no timer at all (no sleeper on the clock), parked for the watchdog rather than waking to beat it.
@Suite(.timeLimit(.minutes(1))) struct QueueConsumerWakeTests {
    /// Handler executions that wait until the test lets them finish, and report each start.
    final class Gate: Sendable {
        let started: AsyncStream<String>
        private let startedSink: AsyncStream<String>.Continuation
        private let held = Mutex<[String: CheckedContinuation<Void, Never>]>([:])
        private let released = Mutex<Set<String>>([])

        init() { (started, startedSink) = AsyncStream.makeStream(of: String.self) }

        func run(_ body: String) async {
            startedSink.yield(body)
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = released.withLock { $0.contains(body) }
                if now { c.resume() } else { held.withLock { $0[body] = c } }
            }
        }

        func finish(_ body: String) {
            released.withLock { _ = $0.insert(body) }
            held.withLock { $0.removeValue(forKey: body) }?.resume()
        }
    }

    struct Rig {
        let dir = NSTemporaryDirectory() + "consumer-\(UUID().uuidString)"
        let clock = ManualClock()
        let queues: QueueSet
        let queue: JournalQueue
        let heartbeat = WatchdogHeartbeat()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

        init() throws {
            queues = QueueSet(stateDirectory: dir, clock: clock, logger: logger)
            queue = try queues.queue("Worker")
        }

        func consumer(concurrency: Int, gate: Gate) -> QueueConsumer {
            QueueConsumer(
                queue: queue, name: "worker Worker", concurrency: concurrency, backoff: BackoffPolicy(),
                clock: clock, logger: logger, heartbeat: heartbeat,
                handle: { message in
                    await gate.run(message.body)
                    return .done
                })
        }

        func send(_ bodies: [String]) async throws {
            _ = try await queue.send(bodies.map { OutgoingMessage(body: $0) })
        }

        /// Returns once the consumer's loop waits (for a slot or a message), and checks it set no timer to do so
        /// (unless a message was in flight: the receive then wakes when its visibility timeout could end).
        func waitUntilParked(timerless: Bool = true) async {
            while heartbeat.parkedNames != ["worker Worker"] { await Task.yield() }
            if timerless { #expect(clock.sleeperCount == 0) }
        }

        func close() async {
            await queues.closeAll()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func aFreedSlotIsRefilledWithoutATimer() async throws {
        let rig = try Rig()
        let gate = Gate()
        try await rig.send(["a", "b", "c"])
        let stop = StopToken()
        let consumer = rig.consumer(concurrency: 1, gate: gate)
        async let finished: Void = consumer.run(stop: stop)
        var starts = gate.started.makeAsyncIterator()
        #expect(await starts.next() == "a")
        // Saturated: the loop waits for the slot, with no timer.
        await rig.waitUntilParked()
        gate.finish("a")
        #expect(await starts.next() == "b")
        gate.finish("b")
        #expect(await starts.next() == "c")
        gate.finish("c")
        stop.stop()
        await finished
        #expect(try await rig.queue.stats().visible == 0)
        await rig.close()
    }

    @Test func aSendWakesAnIdleConsumerAndAStopEndsIt() async throws {
        let rig = try Rig()
        let gate = Gate()
        let stop = StopToken()
        let consumer = rig.consumer(concurrency: 8, gate: gate)
        async let finished: Void = consumer.run(stop: stop)
        // Idle: the receive waits for the queue's notification, with no timer.
        await rig.waitUntilParked()
        try await rig.send(["x"])
        var starts = gate.started.makeAsyncIterator()
        #expect(await starts.next() == "x")
        gate.finish("x")
        // A stop during the wait ends the consumer at once.
        await rig.waitUntilParked(timerless: false)
        stop.stop()
        await finished
        await rig.close()
    }

    @Test func aStopWhileSaturatedDrainsTheRunningExecutions() async throws {
        let rig = try Rig()
        let gate = Gate()
        try await rig.send(["a", "b"])
        let stop = StopToken()
        let consumer = rig.consumer(concurrency: 1, gate: gate)
        async let finished: Void = consumer.run(stop: stop)
        var starts = gate.started.makeAsyncIterator()
        #expect(await starts.next() == "a")
        await rig.waitUntilParked()
        stop.stop()
        gate.finish("a")
        await finished
        // "a" ran to the end and was deleted; "b" was never taken.
        let stats = try await rig.queue.stats()
        #expect(stats.visible == 1)
        #expect(stats.inFlight == 0)
        await rig.close()
    }
}
