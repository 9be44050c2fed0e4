/// How much history one worker keeps: at most `maxRuns` runs, none older than `maxAgeSeconds`. The store removes
/// whole segments, so disk holds up to one segment more than `maxRuns`; readers apply both bounds exactly.
package struct RunHistoryLimits: Sendable, Hashable {
    /// 0 turns the history off.
    package var maxRuns: Int
    package var maxAgeSeconds: Double

    package init(maxRuns: Int, maxAgeSeconds: Double) {
        self.maxRuns = max(0, maxRuns)
        self.maxAgeSeconds = max(0, maxAgeSeconds)
    }

    package static let `default` = RunHistoryLimits(maxRuns: 1000, maxAgeSeconds: 7 * 86_400)

    /// Runs per segment: a quarter of the bound (so at most a quarter more is on disk), at least 16.
    var segmentCapacity: Int { max(16, maxRuns / 4) }
}
