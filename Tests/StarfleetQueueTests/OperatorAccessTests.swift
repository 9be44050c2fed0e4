import Foundation
import StarfleetClock
import Testing

@testable import StarfleetQueue

@Suite struct OperatorAccessTests {
    /// While the daemon holds the queue, `dlq redrive` goes through the inbox; the daemon carries it out.
    @Test func redriveRequestThroughTheInboxWhileTheQueueIsHeld() async throws {
        let f = QueueFixture()
        let set = QueueSet(stateDirectory: f.state, clock: f.clock, logger: f.logger)
        let q = try set.queue("AuditWorker", visibilityTimeout: 30, maxReceiveCount: 1)
        let id = try await q.send([message("poison")])[0].messageId
        _ = try await q.receive(max: 1, visibilityTimeout: 0, wait: 0)
        _ = try await q.receive(max: 1, visibilityTimeout: 0, wait: 0)
        #expect(try set.deadLetters.ids(worker: "AuditWorker") == [id])
        #expect(set.isOpenElsewhere("AuditWorker"))

        // The CLI side: the lock is held, so it files a request.
        let path = try set.inbox.submit(
            QueueRequest(action: .redrive, all: true, requestedAt: f.clock.now()), queue: "AuditWorker")
        #expect(FileManager.default.fileExists(atPath: path))
        await set.processInboxes()
        #expect(!FileManager.default.fileExists(atPath: path))
        let resultPath = String(path.dropLast(".request.json".count)) + ".result.json"
        #expect(FileManager.default.fileExists(atPath: resultPath))
        #expect(try set.deadLetters.ids(worker: "AuditWorker").isEmpty)
        let back = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)
        #expect(back.first?.attributes["StarfleetOriginalMessageId"] == id)
        #expect(try set.existingQueueNames() == ["AuditWorker"])
        await set.closeAll()
        #expect(!set.isOpenElsewhere("AuditWorker"))
    }

    @Test func crcMatchesTheCastagnoliCheckValue() {
        let bytes = Array("123456789".utf8)
        #expect(bytes.withUnsafeBytes { CRC32C.checksum($0) } == 0xE306_9283)
    }

    @Test func messageIdsAreVersion4UUIDsThatRoundTrip() throws {
        let ids = MessageIDGenerator.make(1000)
        #expect(Set(ids).count == 1000)
        for id in ids.prefix(50) {
            let text = id.description
            #expect(UUID(uuidString: text)?.uuidString == text)
            #expect(text[text.index(text.startIndex, offsetBy: 14)] == "4")
            #expect(MessageID(text) == id && MessageID(text.lowercased()) == id)
        }
        #expect(MessageID("not-a-uuid") == nil)
        #expect(MessageID("12345678-1234-1234-1234-1234567890123") == nil)
    }
}
