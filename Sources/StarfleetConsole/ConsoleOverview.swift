import FoundationEssentials
import StarfleetDaemon

/// What the overview shows, gathered from the running daemon by `ConsoleSource` and rendered by `ConsolePages`.
struct ConsoleOverview: Sendable, Equatable {
    struct QueueRow: Sendable, Equatable {
        var visible = 0
        var inFlight = 0
        var delayed = 0
        var oldestAgeSeconds: Double = 0
        var deadLetters = 0
    }

    struct WorkerRow: Sendable, Equatable {
        var name: String
        var enabled: Bool
        var runtime: String
        var frequency: String?
        var nextFire: Date?
        var succeeded = 0
        var failed = 0
        var lastSuccess: Date?
        var lastFailure: Date?
        var lastError: String?
        var queue: QueueRow
        /// Its runs over the last hour, for the row's small chart (nil: the run history could not be read).
        var lastHour: RunChartSeries?
    }

    var version: String
    var startedAt: Date
    var now: Date
    /// 1 for the configuration the daemon started with, +1 per applied reload.
    var generation: Int
    var lastReload: StatusBoard.ReloadStatus?
    /// How late each schedule's last timed event fired after its UTC boundary, in seconds.
    var timerLateness: [String: Double] = [:]
    var workers: [WorkerRow]
    var starbase: QueueRow
}
