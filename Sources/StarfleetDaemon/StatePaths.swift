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
    /// What the console shows per template: the last acknowledged change and the last fan-out (display only).
    package var templateActivity: String { "\(root)/template-activity.json" }

    /// The last S3 copy of the account index, what workers are given as their account index file.
    package var accountIndexMirror: String { "\(root)/accountIndex.s3.json" }
    /// The S3 template poller's last listing (keys and ETags), so a restart reports only changes.
    package var s3TemplateState: String { "\(root)/s3-templates.json" }
    /// `run/`: the runtime directory when systemd gives none (worker config, settings and secrets files, the socket).
    package var defaultRuntimeDirectory: String { "\(root)/run" }
    /// The Invoke API's Unix socket in a runtime directory (0600: the daemon's user and root).
    package static func invokeSocket(inRuntimeDirectory directory: String) -> String { "\(directory)/invoke.sock" }
    /// The folders the daemon makes directly under the state directory; at start each one that exists (and each folder
    /// in it) must be the daemon's and writable by no one else, like the state directory itself.
    package static let daemonFolders = ["queues", "dead-letter", "history", "inbox", "workers", "run"]
    /// Where systemd's `RuntimeDirectory=starfleetd` puts the runtime directory.
    package static let systemdRuntimeDirectory = "/run/starfleetd"

    /// The Starbase's own fan-out queue (Starfleet's `starbase-fanout-queue`).
    package static let starbaseQueue = QueueSet.fanOutQueueName
}
