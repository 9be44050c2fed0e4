package import StarfleetQueue

/// One queue's counts as every view reports them — status.json and the metrics (`StatusLoop`), the console's overview,
/// `starfleetctl status` and `queue stats`: the local journal's and SQS's added together (the Starbase can have both, a
/// worker whose InvocationQueueUrl is SQS has only the remote one) and the dead-letter files in its folder. One rule in
/// one place, so the console, the CLI and status.json never disagree about the same queue.
package struct MergedQueueCounts: Sendable, Hashable {
    package var visible = 0
    package var inFlight = 0
    package var delayed = 0
    /// Messages moved to the dead-letter directory since the queue was opened.
    package var deadLettered = 0
    /// The local journal's oldest message; SQS does not say, so a queue only on SQS reports 0.
    package var oldestAgeSeconds: Double = 0
    /// Files in `<state>/dead-letter/<Queue>/`.
    package var deadLetterFiles = 0

    package init() {}

    /// The counts of whichever sources answered, added; nil when neither did (the caller leaves the queue out of its
    /// report rather than show zeros it does not know).
    package static func merge(
        local: QueueStats?, oldestAgeSeconds: Double = 0, sqs: QueueStats?, deadLetterFiles: Int
    ) -> MergedQueueCounts? {
        guard local != nil || sqs != nil else { return nil }
        var counts = MergedQueueCounts()
        for stats in [local, sqs].compactMap({ $0 }) {
            counts.visible += stats.visible
            counts.inFlight += stats.inFlight
            counts.delayed += stats.delayed
            counts.deadLettered += stats.deadLettered
        }
        counts.oldestAgeSeconds = local == nil ? 0 : oldestAgeSeconds
        counts.deadLetterFiles = deadLetterFiles
        return counts
    }

    /// Reads the open queues the daemon holds: `local` (its journal, if it has one) and `sqs` (if its queue is there).
    /// An unreachable SQS or an unreadable journal leaves that source out rather than stall the caller.
    package static func read(
        local: JournalQueue?, sqs: (any MessageQueue)?, deadLetters: DeadLetterDirectory, name: String
    ) async -> MergedQueueCounts? {
        let localStats = try? await local?.stats()
        let oldest = localStats == nil ? 0 : ((try? local?.oldestMessageAgeSeconds()) ?? 0)
        let sqsStats = try? await sqs?.stats()
        return merge(
            local: localStats, oldestAgeSeconds: oldest, sqs: sqsStats,
            deadLetterFiles: (try? deadLetters.ids(worker: name).count) ?? 0)
    }

    /// What status.json keeps of them.
    package var board: StatusBoard.QueueCounts {
        .init(visible: visible, inFlight: inFlight, delayed: delayed, deadLetters: deadLetterFiles)
    }
}
