import Foundation
import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetTestSupport
import Synchronization
import Testing
@testable import StarfleetApp

/// The dispatcher never sleeps for a fixed time: a finished execution frees its slot and the next message starts at
/// once, a send wakes an idle consumer, a stop ends it. The manual clock never moves in these tests, so anything that
/// waited on a timer would hang them (the suite's time limit turns that into a failure).
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
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

        init() throws {
            queues = QueueSet(stateDirectory: dir, clock: clock, logger: logger)
            queue = try queues.queue("Worker")
        }

        func consumer(concurrency: Int, gate: Gate) -> QueueConsumer {
            QueueConsumer(queue: queue, name: "worker Worker", concurrency: concurrency, backoff: BackoffPolicy(),
                          clock: clock, logger: logger, heartbeat: nil,
                          handle: { message in
                              await gate.run(message.body)
                              return .done
                          })
        }

        func send(_ bodies: [String]) async throws {
            _ = try await queue.send(bodies.map { OutgoingMessage(body: $0) })
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
        // Saturated: the loop parks on its watchdog timer (a sleeper on the manual clock), not on a real sleep.
        try await rig.clock.waitForSleepers(1)
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
        // Idle: the long poll waits on the manual clock, which never moves.
        try await rig.clock.waitForSleepers(1)
        try await rig.send(["x"])
        var starts = gate.started.makeAsyncIterator()
        #expect(await starts.next() == "x")
        gate.finish("x")
        // A stop during the long poll ends the consumer without the poll running out.
        try await rig.clock.waitForSleepers(1)
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
        try await rig.clock.waitForSleepers(1)
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
