import Foundation
import Testing

@testable import StarfleetQueue

/// What the queue keeps in memory per message and per deduplication id stays small and allocation-free: 100,000
/// queued messages with their fan-out's 100,000 ids are ~20 MB, and no per-id heap object pins freed pages.
@Suite struct CompactIndexTests {
    @Test func anIndexSlotIsFortyBytes() {
        #expect(MemoryLayout<MessageIndex.Slot>.stride == 40)
        #expect(DeduplicationWindow.bytesPerID <= 64)
    }

    @Test func theIndexRoundTripsEveryField() {
        var index = MessageIndex()
        let id = MessageID()
        let failure = FailureRecord(time: Date(timeIntervalSince1970: 5), error: "boom", exitStatus: 3, stderrTail: "tail")
        let entry = MessageEntry(
            segment: 7, offset: 1 << 40, length: 1234, sentMs: 1_000, visibleAtMs: 2_000, firstReceiveMs: 1_500,
            lastReceiveMs: 1_600, receiveCount: 3, version: 0, leaving: false, failures: [failure])
        index.insert(id, entry, nowMs: 0)
        let stored = index[id]
        #expect(stored?.segment == 7 && stored?.offset == 1 << 40 && stored?.length == 1234)
        #expect(stored?.sentMs == 1_000 && stored?.visibleAtMs == 2_000 && stored?.receiveCount == 3)
        #expect(stored?.firstReceiveMs == 1_500 && stored?.lastReceiveMs == 1_600 && stored?.failures == [failure])
        // A removed message's slot is reused by the next one, which starts with no receive state.
        index.remove(id)
        #expect(index[id] == nil && index.count == 0)
        let next = MessageID()
        index.insert(
            next,
            MessageEntry(
                segment: 8, offset: 0, length: 10, sentMs: 3_000, visibleAtMs: 0, firstReceiveMs: 0,
                lastReceiveMs: 0, receiveCount: 0), nowMs: 0)
        #expect(index[next]?.failures.isEmpty == true && index[next]?.firstReceiveMs == 0 && index[next]?.segment == 8)
        #expect(index.nextVisible(nowMs: 0) == next)
    }

    @Test func theDeduplicationWindowIsExact() {
        var window = DeduplicationWindow()
        let hex = String(repeating: "ab", count: 32)
        let entry = { (ms: Int64) in DeduplicationEntry(messageID: MessageID(high: 1, low: UInt64(ms)), sentMs: ms) }
        window[hex] = entry(1)
        #expect(window[hex]?.sentMs == 1)
        #expect(window[hex.uppercased()] == nil, "ids are compared as text: upper case is another id")
        window[hex.uppercased()] = entry(2)
        #expect(window[hex]?.sentMs == 1 && window[hex.uppercased()]?.sentMs == 2)
        #expect(window[String(hex.dropLast())] == nil, "63 digits is another id")
        window["fan-out|W|key"] = entry(3)
        #expect(window["fan-out|W|key"]?.sentMs == 3 && window.count == 3)
        window.removeValue(forKey: hex)
        #expect(window[hex] == nil && window.count == 2)
        window[hex] = entry(4)
        #expect(window[hex]?.sentMs == 4 && window.count == 3)
        window.removeAll(sentAtOrBefore: 3)
        #expect(
            window[hex]?.sentMs == 4 && window["fan-out|W|key"] == nil && window[hex.uppercased()] == nil && window.count == 1)
    }

    @Test func theDeduplicationWindowHoldsManyDigests() {
        var window = DeduplicationWindow()
        let ids = (0..<20_000).map { String(format: "%064x", $0 &* 2_654_435_761) }
        for (i, id) in ids.enumerated() {
            window[id] = DeduplicationEntry(messageID: MessageID(high: 0, low: UInt64(i)), sentMs: Int64(i))
        }
        #expect(window.count == 20_000)
        #expect(ids.indices.allSatisfy { window[ids[$0]]?.messageID.low == UInt64($0) })
        window.removeAll(sentAtOrBefore: 9_999)
        #expect(window.count == 10_000 && window[ids[9_999]] == nil && window[ids[10_000]]?.sentMs == 10_000)
    }

    @Test func aQueueForgetsItsDeduplicationIdsAtTheMinutesUpkeep() async throws {
        let fixture = QueueFixture()
        let queue = try fixture.open()
        _ = try await queue.send((0..<100).map { OutgoingMessage(body: "m\($0)", deduplicationId: String(format: "%064x", $0)) })
        #expect(queue.state.withLock { $0.deduplication.count } == 100)
        fixture.clock.advance(by: 301)
        queue.expireOldMessages()
        #expect(queue.state.withLock { $0.deduplication.count } == 0)
        await queue.close()
    }
}
