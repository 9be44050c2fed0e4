import Foundation
import Logging
import StarfleetClock
import StarfleetQueue
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS
@testable import StarfleetSQSQueue

/// SQSQueue through the MessageQueue protocol against a real moto_server: batching, receive counts, settling, and the
/// three dead-letter paths (starfleetd's MaxReceiveCount without a RedrivePolicy, SQS's with one, permanent failures).
@Suite struct SQSQueueMotoTests {
    @Test func sendsInBatchesReceivesWithCountsAndDeletes() async throws {
        try await MotoSQS.with { f in
            let queue = try await f.queue("plain")
            let sent = try await queue.send(
                (0..<25).map { OutgoingMessage(body: "{\"n\":\($0)}", attributes: ["StarfleetAccount": "\($0)"]) })
            #expect(sent.count == 25 && Set(sent.map(\.messageId)).count == 25 && !sent.contains { $0.messageId.isEmpty })
            let stats = try await queue.stats()
            #expect(stats.visible == 25 && stats.inFlight == 0)
            let received = try await f.receiveAll(queue, count: 25)
            #expect(Set(received.map(\.messageId)) == Set(sent.map(\.messageId)))
            #expect(received.allSatisfy { $0.receiveCount == 1 && $0.failures.isEmpty })
            #expect(Set(received.map(\.body)) == Set((0..<25).map { "{\"n\":\($0)}" }))
            #expect(received.first { $0.body == "{\"n\":7}" }?.attributes == ["StarfleetAccount": "7"])
            #expect(try await queue.stats().inFlight == 25)
            for message in received { #expect(try await queue.delete(message.receiptHandle)) }
            #expect(try await queue.stats() == QueueStats())
            #expect(try await queue.delete(ReceiptHandle(rawValue: "bogus")) == false)
        }
    }

    @Test func withoutRedrivePolicyTheLastFailedAttemptIsDeadLetteredLocallyAndDeleted() async throws {
        try await MotoSQS.with { f in
            let queue = try await f.queue("noredrive", maxReceiveCount: 2)
            _ = try await queue.send([OutgoingMessage(body: "{\"job\":1}", attributes: ["a": "b"])])
            let first = try #require(try await f.receiveAll(queue, count: 1).first)
            _ = try await queue.retryOrDeadLetter(first.receiptHandle, failure: .exit3(), retryAfter: 0)
            let second = try #require(try await f.receiveAll(queue, count: 1).first)
            #expect(second.receiveCount == 2)
            #expect(second.failures.map(\.error) == ["exit status 3"])  // this process's history
            _ = try await queue.retryOrDeadLetter(second.receiptHandle, failure: .exit3(), retryAfter: 0)
            let letter = try f.deadLetters.show(worker: "Worker", id: first.messageId)
            #expect(letter.receiveCount == 2 && letter.maxReceiveCount == 2 && letter.failures.count == 2)
            #expect(
                letter.reason.contains("last allowed attempt")
                    && letter.reason.contains("deleted from arn:aws:sqs:us-east-1:123456789012:noredrive"))
            #expect(letter.attributes == ["a": "b"] && letter.bodyText == "{\"job\":1}")
            #expect(try await queue.stats() == QueueStats(deadLettered: 1))
        }
    }

    @Test func withoutRedrivePolicyAMessagePastMaxReceiveCountIsDeadLetteredOnReceive() async throws {
        try await MotoSQS.with { f in
            let queue = try await f.queue("crashy", maxReceiveCount: 1)
            _ = try await queue.send([OutgoingMessage(body: "poison")])
            let first = try #require(try await f.receiveAll(queue, count: 1).first)
            // The consumer died mid-attempt: the message comes back with no failure recorded.
            try await queue.changeVisibility(first.receiptHandle, timeout: 0)
            #expect(try await queue.receive(max: 10, visibilityTimeout: nil, wait: 1).isEmpty)
            let letter = try f.deadLetters.show(worker: "Worker", id: first.messageId)
            #expect(letter.reason == "maxReceiveCount exceeded" && letter.receiveCount == 2)
            #expect(try await queue.stats().visible == 0)
        }
    }

