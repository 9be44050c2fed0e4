import Foundation
import Logging
import StarfleetClock
import StarfleetTestSupport
import Testing

@testable import StarfleetQueue

/// A reload re-asks the queue set for a worker's queue with the new VisibilityTimeoutSeconds and MaxReceiveCount; the
/// open queue must take them, or a run whose timeout grew would outlast its message's visibility and run twice.
@Suite struct QueueSetRetuneTests {
    @Test func reopeningAnOpenQueueAppliesTheNewVisibilityAndReceiveLimit() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("retune-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock()
        let set = QueueSet(stateDirectory: root, clock: clock, logger: Logger(label: "test"))
        let first = try set.queue("AuditWorker", visibilityTimeout: 30, maxReceiveCount: 4)
        _ = try await first.send([OutgoingMessage(body: "m1")])

        let reloaded = try set.queue("AuditWorker", visibilityTimeout: 600, maxReceiveCount: 2)
        #expect(reloaded === first)
        #expect(reloaded.visibilityTimeout == 600 && reloaded.maxReceiveCount == 2)

        let received = try await reloaded.receive(max: 1, visibilityTimeout: nil, wait: 0)
        #expect(received.count == 1)
        clock.advance(by: 31)  // past the old 30 s: with the old setting the message would be visible again
        #expect(try await reloaded.receive(max: 1, visibilityTimeout: nil, wait: 0).isEmpty)
        clock.advance(by: 570)  // 601 s: now it is back
        let again = try await reloaded.receive(max: 1, visibilityTimeout: nil, wait: 0)
        #expect(again.first?.receiveCount == 2)
        clock.advance(by: 601)
        // The third receive would pass the new MaxReceiveCount of 2: the message is dead-lettered instead.
        #expect(try await reloaded.receive(max: 1, visibilityTimeout: nil, wait: 0).isEmpty)
        #expect(try set.deadLetters.list(worker: "AuditWorker").count == 1)
        await set.closeAll()
    }

    @Test func concurrentFirstOpensOfOneQueueShareIt() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("open-race-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let set = QueueSet(stateDirectory: root, clock: ManualClock(), logger: Logger(label: "test"))
        let opened = await withTaskGroup(of: JournalQueue?.self) { group in
            for _ in 0..<8 { group.addTask { try? set.queue("AuditWorker") } }
            return await group.reduce(into: [JournalQueue?]()) { $0.append($1) }
        }
        #expect(opened.allSatisfy { $0 != nil }, "a concurrent first open failed")
        #expect(Set(opened.compactMap { $0.map(ObjectIdentifier.init) }).count == 1)
        await set.closeAll()
    }

    @Test func anOutOfRangeReloadedValueIsRefusedAndTheOldOneKept() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("retune-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let set = QueueSet(stateDirectory: root, clock: ManualClock(), logger: Logger(label: "test"))
        let queue = try set.queue("AuditWorker", visibilityTimeout: 30, maxReceiveCount: 4)
        #expect(throws: QueueError.self) { try set.queue("AuditWorker", visibilityTimeout: 50_000, maxReceiveCount: 4) }
        #expect(queue.visibilityTimeout == 30)
    }
}
