import StarfleetQueue
import Testing

@testable import StarfleetDaemon

/// The one rule status.json, the console and `starfleetctl` use for a queue's counts.
@Suite struct MergedQueueCountsTests {
    @Test func theLocalJournalAndSQSAreAddedWithTheDeadLetterFiles() throws {
        let merged = try #require(
            MergedQueueCounts.merge(
                local: QueueStats(visible: 1, inFlight: 2, delayed: 3, deadLettered: 4), oldestAgeSeconds: 9,
                sqs: QueueStats(visible: 10, inFlight: 20, delayed: 30, deadLettered: 40), deadLetterFiles: 7))
        #expect((merged.visible, merged.inFlight, merged.delayed, merged.deadLettered) == (11, 22, 33, 44))
        #expect(merged.oldestAgeSeconds == 9 && merged.deadLetterFiles == 7)
        #expect(merged.board == .init(visible: 11, inFlight: 22, delayed: 33, deadLetters: 7))
    }

    @Test func aQueueOnlyOnSQSHasNoOldestAgeAndOneNobodyAnsweredForIsLeftOut() throws {
        let remote = try #require(
            MergedQueueCounts.merge(local: nil, oldestAgeSeconds: 9, sqs: QueueStats(visible: 5), deadLetterFiles: 0))
        #expect(remote.visible == 5 && remote.oldestAgeSeconds == 0)
        #expect(MergedQueueCounts.merge(local: nil, sqs: nil, deadLetterFiles: 3) == nil)
    }
}
