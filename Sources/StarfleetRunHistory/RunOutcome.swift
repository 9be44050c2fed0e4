/// How one execution ended, from the queue's point of view: whether the message is done, will be tried again, or
/// has left for the dead-letter folder. The raw values are the on-disk bytes (docs/run-history-format.md).
package enum RunOutcome: UInt8, Sendable, Hashable, CaseIterable {
    case succeeded = 1
    /// Failed; the message becomes visible again after its backoff and is retried.
    case failedWillRetry = 2
    /// Ran longer than TimeoutSeconds and was stopped; retried like a failure (its last attempt is `deadLettered`).
    case timedOut = 3
    /// Failed (or timed out) on its last attempt: the message went to the dead-letter folder.
    case deadLettered = 4
    /// A direct invocation (the Invoke API, a worker's `invoke`) failed: nothing retries it.
    case failed = 5
    /// The worker's FilterCriteria did not match the message: it was deleted unseen, as Lambda's event source
    /// mapping does, and the worker did not run.
    case filtered = 6

    /// The name in `starfleetctl runs` output and its `--json` (`failed-will-retry`, …).
    package var name: String {
        switch self {
        case .succeeded: "succeeded"
        case .failedWillRetry: "failed-will-retry"
        case .timedOut: "timed-out"
        case .deadLettered: "dead-lettered"
        case .failed: "failed"
        case .filtered: "filtered"
        }
    }

    package var isFailure: Bool { self != .succeeded && self != .filtered }
}
