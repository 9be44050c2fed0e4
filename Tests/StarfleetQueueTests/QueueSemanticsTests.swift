import Foundation
import StarfleetClock
import Testing

@testable import StarfleetQueue

@Suite struct QueueSemanticsTests {
    @Test func sendReceiveDeleteRoundTrip() async throws {
        let f = QueueFixture()
        let q = try f.open()
        let sent = try await q.send([message(#"{"a":1}"#, attributes: ["k": "v"]), message("two")])
        #expect(sent.count == 2 && sent.allSatisfy { !$0.duplicate })
        let got = try await q.receive(max: 10, visibilityTimeout: nil, wait: 0)
        #expect(got.map(\.body) == [#"{"a":1}"#, "two"])
        #expect(got[0].attributes == ["k": "v"])
        #expect(got[0].messageId == sent[0].messageId)
        #expect(got.allSatisfy { $0.receiveCount == 1 && $0.firstReceiveTimestamp == f.clock.now() })
        #expect(got[0].sentTimestamp == f.clock.now())
        for m in got { #expect(try await q.delete(m.receiptHandle)) }
        #expect(try await q.receive(max: 10, visibilityTimeout: nil, wait: 0).isEmpty)
        #expect(try await q.stats() == QueueStats())
        await q.close()
    }

    @Test func receivedMessageReappearsAfterVisibilityTimeoutWithHigherCount() async throws {
        let f = QueueFixture(visibilityTimeout: 30)
        let q = try f.open()
        _ = try await q.send([message("m")])
        let first = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)
        let firstReceive = f.clock.now()
        f.clock.advance(by: 29)
        #expect(try await q.receive(max: 1, visibilityTimeout: nil, wait: 0).isEmpty)
        #expect(try await q.stats().inFlight == 1)
        f.clock.advance(by: 1)
        let second = try await q.receive(max: 1, visibilityTimeout: 10, wait: 0)
        #expect(second.first?.receiveCount == 2)
        #expect(second.first?.firstReceiveTimestamp == firstReceive)
        // The first handle is stale now: delete is a no-op false, change visibility an error.
        #expect(try await q.delete(first[0].receiptHandle) == false)
        await #expect(throws: QueueError.self) {
            try await q.changeVisibility(first[0].receiptHandle, timeout: 5)
        }
        #expect(try await q.delete(second[0].receiptHandle))
        await q.close()
    }

    @Test func changeVisibilityCountsFromNowAndZeroMeansVisibleNow() async throws {
        let f = QueueFixture(visibilityTimeout: 60)
        let q = try f.open()
        _ = try await q.send([message("m")])
        let m = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)[0]
        f.clock.advance(by: 15)
        try await q.changeVisibility(m.receiptHandle, timeout: 10)
        f.clock.advance(by: 9.9)
        #expect(try await q.receive(max: 1, visibilityTimeout: nil, wait: 0).isEmpty)
        f.clock.advance(by: 0.1)  // t = 25 s, as in AWS's example
        let again = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)
        #expect(again.count == 1)
        try await q.changeVisibility(again[0].receiptHandle, timeout: 0)
        #expect(try await q.receive(max: 1, visibilityTimeout: nil, wait: 0).first?.receiveCount == 3)
        await q.close()
    }

