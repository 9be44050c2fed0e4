/// How much history one worker keeps: at most `maxRuns` runs, none older than `maxAgeSeconds`. The store removes
/// whole segments, so disk holds up to one segment more than `maxRuns`; readers apply both bounds exactly.
public struct RunHistoryLimits: Sendable, Hashable {
    /// 0 turns the history off.
    public var maxRuns: Int
    public var maxAgeSeconds: Double

    public init(maxRuns: Int, maxAgeSeconds: Double) {
        self.maxRuns = max(0, maxRuns)
        self.maxAgeSeconds = max(0, maxAgeSeconds)
    }

    public static let `default` = RunHistoryLimits(maxRuns: 1000, maxAgeSeconds: 7 * 86_400)

    /// Runs per segment: a quarter of the bound (so at most a quarter more is on disk), at least 16.
    var segmentCapacity: Int { max(16, maxRuns / 4) }
}
