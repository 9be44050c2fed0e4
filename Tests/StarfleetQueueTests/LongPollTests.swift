import Foundation
import StarfleetClock
import StarfleetTestSupport
import Testing

@testable import StarfleetQueue

@Suite struct LongPollTests {
    @Test func longPollReturnsAsSoonAsAMessageIsSent() async throws {
        let f = QueueFixture()
        let q = try f.open()
        let receiver = Task { try await q.receive(max: 10, visibilityTimeout: nil, wait: 20) }
        try await f.clock.waitForSleepers(1)
        _ = try await q.send([message("hello")])
        let got = try await receiver.value
        #expect(got.map(\.body) == ["hello"])
        #expect(f.clock.now() == ManualClock().now())  // no time passed
        await q.close()
    }

    @Test func longPollReturnsEmptyWhenTheWaitEnds() async throws {
        let f = QueueFixture()
        let q = try f.open()
        let receiver = Task { try await q.receive(max: 1, visibilityTimeout: nil, wait: 5) }
        try await f.clock.waitForSleepers(1)
        f.clock.advance(by: 5)
        #expect(try await receiver.value.isEmpty)
        await q.close()
    }

    @Test func longPollWakesWhenADelayedMessageComesDue() async throws {
        let f = QueueFixture()
        let q = try f.open()
        _ = try await q.send([message("soon", delay: 3)])
        let receiver = Task { try await q.receive(max: 1, visibilityTimeout: nil, wait: 20) }
        try await f.clock.waitForSleepers(1)
        #expect(f.clock.sleeperCount == 1)
        f.clock.advance(by: 3)
        #expect(try await receiver.value.map(\.body) == ["soon"])
        await q.close()
    }

    @Test func longPollWakesWhenAMessageIsMadeVisibleAgain() async throws {
        let f = QueueFixture()
        let q = try f.open()
        _ = try await q.send([message("m")])
        let m = try await q.receive(max: 1, visibilityTimeout: 600, wait: 0)[0]
        let receiver = Task { try await q.receive(max: 1, visibilityTimeout: nil, wait: 20) }
        try await f.clock.waitForSleepers(1)
        try await q.changeVisibility(m.receiptHandle, timeout: 0)
        #expect(try await receiver.value.first?.receiveCount == 2)
        await q.close()
    }

    /// Waits until a receiver is suspended on the queue's own notification.
    func waitForReceiver(_ q: JournalQueue) async {
        while !q.state.withLock({ $0.receiveWaiters.values.contains { if case .waiting = $0 { true } else { false } } }) {
            await Task.yield()
        }
    }

    @Test func anIndefiniteWaitSetsNoTimerAndASendEndsIt() async throws {
        let f = QueueFixture()
        let q = try f.open()
        let receiver = Task { try await q.receiveWaitingIndefinitely(max: 10, visibilityTimeout: nil) }
        await waitForReceiver(q)
        #expect(f.clock.sleeperCount == 0, "an idle receiver must not wake on a timer")
        _ = try await q.send([message("hello")])
        #expect(try await receiver.value.map(\.body) == ["hello"])
        await q.close()
    }

    @Test func anIndefiniteWaitWakesWhenADelayedMessageComesDue() async throws {
        let f = QueueFixture()
        let q = try f.open()
        _ = try await q.send([message("soon", delay: 3)])
        let receiver = Task { try await q.receiveWaitingIndefinitely(max: 1, visibilityTimeout: nil) }
        try await f.clock.waitForSleepers(1)  // the one timer: when "soon" turns visible
        f.clock.advance(by: 3)
        #expect(try await receiver.value.map(\.body) == ["soon"])
        await q.close()
    }

    @Test(.timeLimit(.minutes(1))) func anIndefiniteWaitWakesForARetryBackoffSetWhileItWaits() async throws {
        let f = QueueFixture()
        let q = try f.open()
        _ = try await q.send([message("m")])
        let taken = try await q.receive(max: 1, visibilityTimeout: 600, wait: 0)[0]
        let receiver = Task { try await q.receiveWaitingIndefinitely(max: 1, visibilityTimeout: nil) }
        await waitForReceiver(q)
        // The worker failed: the message comes back in 5 s, long before its 600 s visibility timeout.
        _ = try await q.retryOrDeadLetter(
            taken.receiptHandle, failure: FailureRecord(time: f.clock.now(), error: "boom"), retryAfter: 5)
        // The waiter is told, and now waits for the 5 s (a deadline on the wall clock: advancing first is fine).
        f.clock.advance(by: 5)
        #expect(try await receiver.value.first?.receiveCount == 2)
        await q.close()
    }

    @Test func cancellingAnIndefiniteWaitEndsIt() async throws {
        let f = QueueFixture()
        let q = try f.open()
        let receiver = Task { try await q.receiveWaitingIndefinitely(max: 1, visibilityTimeout: nil) }
        await waitForReceiver(q)
        receiver.cancel()
        #expect(try await receiver.value.isEmpty)
        #expect(q.state.withLock { $0.receiveWaiters.isEmpty })
        await q.close()
    }

    @Test func closeEndsALongPoll() async throws {
        let f = QueueFixture()
        let q = try f.open()
        let receiver = Task { try await q.receive(max: 1, visibilityTimeout: nil, wait: 20) }
        try await f.clock.waitForSleepers(1)
        await q.close()
        #expect(try await receiver.value.isEmpty)
    }
}

@Suite struct ConcurrencyTests {
    /// Many receivers race for a few thousand messages: nobody gets a message another holds inside its
    /// visibility window, and every message is delivered exactly once (nothing times out: the clock stands still).
    @Test func concurrentReceiversNeverShareAMessage() async throws {
        let f = QueueFixture(visibilityTimeout: 300)
        let q = try f.open()
        let total = 3000
        _ = try await q.send((0..<total).map { message("m\($0)") })
        let seen = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var mine: [String] = []
                    while true {
                        let batch = try await q.receive(max: 10, visibilityTimeout: nil, wait: 0)
                        if batch.isEmpty { return mine }
                        for m in batch {
                            mine.append(m.messageId)
                            if Int.random(in: 0..<2) == 0 { _ = try await q.delete(m.receiptHandle) }
                        }
                    }
                }
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(seen.count == total)
        #expect(Set(seen).count == total)
        let stats = try await q.stats()
        #expect(stats.visible == 0 && stats.inFlight + 0 <= total)
        await q.close()
    }

    @Test func concurrentSendersAllGetDurableDistinctIds() async throws {
        let f = QueueFixture()
        var q = try f.open()
        let queue = q
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for t in 0..<8 {
                group.addTask { try await (0..<50).asyncMap { i in try await queue.send([message("t\(t)-\(i)")])[0].messageId } }
            }
            var all: [String] = []
            for try await batch in group { all += batch }
            return all
        }
        #expect(Set(ids).count == 400)
        await q.close()
        q = try f.open()
        #expect(Set(try q.messages().map(\.messageId)) == Set(ids))
        await q.close()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
