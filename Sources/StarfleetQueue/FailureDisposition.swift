package import FoundationEssentials

/// What a failed attempt became, as the queue decided it: the queue, not the worker's configuration, knows the limit
/// that counts (its own maxReceiveCount, or SQS's RedrivePolicy) and whether the dead letter was written. Alerts,
/// logs and the run history report this, never a guess made before the queue was asked.
package enum FailureDisposition: Sendable, Equatable, CustomStringConvertible {
    /// Visible again at `visibleAt`; this was attempt `attempt` of `maxReceiveCount`.
    case retried(visibleAt: Date, attempt: Int, maxReceiveCount: Int)
    /// Dead-lettered at `location` (the dead-letter file) after `attempts` attempts.
    case deadLettered(location: String, attempts: Int)
    /// Left on the queue as it was, for the reason given (a stale receipt handle, a dead-letter file that could not be
    /// written): it comes back when its visibility timeout ends.
    case kept(String)

    package var description: String {
        switch self {
        case .retried(let at, let attempt, let max): "retried at \(at) (attempt \(attempt) of \(max))"
        case .deadLettered(let location, let attempts): "dead-lettered at \(location) after \(attempts) attempts"
        case .kept(let why): "kept: \(why)"
        }
    }

    package var isDeadLettered: Bool {
        if case .deadLettered = self { return true }
        return false
    }
}
