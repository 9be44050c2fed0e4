/// How much run history a worker keeps (`RunHistoryMaxRuns`, `RunHistoryMaxAgeDays`): set in `STARFLEET` for every
/// worker and overridden in a worker's section. `maxRuns` 0 records nothing.
package struct RunHistoryPolicy: Sendable, Hashable {
    package var maxRuns: Int
    package var maxAgeDays: Int

    package init(maxRuns: Int = RunHistoryPolicy.defaultMaxRuns, maxAgeDays: Int = RunHistoryPolicy.defaultMaxAgeDays) {
        self.maxRuns = maxRuns
        self.maxAgeDays = maxAgeDays
    }

    package static let defaultMaxRuns = 1000
    package static let defaultMaxAgeDays = 7
    /// Bounded so a worker's history stays readable in one go by `starfleetctl runs`.
    package static let maxRunsRange = 0...100_000
    package static let maxAgeDaysRange = 1...3650

    package var maxAgeSeconds: Double { Double(maxAgeDays) * 86_400 }
}

extension Configuration {
    /// The worker's policy: its own keys over `STARFLEET`'s over the defaults.
    package func runHistory(for worker: WorkerConfiguration) -> RunHistoryPolicy {
        RunHistoryPolicy(
            maxRuns: worker.runHistoryMaxRuns ?? starfleet.runHistory.maxRuns,
            maxAgeDays: worker.runHistoryMaxAgeDays ?? starfleet.runHistory.maxAgeDays)
    }

    /// Reads `RunHistoryMaxRuns` and `RunHistoryMaxAgeDays` from a section (`STARFLEET` or a worker's) at `prefix`.
    static func readRunHistoryKeys(_ node: Node, _ prefix: String, into v: inout Validator) -> (maxRuns: Int?, maxAgeDays: Int?) {
        let runs = node["RunHistoryMaxRuns"].flatMap {
            v.int($0, "\(prefix).RunHistoryMaxRuns", range: RunHistoryPolicy.maxRunsRange)
        }
        let days = node["RunHistoryMaxAgeDays"].flatMap {
            v.int($0, "\(prefix).RunHistoryMaxAgeDays", range: RunHistoryPolicy.maxAgeDaysRange)
        }
        return (runs, days)
    }
}
