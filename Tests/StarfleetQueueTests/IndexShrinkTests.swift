import Foundation
import Testing

@testable import StarfleetQueue

/// A queue that held many messages gives the index's memory back once it drains (a Swift dictionary never shrinks
/// by itself), so the daemon's resident size after a 100,000-message drain is not its peak.
@Suite struct IndexShrinkTests {
    @Test func aDrainedQueueDropsItsGrownIndex() async throws {
        let fixture = QueueFixture()
        let queue = try fixture.open()
        _ = try await queue.send((0..<6000).map { message("m\($0)") })
        #expect(queue.state.withLock { $0.index.capacity } >= 6000)
        while true {
            let batch = try await queue.receive(max: 10, visibilityTimeout: nil, wait: 0)
            if batch.isEmpty { break }
            for m in batch { _ = try await queue.delete(m.receiptHandle) }
        }
        #expect(queue.state.withLock { $0.index.count } == 0)
        #expect(queue.state.withLock { $0.index.capacity } < 4096, "the drained queue kept its 6,000-entry table")
        await queue.close()
    }
}
