import StarfleetDaemon
import StarfleetQueue

extension StateAccess {
    /// Visible, in-flight and delayed counts of `queue` from the freshest source: the running daemon's status.json
    /// (already merged by the daemon), else the daemon's merge (``MergedQueueCounts``) of what this process can read:
    /// SQS for a queue that lives there and the queue's own journal (`journal`: what the caller already read; opened
    /// here only when SQS has nothing to say, so an SQS worker's missing journal is not an error).
    func counts(of queue: String, live: StatusBoard.Snapshot?, journal: QueueStats? = nil) async throws -> (
        visible: Int, inFlight: Int, delayed: Int
    ) {
        if let c = live?.queues[queue] { return (c.visible, c.inFlight, c.delayed) }
        let sqs = await sqsStats(queue)
        var local = journal
        if local == nil, sqs == nil {
            do { local = try inspect(queue: queue).stats } catch { throw Failure.exit(error, "cannot read queue \(queue)") }
        }
        let merged = MergedQueueCounts.merge(local: local, sqs: sqs, deadLetterFiles: 0) ?? MergedQueueCounts()
        return (merged.visible, merged.inFlight, merged.delayed)
    }
}
