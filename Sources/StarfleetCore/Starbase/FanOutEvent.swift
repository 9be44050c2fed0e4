package import FoundationEssentials

/// What triggered a fan-out. Its id goes with the Starbase message (attribute `StarfleetEvent`) and into every
/// payload's deduplication id: a retried fan-out of the same event sends nothing twice, while a new event — the
/// next boundary, a manual trigger, a changed template — always runs.
package enum FanOutEvent: Sendable, Hashable {
    /// A scheduled boundary of a timed frequency.
    case timed(schedule: String, boundary: Date)
    /// `starfleetctl trigger`: unique per request.
    case manualTrigger(schedule: String, requestedAt: Date, nonce: String)
    /// A template file created or changed in the template directory, identified by its content hash and when this
    /// host saw it: the directory is per host, so is the id.
    case template(key: String, sha256: String, seenAt: Date)
    /// A template object created or changed in the template bucket, identified by what every host reads alike
    /// (``S3Revision``), so hosts polling the same bucket make the same id and FIFO deduplication sends it once.
    case bucketTemplate(bucket: String, key: String, revision: S3Revision, sha256: String)

    package static let attribute = "StarfleetEvent"

    package var id: String {
        switch self {
        case .timed(let schedule, let boundary): return "timed|\(schedule)|\(Int64(boundary.timeIntervalSince1970))"
        case .manualTrigger(let schedule, let at, let nonce):
            return "trigger|\(schedule)|\(Int64(at.timeIntervalSince1970 * 1000))|\(nonce)"
        case .template(let key, let sha, let at): return "template|\(key)|\(sha)|\(Int64(at.timeIntervalSince1970 * 1000))"
        case .bucketTemplate(let bucket, let key, let revision, _): return "s3|\(bucket)|\(key)|\(revision.id)"
        }
    }

    /// The content hash of a template change (for the console's record); nil for other events.
    package var templateSHA256: String? {
        switch self {
        case .template(_, let sha, _), .bucketTemplate(_, _, _, let sha): return sha
        case .timed, .manualTrigger: return nil
        }
    }

    /// A short description for logs.
    package var summary: String {
        switch self {
        case .timed(let schedule, let boundary): return "\(schedule) at \(boundary.formatted(.iso8601))"
        case .manualTrigger(let schedule, _, _): return "\(schedule) (manual trigger)"
        case .template(let key, let sha, _): return "template \(key) (sha256 \(sha.prefix(12)))"
        case .bucketTemplate(let bucket, let key, let revision, _): return "s3://\(bucket)/\(key) (\(revision.id))"
        }
    }
}