    @Test func withRedrivePolicySQSMovesTheMessageAndPermanentFailuresAreCopiedToTheDLQ() async throws {
        try await MotoSQS.with { f in
            let dlqURL = try await f.client.createQueue(name: "dlq.fifo", attributes: ["FifoQueue": "true"])
            let policy = #"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq.fifo","maxReceiveCount":"2"}"#
            let queue = try await f.queue(
                "src.fifo", attributes: ["FifoQueue": "true", "RedrivePolicy": policy], maxReceiveCount: 5)
            _ = try await queue.send([
                OutgoingMessage(body: "retried", attributes: ["group": "a"], deduplicationId: "one"),
                OutgoingMessage(body: "retried", attributes: ["group": "a"], deduplicationId: "one"),  // a duplicate: dropped
                OutgoingMessage(body: "permanent", attributes: ["group": "b"], deduplicationId: "two"),
            ])
            let first = try await f.receiveAll(queue, count: 2)
            #expect(Set(first.map(\.body)) == ["retried", "permanent"])
            let permanent = try #require(first.first { $0.body == "permanent" })
            _ = try await queue.deadLetter(permanent.receiptHandle, failure: .exit3())
            var retried = try #require(first.first { $0.body == "retried" })
            _ = try await queue.retryOrDeadLetter(retried.receiptHandle, failure: .exit3(), retryAfter: 0)
            retried = try #require(try await f.receiveAll(queue, count: 1).first)
            #expect(retried.receiveCount == 2)
            // The RedrivePolicy's maxReceiveCount (2) wins over the worker's (5): this was the last attempt.
            _ = try await queue.retryOrDeadLetter(retried.receiptHandle, failure: .exit3(), retryAfter: 0)
            #expect(try await queue.receive(max: 10, visibilityTimeout: nil, wait: 1).isEmpty)  // SQS moves it now
            var moved: [SQSMessage] = []
            for _ in 0..<10 where moved.count < 2 {
                let batch = try await f.client.receiveMessage(
                    queueUrl: dlqURL, maxNumberOfMessages: 10, visibilityTimeout: 30, waitTimeSeconds: 1)
                moved += batch
            }
            #expect(moved.map(\.body).sorted() == ["permanent", "retried"])
            let letters = try f.deadLetters.list(worker: "Worker")
            #expect(letters.count == 2)
            #expect(letters.contains { $0.reason.contains("no retry can fix") && $0.reason.contains("dlq.fifo") })
            #expect(letters.contains { $0.reason.contains("RedrivePolicy") && $0.receiveCount == 2 })
        }
    }
}

/// A long poll whose caller is cancelled (a stop or reload) does not strand the next message in flight.
@Suite struct SQSAbandonedPollTests {
    @Test func aCancelledReceiveReturnsAtOnceAndWhatItsPollGetsLaterIsVisibleAgainAtOnce() async throws {
        try await MotoSQS.with { f in
            // 30 s visibility: a message the abandoned poll kept would not come back within the bound below.
            let queue = try await f.queue("abandoned")
            let cancelledAt = ContinuousClock.now
            let task = Task { try await queue.receiveWhenAvailable(max: 10) }
            task.cancel()
            await #expect(throws: CancellationError.self) { _ = try await task.value }
            #expect(ContinuousClock.now - cancelledAt < .seconds(2))

            // The poll is still open at moto, as SQS would keep it: it takes this message and gives it back.
            let sentAt = ContinuousClock.now
            _ = try await queue.send([OutgoingMessage(body: "after the stop")])
            let received = try await f.receiveAll(queue, count: 1)
            #expect(received.map(\.body) == ["after the stop"])
            #expect(ContinuousClock.now - sentAt < .seconds(15))
        }
    }
}
