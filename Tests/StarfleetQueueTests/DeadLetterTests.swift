import Foundation
import StarfleetClock
import StarfleetTestSupport
import Testing

@testable import StarfleetQueue

@Suite struct DeadLetterTests {
    /// SQS's rule: the receive that would take the count past maxReceiveCount dead-letters instead.
    @Test func receivePastMaxReceiveCountDeadLettersTheMessage() async throws {
        let f = QueueFixture(maxReceiveCount: 2, visibilityTimeout: 10)
        let q = try f.open()
        let id = try await q.send([message(#"{"worker_ship":"AuditWorker"}"#, attributes: ["a": "b"])])[0].messageId
        for expected in 1...2 {
            let got = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)
            #expect(got.first?.receiveCount == expected)
            f.clock.advance(by: 10)
        }
        #expect(try await q.receive(max: 1, visibilityTimeout: nil, wait: 0).isEmpty)
        let letter = try f.deadLetters.show(worker: "AuditWorker", id: id)
        #expect(letter.reason == "maxReceiveCount exceeded")
        #expect(letter.receiveCount == 2 && letter.maxReceiveCount == 2)
        #expect(letter.bodyIsJSON && letter.body == .object(["worker_ship": .string("AuditWorker")]))
        #expect(letter.attributes == ["a": "b"])
        #expect(try await q.stats() == QueueStats(deadLettered: 1))
        // The file: where an operator looks, mode 0600, ISO 8601 UTC timestamps.
        let path = f.state + "/dead-letter/AuditWorker/\(id).json"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#""sentTimestamp" : "2026-01-01T00:00:00.000Z""#))
        #expect(text.contains(#""queue" : "AuditWorker""#))
        // Gone for good after a restart too.
        await q.close()
        let reopened = try f.open()
        #expect(try reopened.messages().isEmpty)
        await reopened.close()
    }

    /// The dispatcher's shortcut: a failure on the attempt whose count equals maxReceiveCount dead-letters now.
    @Test func failureOnTheLastAttemptDeadLettersAtOnceWithEveryFailure() async throws {
        let f = QueueFixture(maxReceiveCount: 3)
        let q = try f.open()
        let id = try await q.send([message("plain text body")])[0].messageId
        for attempt in 1...3 {
            let m = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)[0]
            #expect(m.failures.count == attempt - 1)
            f.clock.advance(by: 1)
            _ = try await q.retryOrDeadLetter(
                m.receiptHandle,
                failure: FailureRecord(
                    time: f.clock.now(), error: "exit status \(attempt)", exitStatus: Int32(attempt),
                    stderrTail: "boom \(attempt)"), retryAfter: attempt < 3 ? 0 : 600)
        }
        let letter = try f.deadLetters.show(id: id)
        #expect(letter.reason.hasPrefix("failed on its last allowed attempt"))
        #expect(letter.failures.map(\.exitStatus) == [1, 2, 3])
        #expect(letter.failures.map(\.stderrTail) == ["boom 1", "boom 2", "boom 3"])
        #expect(letter.bodyIsJSON == false && letter.body == .string("plain text body"))
        #expect(letter.firstFailureTimestamp == ManualClock().now().addingTimeInterval(1))
        #expect(letter.lastFailureTimestamp == ManualClock().now().addingTimeInterval(3))
        #expect(try await q.stats().deadLettered == 1)
        await q.close()
    }

    @Test func failureHistoryIsDurableAcrossRestarts() async throws {
        let f = QueueFixture(maxReceiveCount: 5)
        var q = try f.open()
        _ = try await q.send([message("m")])
        let m = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)[0]
        _ = try await q.retryOrDeadLetter(
            m.receiptHandle, failure: FailureRecord(time: f.clock.now(), error: "timeout"), retryAfter: 0)
        await q.close()
        q = try f.open()
        let again = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)[0]
        #expect(again.receiveCount == 2)
        #expect(again.failures.map(\.error) == ["timeout"])
        await q.close()
    }

    @Test func redriveSendsANewMessageWithAFreshCountAndTheOriginalIdAttribute() async throws {
        let f = QueueFixture(maxReceiveCount: 1)
        let q = try f.open()
        let body = #"{"b": [1, 2.5, "x"], "a": null}"#  // not in canonical form: must come back byte for byte
        let original = try await q.send([message(body, attributes: ["k": "v"])])[0].messageId
        _ = try await q.receive(max: 1, visibilityTimeout: 0, wait: 0)
        #expect(try await q.receive(max: 1, visibilityTimeout: 0, wait: 0).isEmpty)
        #expect(try f.deadLetters.list(worker: "AuditWorker").map(\.messageId) == [original])
        let result = try await f.deadLetters.redrive(worker: "AuditWorker", .all, into: q)
        #expect(result.failed.isEmpty)
        let newId = try #require(result.redriven[original])
        #expect(newId != original)
        #expect(try f.deadLetters.list(worker: "AuditWorker").isEmpty)
        let m = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)[0]
        #expect(m.messageId == newId && m.receiveCount == 1 && m.body == body)
        #expect(m.attributes == ["k": "v", "StarfleetOriginalMessageId": original])
        await q.close()
    }

    @Test func purgeNeedsIdsOrAllAndListShowsReasons() async throws {
        let f = QueueFixture(maxReceiveCount: 1)
        let q = try f.open()
        let ids = try await q.send((0..<3).map { message("m\($0)") }).map(\.messageId)
        _ = try await q.receive(max: 3, visibilityTimeout: 0, wait: 0)
        _ = try await q.receive(max: 3, visibilityTimeout: 0, wait: 0)
        #expect(try f.deadLetters.list(worker: "AuditWorker").allSatisfy { $0.reason == "maxReceiveCount exceeded" })
        #expect(try f.deadLetters.purge(worker: "AuditWorker", .ids([ids[0]])) == 1)
        #expect(try f.deadLetters.ids(worker: "AuditWorker").count == 2)
        #expect(try f.deadLetters.purge(worker: "AuditWorker", .all) == 2)
        #expect(try f.deadLetters.workers() == ["AuditWorker"])
        #expect(throws: QueueError.self) { try f.deadLetters.show(id: ids[0]) }
        #expect(throws: QueueError.self) { try f.deadLetters.show(worker: "AuditWorker", id: "../../etc/passwd") }
        await q.close()
    }
}
