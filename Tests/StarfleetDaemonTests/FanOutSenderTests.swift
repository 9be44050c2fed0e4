import Foundation
import Logging
import StarfleetClock
import StarfleetQueue
import StarfleetTestSupport
import StarfleetYAML
import Synchronization
import Testing

@testable import StarfleetCore
@testable import StarfleetDaemon

/// A fan-out is built and sent chunk by chunk: never more than one chunk of payloads at once, the same payloads in the
/// same order as the planner's, and a failure part-way leaves a state the retry completes without duplicates.
@Suite struct FanOutSenderTests {
    /// Forwards sends to a real queue and records their sizes; fails the send numbered `failing` (1-based).
    final class RecordingQueue: MessageQueue {
        let inner: JournalQueue
        let failing: Int?
        let sends = Mutex<[[OutgoingMessage]]>([])
        var name: String { inner.name }

        init(_ inner: JournalQueue, failing: Int? = nil) {
            self.inner = inner
            self.failing = failing
        }

        func send(_ entries: [OutgoingMessage]) async throws -> [SendResult] {
            let number = sends.withLock {
                $0.append(entries)
                return $0.count
            }
            if number == failing { throw QueueError(.fileSystem, "disk full", hint: "test") }
            return try await inner.send(entries)
        }

        func receive(max: Int, visibilityTimeout: Double?, wait: Double) async throws -> [ReceivedMessage] { [] }
        func delete(_ receipt: ReceiptHandle) async throws -> Bool { false }
        func changeVisibility(_ receipt: ReceiptHandle, timeout: Double) async throws {}
        func retryOrDeadLetter(_ receipt: ReceiptHandle, failure: FailureRecord, retryAfter: Double) async throws
            -> FailureDisposition
        { .kept("test") }
        func deadLetter(_ receipt: ReceiptHandle, failure: FailureRecord) async throws -> FailureDisposition { .kept("test") }
        func receiveWhenAvailable(max: Int) async throws -> [ReceivedMessage] { [] }
        var parksUntilWoken: Bool { false }
        func stats() async throws -> QueueStats { try await inner.stats() }
    }

    struct Rig {
        let dir = NSTemporaryDirectory() + "fanout-\(UUID().uuidString)"
        let clock = ManualClock()
        let queues: QueueSet
        let queue: JournalQueue
        let targets: FanOutTargets
        let plan: FanOutPlan

        init(accounts: Int) throws {
            let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            queues = QueueSet(stateDirectory: dir, clock: clock, logger: logger)
            queue = try queues.queue("Audit")
            let index = AccountIndex(
                accounts: (0..<accounts).map {
                    Account(
                        id: String(100_000_000_000 + $0), name: "a\($0)", arn: "arn:aws:organizations::1:account/o/\($0)",
                        parents: [.init(id: "r-1", name: "ROOT", type: "ROOT")], regions: ["us-east-1"])
                })
            let yaml = "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\nOperateInOrgRoot: true\n"
            let (template, diagnostics) = TemplateReader.read(Array(yaml.utf8), file: "Audit/t.yaml", strategy: .account)
            let parsed = try #require(template, "\(diagnostics)")
            targets = try FanOutPlanner.targets(worker: "Audit", strategy: .account, template: parsed, index: index)
            plan = try FanOutPlanner.plan(worker: "Audit", strategy: .account, template: parsed, index: index)
        }

        func sender(chunk: Int) -> FanOutSender {
            var sender = FanOutSender(targets: targets, key: "Audit/t.yaml", eventID: "event-1")
            sender.chunkPayloads = chunk
            return sender
        }

        func close() async {
            await queues.closeAll()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func neverMoreThanOneChunkOfPayloadsAtOnce() async throws {
        let rig = try Rig(accounts: 2_500)
        let recording = RecordingQueue(rig.queue)
        var progress = FanOutSender.Progress()
        try await rig.sender(chunk: 1_000).send(to: recording, progress: &progress)
        let sends = recording.sends.withLock { $0 }
        #expect(sends.map(\.count) == [1_000, 1_000, 500])
        #expect(progress.sent == 2_500 && progress.duplicates == 0)
        // The planner's payloads, in its order, each once.
        #expect(sends.flatMap { $0 }.map(\.body) == rig.plan.payloads.map(\.bodyText))
        #expect(try await rig.queue.stats().visible == 2_500)
        await rig.close()
    }

    @Test func aChunkNeverHoldsMuchMoreThanItsBytes() async throws {
        let rig = try Rig(accounts: 50)
        let recording = RecordingQueue(rig.queue)
        var sender = rig.sender(chunk: 1_000)
        let bodyBytes = rig.targets.payload(at: 0).body.count
        sender.chunkBytes = bodyBytes * 10
        var progress = FanOutSender.Progress()
        try await sender.send(to: recording, progress: &progress)
        #expect(recording.sends.withLock { $0.map(\.count) } == [10, 10, 10, 10, 10])
        await rig.close()
    }

    @Test func aFailurePartWayIsCompletedByTheRetryWithoutDuplicates() async throws {
        let rig = try Rig(accounts: 2_500)
        var first = FanOutSender.Progress()
        await #expect(throws: QueueError.self) {
            try await rig.sender(chunk: 1_000).send(to: RecordingQueue(rig.queue, failing: 2), progress: &first)
        }
        #expect(first.sent == 1_000, "the first chunk is durable, the failed one is not")
        #expect(try await rig.queue.stats().visible == 1_000)
        // The fan-out message is retried: the durable chunk's deduplication ids make it a duplicate.
        var retry = FanOutSender.Progress()
        try await rig.sender(chunk: 1_000).send(to: rig.queue, progress: &retry)
        #expect(retry.duplicates == 1_000 && retry.sent == 1_500)
        #expect(try await rig.queue.stats().visible == 2_500)
        await rig.close()
    }

    @Test func aPayloadThatCanNeverBeSentIsFoundBeforeAnythingIsSent() throws {
        func sender(base: String, accounts: [String]) -> FanOutSender {
            let targets = FanOutTargets(
                worker: "W", strategy: .account, targets: accounts.map { .init(account: $0, region: nil) },
                accountsWithoutRegions: [], base: Array(base.utf8))
            return FanOutSender(targets: targets, key: "W/t.yaml", eventID: "e")
        }
        #expect(sender(base: "{\"a\":1", accounts: ["1", "2"]).firstInvalid(queue: "W") == nil)
        let big = sender(base: "{\"a\":\"" + String(repeating: "x", count: 1 << 20) + "\"", accounts: ["1"]).firstInvalid(
            queue: "W")
        #expect((big?.error as? QueueError)?.code == .messageTooLarge)
        // The last account's id holds U+FFFF, which SQS refuses in a body: found before the first is sent.
        let bad = sender(base: "{\"a\":1", accounts: ["1", "2", "3\u{FFFF}"]).firstInvalid(queue: "W")
        #expect(bad?.payload.account == "3\u{FFFF}")
        #expect((bad?.error as? QueueError)?.code == .invalidMessageContents)
    }
}
