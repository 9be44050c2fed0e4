import FoundationEssentials
import StarfleetRunHistory

/// A worker's runs counted into equal, clock-aligned time buckets for the console's charts: per bucket the runs that
/// succeeded, failed (each failed attempt: failed-will-retry, timed-out, failed) and were dead-lettered, and the
/// p50/p95 of their durations. Buckets start on multiples of `bucketSeconds` since the epoch (whole UTC minutes or
/// hours), so a reader of `starfleetctl runs --json` gets the same counts by flooring each run's `started`.
/// `filtered` runs (a FilterCriteria dropped the message; the worker did not run) are not charted: they are
/// counted apart, in `filtered`.
struct RunChartSeries: Sendable, Equatable {
    struct Bucket: Sendable, Equatable {
        var start: Date
        var succeeded = 0
        var failed = 0
        var deadLettered = 0
        /// Nearest-rank percentiles of the bucket's run durations, in seconds; nil for an empty bucket.
        var p50: Double?
        var p95: Double?

        var total: Int { succeeded + failed + deadLettered }
    }

    let bucketSeconds: Int
    /// Oldest first; the last bucket holds `now`.
    let buckets: [Bucket]
    /// Runs in the window a FilterCriteria dropped.
    let filtered: Int
    /// p50/p95 over every charted run in the window; nil without one.
    let overall: Percentiles?

    struct Percentiles: Sendable, Equatable {
        var p50: Double
        var p95: Double
    }

    init(runs: [RunRecord], now: Date, bucketSeconds: Int, count: Int) {
        precondition(bucketSeconds > 0 && count > 0)
        self.bucketSeconds = bucketSeconds
        let step = Double(bucketSeconds)
        let last = (now.timeIntervalSince1970 / step).rounded(.down) * step
        let first = last - Double(count - 1) * step
        var buckets = (0..<count).map { Bucket(start: Date(timeIntervalSince1970: first + Double($0) * step)) }
        var durations = [[Double]](repeating: [], count: count)
        var filtered = 0
        for run in runs {
            let index = Int(((run.started.timeIntervalSince1970 - first) / step).rounded(.down))
            guard index >= 0, index < count else { continue }
            switch run.outcome {
            case .succeeded: buckets[index].succeeded += 1
            case .failedWillRetry, .timedOut, .failed: buckets[index].failed += 1
            case .deadLettered: buckets[index].deadLettered += 1
            case .filtered:
                filtered += 1
                continue
            }
            durations[index].append(run.durationSeconds)
        }
        for i in buckets.indices where !durations[i].isEmpty {
            let sorted = durations[i].sorted()
            buckets[i].p50 = Self.percentile(sorted, 0.50)
            buckets[i].p95 = Self.percentile(sorted, 0.95)
        }
        self.buckets = buckets
        self.filtered = filtered
        let all = durations.joined().sorted()
        overall = all.isEmpty ? nil : Percentiles(p50: Self.percentile(all, 0.50), p95: Self.percentile(all, 0.95))
    }

    /// Nearest rank: the smallest value with at least `p` of the values at or below it.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// The last hour, one bucket a minute.
    static func lastHour(_ runs: [RunRecord], now: Date) -> RunChartSeries {
        RunChartSeries(runs: runs, now: now, bucketSeconds: 60, count: 60)
    }

    /// The last 7 days, one bucket an hour (a bar a minute would be 10 080 bars).
    static func lastWeek(_ runs: [RunRecord], now: Date) -> RunChartSeries {
        RunChartSeries(runs: runs, now: now, bucketSeconds: 3600, count: 168)
    }
}