    @Test func visibilityIsCappedAtTwelveHoursFromTheReceiveWithAnErrorNotAClamp() async throws {
        let f = QueueFixture()
        let q = try f.open()
        _ = try await q.send([message("m")])
        let m = try await q.receive(max: 1, visibilityTimeout: 43_200, wait: 0)[0]
        f.clock.advance(by: 3600)
        let error = await #expect(throws: QueueError.self) {
            try await q.changeVisibility(m.receiptHandle, timeout: 43_200 - 3600 + 1)
        }
        #expect(error?.code == .invalidParameterValue)
        try await q.changeVisibility(m.receiptHandle, timeout: 43_200 - 3600)
        await #expect(throws: QueueError.self) { try await q.changeVisibility(m.receiptHandle, timeout: -1) }
        await q.close()
    }

    @Test func delayedMessageBecomesVisibleOnlyAfterItsDelay() async throws {
        let f = QueueFixture()
        let q = try f.open()
        _ = try await q.send([message("later", delay: 900)])
        #expect(try await q.stats().delayed == 1)
        f.clock.advance(by: 899)
        #expect(try await q.receive(max: 1, visibilityTimeout: nil, wait: 0).isEmpty)
        f.clock.advance(by: 1)
        #expect(try await q.receive(max: 1, visibilityTimeout: nil, wait: 0).map(\.body) == ["later"])
        await #expect(throws: QueueError.self) { _ = try await q.send([message("x", delay: 901)]) }
        await #expect(throws: QueueError.self) { _ = try await q.send([message("x", delay: -1)]) }
        await q.close()
    }

    @Test func sendRejectsOversizedEmptyAndInvalidBodiesWithClearErrors() async throws {
        let f = QueueFixture()
        let q = try f.open()
        let big = String(repeating: "a", count: QueueLimits.maxMessageBytes)
        _ = try await q.send([message(big)])  // exactly 1 MiB is fine
        let tooBig = await #expect(throws: QueueError.self) {
            _ = try await q.send([message(big, attributes: ["k": "v"])])
        }
        #expect(tooBig?.code == .messageTooLarge)
        #expect(tooBig?.description.contains("1 MiB") == true)
        let empty = await #expect(throws: QueueError.self) { _ = try await q.send([message("")]) }
        #expect(empty?.code == .invalidMessageContents)
        let control = await #expect(throws: QueueError.self) { _ = try await q.send([message("a\u{1}b")]) }
        #expect(control?.code == .invalidMessageContents)
        _ = try await q.send([message("tab\tnewline\ncr\r ✓ \u{10000}")])
        let tooMany = Dictionary(uniqueKeysWithValues: (0..<11).map { ("k\($0)", "v") })
        await #expect(throws: QueueError.self) { _ = try await q.send([message("x", attributes: tooMany)]) }
        // A bad entry fails the whole send before anything is written.
        await #expect(throws: QueueError.self) { _ = try await q.send([message("ok"), message("")]) }
        #expect(try await q.stats().visible == 2)
        await q.close()
    }

    @Test func receiveValidatesItsParameters() async throws {
        let f = QueueFixture()
        let q = try f.open()
        for bad in [0, 11] {
            await #expect(throws: QueueError.self) { _ = try await q.receive(max: bad, visibilityTimeout: nil, wait: 0) }
        }
        await #expect(throws: QueueError.self) { _ = try await q.receive(max: 1, visibilityTimeout: nil, wait: 21) }
        await #expect(throws: QueueError.self) { _ = try await q.receive(max: 1, visibilityTimeout: 43_201, wait: 0) }
        let bad = await #expect(throws: QueueError.self) { _ = try await q.delete(ReceiptHandle(rawValue: "nonsense")) }
        #expect(bad?.code == .receiptHandleIsInvalid)
        #expect(try await q.delete(ReceiptHandle(rawValue: "\(UUID().uuidString):1")) == false)
        await q.close()
    }

    @Test func receiveReturnsAtMostMaxInSendOrder() async throws {
        let f = QueueFixture()
        let q = try f.open()
        _ = try await q.send((0..<25).map { message("m\($0)") })
        let a = try await q.receive(max: 10, visibilityTimeout: nil, wait: 0)
        let b = try await q.receive(max: 10, visibilityTimeout: nil, wait: 0)
        let c = try await q.receive(max: 10, visibilityTimeout: nil, wait: 0)
        #expect((a + b + c).map(\.body) == (0..<25).map { "m\($0)" })
        #expect(c.count == 5)
        await q.close()
    }

    @Test func deduplicationIdWithinFiveMinutesIsAcceptedButNotEnqueued() async throws {
        let f = QueueFixture()
        var q = try f.open()
        let first = try await q.send([message("a", dedup: "run-1"), message("b", dedup: "run-1")])
        #expect(first[0].duplicate == false)
        #expect(first[1] == SendResult(messageId: first[0].messageId, duplicate: true))
        // Deleting the message does not forget the id.
        let m = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)[0]
        #expect(try await q.delete(m.receiptHandle))
        f.clock.advance(by: 200)
        // The window survives a restart: it is rebuilt from the journal.
        await q.close()
        q = try f.open()
        let again = try await q.send([message("c", dedup: "run-1")])
        #expect(again == [SendResult(messageId: first[0].messageId, duplicate: true)])
        #expect(try await q.stats().visible == 0)
        f.clock.advance(by: 101)
        let after = try await q.send([message("d", dedup: "run-1")])
        #expect(after[0].duplicate == false && after[0].messageId != first[0].messageId)
        let received = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)
        #expect(received.first?.deduplicationId == "run-1")
        await q.close()
    }

    @Test func messagesPastRetentionAreDroppedAndCounted() async throws {
        let f = QueueFixture()
        f.options.retention = 3600
        let q = try f.open()
        _ = try await q.send([message("old")])
        f.clock.advance(by: 1800)
        _ = try await q.send([message("new")])
        f.clock.advance(by: 1800)
        let got = try await q.receive(max: 10, visibilityTimeout: nil, wait: 0)
        #expect(got.map(\.body) == ["new"])
        #expect(try await q.stats().expired == 1)
        await q.close()
    }

    @Test func purgeRemovesVisibleAndInFlightMessagesDurably() async throws {
        let f = QueueFixture()
        var q = try f.open()
        _ = try await q.send([message("a"), message("b"), message("c")])
        _ = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)
        #expect(try await q.purge() == 3)
        #expect(try await q.stats() == QueueStats())
        _ = try await q.send([message("after")])
        await q.close()
        q = try f.open()
        #expect(try await q.receive(max: 10, visibilityTimeout: nil, wait: 0).map(\.body) == ["after"])
        await q.close()
    }

    @Test func statsCountVisibleInFlightAndDelayed() async throws {
        let f = QueueFixture()
        let q = try f.open()
        _ = try await q.send([message("a"), message("b"), message("c", delay: 10)])
        _ = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)
        #expect(try await q.stats() == QueueStats(visible: 1, inFlight: 1, delayed: 1))
        await q.close()
        await #expect(throws: QueueError.self) { _ = try await q.stats() }
    }
}
