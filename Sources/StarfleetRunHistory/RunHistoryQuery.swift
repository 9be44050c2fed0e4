package import FoundationEssentials

/// Which runs `starfleetctl runs` shows: the worker's bounds applied exactly (the store enforces them per segment),
/// then the filters, newest first, at most `limit`.
package struct RunHistoryQuery: Sendable, Hashable {
    package var account: String?
    package var region: String?
    /// A template key, e.g. `Audit/all.yaml`.
    package var template: String?
    package var failedOnly = false
    package var since: Date?
    package var limit: Int?
    /// An X-Ray Root (`1-…-…`): one fan-out's (or one caller's) runs, across workers.
    package var traceId: String?
    /// Only runs this host made (`RunRecord.host`): hosts sharing SQS queues each keep their own history.
    package var host: String?

    package init(
        account: String? = nil, region: String? = nil, template: String? = nil, failedOnly: Bool = false,
        since: Date? = nil, limit: Int? = nil, traceId: String? = nil
    ) {
        self.account = account
        self.region = region
        self.template = template
        self.failedOnly = failedOnly
        self.since = since
        self.limit = limit
        self.traceId = traceId
    }

    /// `runs` (oldest first, as read) within `limits` at `now`, filtered, newest first.
    package func apply(to runs: [RunRecord], limits: RunHistoryLimits?, now: Date) -> [RunRecord] {
        var kept = runs[...]
        if let limits {
            kept = kept.suffix(limits.maxRuns)
            let cutoff = now.addingTimeInterval(-limits.maxAgeSeconds)
            kept = kept.filter { $0.started >= cutoff }[...]
        }
        var out: [RunRecord] = []
        for run in kept.reversed() {
            if let account, run.account != account { continue }
            if let region, run.region != region { continue }
            if let template, run.template != template { continue }
            if failedOnly && !run.outcome.isFailure { continue }
            if let since, run.started < since { continue }
            if let traceId, run.traceId != traceId { continue }
            if let host, run.host != host { continue }
            out.append(run)
            if let limit, out.count >= limit { break }
        }
        return out
    }
}
