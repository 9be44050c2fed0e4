import Foundation
import Logging
import StarfleetQueue
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS
@testable import StarfleetSQSQueue

/// SQSQueue on moto_server with the manual clock: what a received message carries across receives, which failure
/// is the last one when the queue's RedrivePolicy and the worker disagree, what happens when the dead-letter file
/// cannot be written, permanent failures without a RedrivePolicy, FIFO sends without a deduplication id, and a queue
/// that does not exist.
@Suite struct SQSQueueFailureTests {
    @Test func aReceivedMessageCarriesSQSTimestampsAttributesAndAGrowingCount() async throws {
        let clock = ManualClock()
        try await MotoSQS.with(clock: clock) { f in
            let queue = try await f.queue("model", maxReceiveCount: 5)
            let attributes = ["StarfleetAccount": "123456789012", "StarfleetRegion": "eu-west-1", "note": "caf\u{e9}"]
            _ = try await queue.send([OutgoingMessage(body: "{\"job\":1}", attributes: attributes)])
            let first = try #require(try await f.receiveAll(queue, count: 1).first)
            #expect(first.receiveCount == 1 && first.body == "{\"job\":1}" && first.attributes == attributes)
            // The timestamps are SQS's, not the (far-off) manual clock's.
            #expect(abs(first.sentTimestamp.timeIntervalSinceNow) < 300)
            #expect(abs(first.firstReceiveTimestamp.timeIntervalSinceNow) < 300)
            #expect(first.sentTimestamp != clock.now())
            _ = try await queue.retryOrDeadLetter(first.receiptHandle, failure: .exit3(), retryAfter: 0)
            let second = try #require(try await f.receiveAll(queue, count: 1).first)
            #expect(second.messageId == first.messageId && second.receiptHandle != first.receiptHandle)
            #expect(second.receiveCount == 2 && second.attributes == attributes)
            #expect(second.firstReceiveTimestamp == first.firstReceiveTimestamp)
            #expect(second.sentTimestamp == first.sentTimestamp)
            #expect(second.failures.map(\.error) == ["exit status 3"])
        }
    }

    @Test func aRedrivePolicyAboveTheWorkersLimitDecidesTheLastAttempt() async throws {
        try await MotoSQS.with(clock: ManualClock()) { f in
            let dlq = try await f.client.createQueue(name: "dlq-high")
            let policy = #"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq-high","maxReceiveCount":"3"}"#
            // The worker would give up after one receive; the queue's policy allows three, and wins.
            let queue = try await f.queue("high", attributes: ["RedrivePolicy": policy], maxReceiveCount: 1)
            _ = try await queue.send([OutgoingMessage(body: "flaky")])
            for attempt in 1...2 {
                let message = try #require(try await f.receiveAll(queue, count: 1).first)
                #expect(message.receiveCount == attempt && message.failures.count == attempt - 1)
                _ = try await queue.retryOrDeadLetter(message.receiptHandle, failure: .exit3(), retryAfter: 0)
                #expect(try f.letters().isEmpty, "attempt \(attempt) is not the last")
            }
            let last = try #require(try await f.receiveAll(queue, count: 1).first)
            #expect(last.receiveCount == 3)
            _ = try await queue.retryOrDeadLetter(last.receiptHandle, failure: .exit3(), retryAfter: 0)
            let letter = try f.deadLetters.show(worker: "Worker", id: last.messageId)
            #expect(letter.maxReceiveCount == 3 && letter.receiveCount == 3 && letter.failures.count == 3)
            #expect(letter.reason.contains(SQSQueue.deadLetterQueueMarker + "arn:aws:sqs:us-east-1:123456789012:dlq-high"))
            #expect(letter.deadLetteredTimestamp == f.clock.now())
            // Made visible at once: SQS moves it to its DLQ on the next receive.
            #expect(try await queue.receive(max: 10, visibilityTimeout: nil, wait: 0).isEmpty)
            #expect(try await f.drain(dlq, expecting: 1).map(\.body) == ["flaky"])
        }
    }

    @Test func aDeadLetterFileThatCannotBeWrittenLeavesTheMessageInSQS() async throws {
        // The dead-letter root lies under a regular file, so making its folder fails (ENOTDIR).
        let underAFile = { (directory: TemporaryDirectory) throws -> String in
            try directory.write("file", "not a folder")
            return directory.path("file/dead-letter")
        }
        try await MotoSQS.with(clock: ManualClock(), deadLetterRoot: underAFile) { f in
            let queue = try await f.queue("unwritable", maxReceiveCount: 1)
            _ = try await queue.send([OutgoingMessage(body: "keep me")])
            let message = try #require(try await f.receiveAll(queue, count: 1).first)
            // The call says so ("kept") rather than announcing a dead letter that did not happen.
            let last = try await queue.retryOrDeadLetter(message.receiptHandle, failure: .exit3(), retryAfter: 30)
            let permanent = try await queue.deadLetter(message.receiptHandle, failure: .exit3())
            for disposition in [last, permanent] {
                guard case .kept(let why) = disposition else {
                    Issue.record("an unwritable dead letter gave \(disposition)")
                    continue
                }
                #expect(why.contains("could not be made"))
            }
            // Neither deleted nor handed on: still in flight, so it comes back and a later attempt tries again.
            #expect(try await queue.stats() == QueueStats(inFlight: 1))
        }
    }

