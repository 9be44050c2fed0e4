import Foundation
import Logging
import StarfleetClock
import StarfleetMetrics
import StarfleetQueue
import StarfleetRunHistory
import StarfleetTestSupport
import StarfleetWorkerKit
import Testing

@testable import StarfleetCore
@testable import StarfleetDaemon

/// Lambda's SQS trigger on an in-memory queue and the manual clock: when a batch leaves (full, its window over, or
/// with no window whatever is there), that each record of a batch is settled on its own (deleted, retried with its own
/// receive count, dead-lettered), that MaximumConcurrency bounds the batches at once, and that filtered messages are
/// deleted unseen and counted.
@Suite(.timeLimit(.minutes(1))) struct BatchConsumerTests {
    /// Runs each batch through `respond` (the batch's bodies → the handler's response), recording the batches.
    struct ScriptedBatchShip: BatchingShip {
        let batches = Watched<[[String]]>([])
        let respond: @Sendable ([SQSBatchRecord]) throws -> String
        var name: String { "W" }
        var fanOutStrategy: FanOutStrategy { .singleInvocation }
        func execute(_ invocation: WorkerInvocation, context: WorkerContext) async throws -> [UInt8] { [] }
        func execute(batch: [SQSBatchRecord], context: WorkerContext) async throws -> [UInt8] {
            batches.update { $0.append(batch.map { String(decoding: $0.invocation.body, as: UTF8.self) }) }
            return Array(try respond(batch).utf8)
        }
    }

    struct NoInvoker: WorkerInvoker {
        func invoke(worker: String, payload: [UInt8], account: String?, region: String?, commit: Bool) async throws -> [UInt8] {
            []
        }
        func enqueue(worker: String, payload: [UInt8], account: String?, region: String?) async throws -> String { "" }
    }

    struct Rig {
        let clock = ManualClock()
        let queue: InMemoryQueue
        let stop = StopToken()
        let held = HeldExecutions()
        let settled = Watched<[String: [FailureDisposition]]>([:])

        init(maxReceiveCount: Int = 4) { queue = InMemoryQueue(name: "W", clock: clock, maxReceiveCount: maxReceiveCount) }

        func consumer(
            _ trigger: SQSTriggerSettings, batchesAtOnce: Int = 4, filtered: (@Sendable (ReceivedMessage) async -> Void)? = nil,
            run: @escaping @Sendable ([ReceivedMessage]) async -> [HandlingOutcome]
        ) -> BatchConsumer {
            let settled = self.settled
            let queueConsumer = QueueConsumer(
                queue: queue, name: "worker W", concurrency: batchesAtOnce,
                backoff: BackoffPolicy(initialSeconds: 10, maxSeconds: 100), clock: clock, logger: .quiet, heartbeat: nil,
                handle: { _ in .done },
                settled: { message, _, disposition in settled.update { $0[message.body, default: []].append(disposition) } })
            return BatchConsumer(
                consumer: queueConsumer, settings: trigger, batchesAtOnce: batchesAtOnce, run: run, filtered: filtered)
        }

        func send(_ bodies: [String], attributes: [String: String] = [:]) async throws {
            _ = try await queue.send(bodies.map { OutgoingMessage(body: $0, attributes: attributes) })
        }
    }

    static func trigger(size: Int, window: Int = 0, reports: Bool = false) -> SQSTriggerSettings {
        var t = SQSTriggerSettings()
        t.batchSize = size
        t.maximumBatchingWindowSeconds = window
        t.reportsBatchItemFailures = reports
        return t
    }

    /// Records each batch's bodies and succeeds.
    final class Batches: Sendable {
        let seen = Watched<[[String]]>([])
        func run(_ batch: [ReceivedMessage]) -> [HandlingOutcome] {
            seen.update { $0.append(batch.map(\.body)) }
            return batch.map { _ in .done }
        }
    }

    @Test func aBatchLeavesAsSoonAsItHoldsBatchSizeRecords() async throws {
        let rig = Rig()
        let batches = Batches()
        try await rig.send(["a", "b"])
        let consumer = rig.consumer(Self.trigger(size: 3, window: 60)) { batches.run($0) }
        async let finished: Void = consumer.run(stop: rig.stop)
        // Two records in, the window's timer and the long poll for more asleep on the clock.
        try await rig.clock.waitForSleepers(2)
        #expect(batches.seen.value.isEmpty)
        try await rig.send(["c"])
        try await batches.seen.wait(for: "the full batch") { $0 == [["a", "b", "c"]] }
        // Full before its window ended: no time had to pass.
        #expect(rig.clock.now() == ManualClock().now())
        try await rig.queue.waitForSettlements(3)
        rig.stop.stop()
        await finished
    }

    @Test func aBatchLeavesWhenTheWindowSinceItsFirstRecordEnds() async throws {
        let rig = Rig()
        let batches = Batches()
        try await rig.send(["a", "b"])
        let consumer = rig.consumer(Self.trigger(size: 10, window: 5)) { batches.run($0) }
        async let finished: Void = consumer.run(stop: rig.stop)
        try await rig.clock.waitForSleepers(2)
        rig.clock.advance(by: 4.9)
        try await rig.clock.waitForSleepers(2)
        #expect(batches.seen.value.isEmpty)
        rig.clock.advance(by: 0.1)
        try await batches.seen.wait(for: "the batch at the window's end") { $0 == [["a", "b"]] }
        rig.stop.stop()
        await finished
    }

    @Test func withNoWindowABatchTakesWhatIsThereAtOnce() async throws {
        let rig = Rig()
        let batches = Batches()
        try await rig.send(["a", "b", "c", "d"])
        let consumer = rig.consumer(Self.trigger(size: 10)) { batches.run($0) }
        async let finished: Void = consumer.run(stop: rig.stop)
        try await batches.seen.wait(for: "one batch of the four") { $0 == [["a", "b", "c", "d"]] }
        #expect(rig.clock.now() == ManualClock().now())
        try await rig.queue.waitForSettlements(4)
        // And a later message makes a batch of its own (at least one record, never an empty batch).
        try await rig.send(["e"])
        try await batches.seen.wait(for: "a batch of one") { $0.last == ["e"] }
        rig.stop.stop()
        await finished
    }

    @Test func withNoWindowOneReceiveFillsSeveralSmallBatches() async throws {
        let rig = Rig()
        let batches = Batches()
        try await rig.send(["a", "b", "c", "d", "e"])
        let consumer = rig.consumer(Self.trigger(size: 2)) { batches.run($0) }
        async let finished: Void = consumer.run(stop: rig.stop)
        try await batches.seen.wait(for: "three batches") { $0.count == 3 }
        #expect(Set(batches.seen.value) == [["a", "b"], ["c", "d"], ["e"]])
        rig.stop.stop()
        await finished
    }

    @Test func aBatchLeavesBeforeItsEventPassesSixMegabytesAndTheRestOpensTheNext() async throws {
        let rig = Rig()
        let batches = Batches()
        let big = String(repeating: "x", count: 1_000_000)
        try await rig.send((1...8).map { "\($0)" + big })
        let consumer = rig.consumer(Self.trigger(size: 10)) { batches.run($0) }
        async let finished: Void = consumer.run(stop: rig.stop)
        try await rig.queue.waitForSettlements(8)
        // Six 1 MB records fit under Lambda's 6 MB; the two that do not are the next batch, not lost or re-received.
        #expect(batches.seen.value.map { $0.map { String($0.prefix(1)) } } == [["1", "2", "3", "4", "5", "6"], ["7", "8"]])
        #expect(rig.queue.settlements.allSatisfy { if case .deleted = $0 { true } else { false } })
        rig.stop.stop()
        await finished
    }

    @Test func eachRecordOfABatchIsSettledOnItsOwn() async throws {
        let rig = Rig(maxReceiveCount: 2)
        let dir = try TemporaryDirectory("batch-history")
        defer { dir.remove() }
        let store = RunHistoryStore(root: dir.path, clock: rig.clock, logger: .quiet)
        var worker = WorkerConfiguration(
            name: "W", enabled: true, templatePrefix: "W/", invocationQueueUrl: nil, invocationSources: [.s3],
            schedule: nil, alert: nil, concurrency: 2, visibilityTimeoutSeconds: 30, timeoutSeconds: 10,
            maxReceiveCount: 2, backoff: BackoffPolicy(initialSeconds: 10, maxSeconds: 100), commit: false, command: nil,
            fanOutStrategy: .singleInvocation, mark: SourceMark(file: "t.yaml", line: 1, column: 1),
            section: Node(.null, at: SourceMark(file: "t.yaml", line: 1, column: 1)))
        worker.runtime = .python
        worker.process.eventShape = .sqs
        worker.sqsTrigger = Self.trigger(size: 4, reports: true)
        // "bad" always fails, "flaky" on its first attempt only; the others succeed.
        let ship = ScriptedBatchShip { records in
            let failed = records.filter {
                let body = String(decoding: $0.invocation.body, as: UTF8.self)
                return body == "bad" || (body == "flaky" && $0.invocation.receiveCount == 1)
            }
            return #"{"batchItemFailures":["#
                + failed.map { #"{"itemIdentifier":""# + $0.invocation.messageId + #""}"# }
                .joined(separator: ",") + "]}"
        }
        let executor = WorkerExecutor(
            configuration: worker, ship: ship, invoker: NoInvoker(), status: StatusBoard(startedAt: rig.clock.now(), pid: 1),
            clock: rig.clock, logger: .quiet, metrics: nil,
            history: RunHistoryRecorder(store: store, worker: "W", limits: .default))
        try await rig.send(["ok1", "bad", "flaky", "ok2"])
        let queueConsumer = QueueConsumer(
            queue: rig.queue, name: "worker W", concurrency: 2, backoff: worker.backoff, clock: rig.clock, logger: .quiet,
            heartbeat: nil, handle: { _ in .done },
            settled: { message, failure, disposition in
                executor.settled(message, failure, disposition)
                rig.settled.update { $0[message.body, default: []].append(disposition) }
            })
        let consumer = BatchConsumer(
            consumer: queueConsumer, settings: worker.sqsTrigger, batchesAtOnce: 2,
            run: { await executor.handleBatch($0, ship: ship) })
        async let finished: Void = consumer.run(stop: rig.stop)
        try await rig.queue.waitForSettlements(4)
        #expect(ship.batches.value == [["ok1", "bad", "flaky", "ok2"]])
        let first = rig.queue.settlements
        #expect(first.contains(.deleted(body: "ok1")) && first.contains(.deleted(body: "ok2")))
        #expect(first.filter { if case .retried = $0 { true } else { false } }.map(\.body).sorted() == ["bad", "flaky"])
        // After the backoff the two failed records come back, each on its second receive: "flaky" succeeds and is
        // deleted, "bad" fails its last attempt and is dead-lettered; the succeeded ones are not run again.
        rig.clock.advance(by: 10)
        try await rig.queue.waitForSettlements(6)
        #expect(ship.batches.value.count == 2 && ship.batches.value[1].sorted() == ["bad", "flaky"])
        let second = Array(rig.queue.settlements.dropFirst(4))
        #expect(second.contains(.deleted(body: "flaky")))
        #expect(second.contains { if case .deadLettered(body: "bad", _) = $0 { true } else { false } })
        #expect(rig.settled.value["bad"]?.last?.isDeadLettered == true)
        rig.stop.stop()
        await finished
        // Run history: one record per message and attempt, its attempt its receive count.
        store.flush()
        let runs = try RunHistoryReader(root: dir.path).read(worker: "W").runs
        let summary = runs.map { "\(String($0.messageId.prefix(0)))\($0.attempt) \($0.outcome.name)" }.sorted()
        #expect(runs.count == 6, "\(summary)")
        #expect(runs.filter { $0.outcome == .succeeded }.map(\.attempt).sorted() == [1, 1, 2])
        #expect(runs.filter { $0.outcome == .failedWillRetry }.map(\.attempt).sorted() == [1, 1])
        #expect(runs.filter { $0.outcome == .deadLettered }.map(\.attempt) == [2])
    }

    @Test func aFailedInvocationOrAMalformedResponseFailsEveryRecord() async throws {
        let rig = Rig()
        var worker = WorkerConfiguration(
            name: "W", enabled: true, templatePrefix: "W/", invocationQueueUrl: nil, invocationSources: [.s3],
            schedule: nil, alert: nil, concurrency: 1, visibilityTimeoutSeconds: 30, timeoutSeconds: 10,
            maxReceiveCount: 4, backoff: BackoffPolicy(), commit: false, command: nil, fanOutStrategy: .singleInvocation,
            mark: SourceMark(file: "t.yaml", line: 1, column: 1),
            section: Node(.null, at: SourceMark(file: "t.yaml", line: 1, column: 1)))
        worker.runtime = .python
        worker.process.eventShape = .sqs
        worker.sqsTrigger = Self.trigger(size: 3, reports: true)
        let status = StatusBoard(startedAt: rig.clock.now(), pid: 1)
        let raising = ScriptedBatchShip { _ in throw WorkerFailure("Task timed out", exitStatus: nil) }
        let malformed = ScriptedBatchShip { _ in #"{"batchItemFailures":[{"itemIdentifier":"not-in-batch"}]}"# }
        for ship in [raising, malformed] {
            let executor = WorkerExecutor(
                configuration: worker, ship: ship, invoker: NoInvoker(), status: status, clock: rig.clock, logger: .quiet,
                metrics: nil)
            let messages = (1...3).map {
                ReceivedMessage(
                    messageId: "m\($0)", receiptHandle: ReceiptHandle(rawValue: "r\($0)"), body: "b\($0)", attributes: [:],
                    receiveCount: 1, sentTimestamp: rig.clock.now(), firstReceiveTimestamp: rig.clock.now(),
                    deduplicationId: nil, failures: [])
            }
            let outcomes = await executor.handleBatch(messages, ship: ship)
            #expect(outcomes.count == 3)
            #expect(outcomes.allSatisfy { if case .retry = $0 { true } else { false } }, "\(outcomes)")
        }
        // Without ReportBatchItemFailures the same response is ignored: every record succeeded.
        worker.sqsTrigger.reportsBatchItemFailures = false
        let executor = WorkerExecutor(
            configuration: worker, ship: malformed, invoker: NoInvoker(), status: status, clock: rig.clock, logger: .quiet,
            metrics: nil)
        let one = ReceivedMessage(
            messageId: "m", receiptHandle: ReceiptHandle(rawValue: "r"), body: "b", attributes: [:], receiveCount: 1,
            sentTimestamp: rig.clock.now(), firstReceiveTimestamp: rig.clock.now(), deduplicationId: nil, failures: [])
        #expect(await executor.handleBatch([one], ship: malformed) == [.done])
    }

    @Test func maximumConcurrencyBoundsTheBatchesAtOnce() async throws {
        let rig = Rig()
        try await rig.send((1...6).map { "m\($0)" })
        let held = rig.held
        let consumer = rig.consumer(Self.trigger(size: 1), batchesAtOnce: 2) { batch in
            await held.run(batch[0].body)
            return [.done]
        }
        async let finished: Void = consumer.run(stop: rig.stop)
        try await held.waitForStarts(2)
        #expect(try await rig.queue.stats().visible == 4)
        held.finish("m1")
        try await held.waitForStarts(3)
        for body in ["m2", "m3", "m4", "m5", "m6"] { held.finish(body) }
        try await rig.queue.waitForSettlements(6)
        #expect(held.runs.value.mostAtOnce == 2)
        rig.stop.stop()
        await finished
    }

    @Test func recordsCarriedPastSixMegabytesNeverRunMoreBatchesThanItsSlots() async throws {
        let rig = Rig()
        // Ten 700 KB records gathered for ten slots of one: 7 MB, so two are carried to the next gather.
        let big = String(repeating: "x", count: 700_000)
        try await rig.send((0..<10).map { "\($0)" + big })
        let held = rig.held
        let consumer = rig.consumer(Self.trigger(size: 1), batchesAtOnce: 10) { batch in
            await held.run(String(batch[0].body.prefix(1)))
            return [.done]
        }
        async let finished: Void = consumer.run(stop: rig.stop)
        // Eight fit under 6 MB and start; the two carried take the two slots still free, no more.
        try await held.waitForStarts(10)
        #expect(held.runs.value.running.count == 10)
        for key in "0123456789".map(String.init) { held.finish(key) }
        try await rig.queue.waitForSettlements(10)
        #expect(held.runs.value.mostAtOnce <= 10)
        rig.stop.stop()
        await finished
    }

    @Test func aFilteredMessageIsRecordedAsFilteredAndCountedInTheMetric() async throws {
        let rig = Rig()
        let dir = try TemporaryDirectory("batch-filtered")
        defer { dir.remove() }
        let store = RunHistoryStore(root: dir.path, clock: rig.clock, logger: .quiet)
        let metrics = DaemonMetrics()
        let worker = WorkerConfiguration(
            name: "W", enabled: true, templatePrefix: "W/", invocationQueueUrl: nil, invocationSources: [.s3],
            schedule: nil, alert: nil, concurrency: 1, visibilityTimeoutSeconds: 30, timeoutSeconds: 10,
            maxReceiveCount: 4, backoff: BackoffPolicy(), commit: false, command: nil, fanOutStrategy: .singleInvocation,
            mark: SourceMark(file: "t.yaml", line: 1, column: 1),
            section: Node(.null, at: SourceMark(file: "t.yaml", line: 1, column: 1)))
        let executor = WorkerExecutor(
            configuration: worker, ship: ScriptedBatchShip { _ in "" }, invoker: NoInvoker(),
            status: StatusBoard(startedAt: rig.clock.now(), pid: 1), clock: rig.clock, logger: .quiet, metrics: metrics,
            history: RunHistoryRecorder(store: store, worker: "W", limits: .default))
        let message = ReceivedMessage(
            messageId: "m-1", receiptHandle: ReceiptHandle(rawValue: "r"), body: "x", attributes: [:], receiveCount: 1,
            sentTimestamp: rig.clock.now(), firstReceiveTimestamp: rig.clock.now(), deduplicationId: nil, failures: [])
        executor.filtered(message)
        executor.filtered(message)
        #expect(metrics.registry.value("starfleet_worker_messages_filtered_total", ["worker": "W"]) == 2)
        store.flush()
        let runs = try RunHistoryReader(root: dir.path).read(worker: "W").runs
        #expect(runs.map(\.outcome) == [.filtered, .filtered] && runs.allSatisfy { $0.messageId == "m-1" && $0.attempt == 1 })
    }

    @Test func filteredMessagesAreDeletedUnseenAndCounted() async throws {
        let rig = Rig()
        let batches = Batches()
        var trigger = Self.trigger(size: 10)
        trigger.filters = [try EventFilter(parsing: #"{"body": {"kind": ["keep"]}}"#)]
        let dropped = Watched<[String]>([])
        try await rig.send([#"{"kind":"keep","n":1}"#, #"{"kind":"drop"}"#, "plain text", #"{"kind":"keep","n":2}"#])
        let consumer = rig.consumer(
            trigger, filtered: { message in dropped.update { $0.append(message.body) } }, run: { batches.run($0) })
        async let finished: Void = consumer.run(stop: rig.stop)
        try await rig.queue.waitForSettlements(4)
        #expect(batches.seen.value == [[#"{"kind":"keep","n":1}"#, #"{"kind":"keep","n":2}"#]])
        #expect(dropped.value == [#"{"kind":"drop"}"#, "plain text"])
        #expect(rig.queue.settlements.contains(.deleted(body: "plain text")))
        rig.stop.stop()
        await finished
    }
}
