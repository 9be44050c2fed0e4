import StarfleetQueue

/// The layout of the state directory (`StateDirectory=starfleetd` under systemd).
package struct StatePaths: Sendable, Hashable {
    package let root: String

    package init(_ root: String) { self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root }

    /// `queues/<name>/`: one journal per queue.
    package func queue(_ name: String) -> String { "\(root)/queues/\(name)" }
    /// `dead-letter/<Worker>/<MessageId>.json`.
    package var deadLetters: String { "\(root)/dead-letter" }
    /// `history/<Worker>/`: each worker's run history (docs/run-history-format.md).
    package var history: String { "\(root)/history" }
    /// `inbox/<queue>/`: requests from starfleetctl while the daemon runs.
    package var inbox: String { "\(root)/inbox" }
    /// `workers/<Worker>/`: a process worker's working directory.
    package func workerDirectory(_ name: String) -> String { "\(root)/workers/\(name)" }
    /// The last fire of each timed schedule.
    package var schedulerState: String { "\(root)/scheduler.json" }
    /// The content hash of every template seen, so a restart does not re-fire unchanged ones.
    package var templateState: String { "\(root)/templates.json" }
    /// What `starfleetctl status` reads: per-worker outcomes, next fires, queue counts.
    package var status: String { "\(root)/status.json" }

    /// The Starbase's own fan-out queue (Starfleet's `starbase-fanout-queue`).
    package static let starbaseQueue = QueueSet.fanOutQueueName
}
