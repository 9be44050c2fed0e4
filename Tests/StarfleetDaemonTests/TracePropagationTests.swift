import Foundation
import Logging
import StarfleetClock
import StarfleetQueue
import StarfleetRunHistory
import StarfleetTestSupport
import StarfleetWorkerKit
import StarfleetWorkers
import Synchronization
import Testing

@testable import StarfleetCore
@testable import StarfleetDaemon

/// A payload's trace Root goes from the fan-out event through the queue to the worker, its run history and its dead
/// letter; a message that came without one gets a Root that is the same for each of its attempts.
@Suite struct TracePropagationTests {
    let root = "1-6571a2b0-0123456789abcdef01234567"

    @Test func everyPayloadOfAFanOutCarriesTheEventsRoot() async throws {
        let rig = try FanOutSenderTests.Rig(accounts: 3)
        var sender = rig.sender(chunk: 2)
        sender.trace = TraceHeader(root: root, parent: "53995c3f42cd8ad8")
        var progress = FanOutSender.Progress()
        try await sender.send(to: rig.queue, progress: &progress)
        let received = try await rig.queue.receive(max: 10, visibilityTimeout: 30, wait: 0)
        #expect(received.count == 3)
        // The Root alone travels: each invocation gets a Parent of its own.
        #expect(received.allSatisfy { $0.attributes[TraceHeader.attribute] == "Root=\(root);Sampled=0" })
        #expect(Set(received.map { MessageTrace.header(of: $0).root }) == [root])
        await rig.close()
    }

    @Test func aFanOutEventDeliveredTwiceGivesItsPayloadsOneRoot() {
        let sent = Date(timeIntervalSince1970: 1_700_000_000)
        let first = MessageTrace.derived(from: "timed|Audit|1700000000", at: sent)
        #expect(first == MessageTrace.derived(from: "timed|Audit|1700000000", at: sent))
        #expect(first.root.hasPrefix("1-6553f100-") && TraceHeader.isRoot(first.root))
        #expect(first != MessageTrace.derived(from: "timed|Audit|1700003600", at: sent))
    }

    func message(_ attributes: [String: String], attempt: Int = 1) -> ReceivedMessage {
        ReceivedMessage(
            messageId: "m-1", receiptHandle: ReceiptHandle(rawValue: "r-\(attempt)"), body: "{}", attributes: attributes,
            receiveCount: attempt, sentTimestamp: Date(timeIntervalSince1970: 1_700_000_000),
            firstReceiveTimestamp: Date(timeIntervalSince1970: 1_700_000_000), deduplicationId: nil, failures: [])
    }

    @Test func aMessageWithoutATraceKeepsOneRootAcrossItsAttempts() {
        let bare = MessageTrace.header(of: message([:], attempt: 1))
        #expect(TraceHeader.isRoot(bare.root))
        #expect(MessageTrace.header(of: message([:], attempt: 2)) == bare)
        let traced = message([TraceHeader.attribute: "Root=\(root);Parent=53995c3f42cd8ad8;Sampled=0"])
        #expect(MessageTrace.header(of: traced) == TraceHeader(root: root))
    }

    /// Records the trace each invocation ran under.
    struct Recording: WorkerShip {
        let seen = Locked<[String?]>([])
        var name: String { "Audit" }
        var fanOutStrategy: FanOutStrategy { .account }
        func execute(_ invocation: WorkerInvocation, context: WorkerContext) async throws -> [UInt8] {
            seen.withLock { $0.append(invocation.traceHeader) }
            return Array("{}".utf8)
        }
    }

    @Test func theWorkerAndItsRunHistoryGetThePayloadsRoot() async throws {
        let dir = NSTemporaryDirectory() + "trace-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = ManualClock()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = RunHistoryStore(root: dir, clock: clock, logger: logger)
        let ship = Recording()
        let executor = WorkerExecutor(
            configuration: RunHistoryRecordingTests().worker, ship: ship, invoker: RunHistoryRecordingTests.NoInvoker(),
            status: StatusBoard(startedAt: clock.now(), pid: 1), clock: clock, logger: logger, metrics: nil,
            history: RunHistoryRecorder(store: store, worker: "Audit", limits: .default))
        #expect(await executor.handle(message([TraceHeader.attribute: "Root=\(root);Sampled=0"])) == .done)
        #expect(ship.seen.value == ["Root=\(root);Sampled=0"])
        store.flush()
        #expect(try RunHistoryReader(root: dir).read(worker: "Audit").runs.map(\.traceId) == [root])
    }

    @Test func aDeadLetterNamesTheRootItsMessageRanUnder() throws {
        #expect(DeadLetter.traceAttribute == TraceHeader.attribute)
        let letter = DeadLetter(
            queue: "Audit", messageId: "m-1", reason: "maxReceiveCount exceeded", bodyText: "{}",
            attributes: [TraceHeader.attribute: "Root=\(root);Sampled=0"], deduplicationId: nil, receiveCount: 3,
            maxReceiveCount: 3, sentTimestamp: Date(timeIntervalSince1970: 0), firstReceiveTimestamp: nil,
            deadLetteredTimestamp: Date(timeIntervalSince1970: 60), failures: [])
        #expect(letter.traceId == root)
        // Files written before the field existed still read (it is optional), and it is omitted when absent.
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(letter)) as! [String: Any]
        old.removeValue(forKey: "traceId")
        let decoded = try JSONDecoder().decode(DeadLetter.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(decoded.traceId == nil && decoded.messageId == "m-1")
        let untraced = DeadLetter(
            queue: "Audit", messageId: "m-2", reason: "r", bodyText: "{}", attributes: [:], deduplicationId: nil,
            receiveCount: 1, maxReceiveCount: 1, sentTimestamp: Date(timeIntervalSince1970: 0), firstReceiveTimestamp: nil,
            deadLetteredTimestamp: Date(timeIntervalSince1970: 0), failures: [])
        #expect(!String(decoding: try JSONEncoder().encode(untraced), as: UTF8.self).contains("traceId"))
    }
}
