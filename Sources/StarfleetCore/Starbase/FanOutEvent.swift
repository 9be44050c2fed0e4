package import FoundationEssentials

/// What triggered a fan-out. Its id goes with the Starbase message (attribute `StarfleetEvent`) and into every
/// payload's deduplication id: a retried fan-out of the same event sends nothing twice, while a new event — the
/// next boundary, a manual trigger, a changed template — always runs.
package enum FanOutEvent: Sendable, Hashable {
    /// A scheduled boundary of a timed frequency.
    case timed(schedule: String, boundary: Date)
    /// `starfleetctl trigger`: unique per request.
    case manualTrigger(schedule: String, requestedAt: Date, nonce: String)
    /// A template created or changed, identified by its content hash and when it was seen.
    case template(key: String, sha256: String, seenAt: Date)

    package static let attribute = "StarfleetEvent"

    package var id: String {
        switch self {
        case .timed(let schedule, let boundary): return "timed|\(schedule)|\(Int64(boundary.timeIntervalSince1970))"
        case .manualTrigger(let schedule, let at, let nonce):
            return "trigger|\(schedule)|\(Int64(at.timeIntervalSince1970 * 1000))|\(nonce)"
        case .template(let key, let sha, let at): return "template|\(key)|\(sha)|\(Int64(at.timeIntervalSince1970 * 1000))"
        }
    }

    /// A short description for logs.
    package var summary: String {
        switch self {
        case .timed(let schedule, let boundary): return "\(schedule) at \(boundary.formatted(.iso8601))"
        case .manualTrigger(let schedule, _, _): return "\(schedule) (manual trigger)"
        case .template(let key, let sha, _): return "template \(key) (sha256 \(sha.prefix(12)))"
        }
    }
}
