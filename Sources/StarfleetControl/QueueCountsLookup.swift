import StarfleetDaemon
import StarfleetQueue

extension StateAccess {
    /// Visible, in-flight and delayed counts of `queue` from the freshest source: the running daemon's status.json,
    /// else SQS for a queue that lives there, else the queue's own journal (`journal`: what the caller already read).
    func counts(of queue: String, live: StatusBoard.Snapshot?, journal: QueueStats? = nil) async throws -> (
        visible: Int, inFlight: Int, delayed: Int
    ) {
        if let c = live?.queues[queue] { return (c.visible, c.inFlight, c.delayed) }
        if let s = await sqsStats(queue) { return (s.visible, s.inFlight, s.delayed) }
        if let s = journal { return (s.visible, s.inFlight, s.delayed) }
        do {
            let s = try inspect(queue: queue).stats
            return (s.visible, s.inFlight, s.delayed)
        } catch {
            throw Failure.exit(error, "cannot read queue \(queue)")
        }
    }
}