    @Test func aPermanentFailureWithoutRedrivePolicyIsFiledAndDeleted() async throws {
        try await MotoSQS.with(clock: ManualClock()) { f in
            let queue = try await f.queue("permanent", maxReceiveCount: 5)
            _ = try await queue.send([OutgoingMessage(body: "bad template", attributes: ["a": "b"])])
            let message = try #require(try await f.receiveAll(queue, count: 1).first)
            _ = try await queue.deadLetter(message.receiptHandle, failure: .exit3())
            let letter = try f.deadLetters.show(worker: "Worker", id: message.messageId)
            // Nothing holds a copy in SQS, so the file is the message: redrivable, no DLQ marker.
            #expect(letter.reason == "failed in a way no retry can fix")
            #expect(letter.bodyText == "bad template" && letter.attributes == ["a": "b"] && letter.failures.count == 1)
            #expect(letter.receiveCount == 1 && letter.maxReceiveCount == 5)
            #expect(letter.deadLetteredTimestamp == f.clock.now())
            #expect(try await queue.stats() == QueueStats(deadLettered: 1))
            // Settled: the handle is no longer one this queue holds.
            let error = try await #require(throws: QueueError.self) {
                _ = try await queue.deadLetter(message.receiptHandle, failure: .exit3())
            }
            #expect(error.code == .receiptHandleIsInvalid)
        }
    }

    @Test func aReceiveReplacesTheMessagesEarlierHandle() async throws {
        try await MotoSQS.with(clock: ManualClock()) { f in
            let queue = try await f.queue("rereceived", maxReceiveCount: 5)
            _ = try await queue.send([OutgoingMessage(body: "twice")])
            let first = try #require(try await f.receiveAll(queue, count: 1).first)
            try await queue.changeVisibility(first.receiptHandle, timeout: 0)
            let second = try #require(try await f.receiveAll(queue, count: 1).first)
            // Only the latest receive may settle the message: an older attempt's failure must not dead-letter it.
            let error = try await #require(throws: QueueError.self) {
                _ = try await queue.deadLetter(first.receiptHandle, failure: .exit3())
            }
            #expect(error.code == .receiptHandleIsInvalid)
            _ = try await queue.deadLetter(second.receiptHandle, failure: .exit3())
            #expect(try f.letters().map(\.messageId) == [second.messageId])
        }
    }

    @Test func fifoMessagesWithoutADeduplicationIdAreAllDelivered() async throws {
        try await MotoSQS.with { f in
            // Content-based deduplication would drop the second "same" if starfleetd sent no id of its own. Two groups,
            // so that neither waits behind the other in flight.
            let queue = try await f.queue(
                "nodedup.fifo", attributes: ["FifoQueue": "true", "ContentBasedDeduplication": "true"])
            _ = try await queue.send([
                OutgoingMessage(body: "same", attributes: ["group": "a"]),
                OutgoingMessage(body: "same", attributes: ["group": "b"]),
            ])
            // Hidden for long after receipt, so a dropped duplicate cannot be made up by the same message coming back.
            var received: [ReceivedMessage] = []
            for _ in 0..<5 where received.count < 2 {
                received += try await queue.receive(max: 10, visibilityTimeout: 600, wait: 1)
            }
            #expect(received.map(\.body) == ["same", "same"])
            #expect(Set(received.map(\.messageId)).count == 2)
        }
    }

    @Test func aQueueThatDoesNotExistThrowsSQSsErrorWithAHint() async throws {
        try await MotoSQS.with(clock: ManualClock()) { f in
            let url = try SQSQueueURL.forTests("never-created")
            let options = SQSQueueOptions(deadLetters: f.deadLetters, messageGroup: { _ in "g" })
            let queue = SQSQueue(
                name: "Worker", url: url, client: f.client, options: options, clock: f.clock, logger: Logger.quiet)
            let receiving = try await #require(throws: SQSError.self) {
                try await queue.receive(max: 1, visibilityTimeout: nil, wait: 0)
            }
            let sending = try await #require(throws: SQSError.self) {
                try await queue.send([OutgoingMessage(body: "x")])
            }
            for error in [receiving, sending] {
                #expect(error.status == 400 && error.queueUrl == url.url)
                #expect(error.description.contains("no such queue"), "\(error)")
            }
        }
    }
}
