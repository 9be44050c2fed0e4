import FoundationEssentials
import Logging
import StarfleetClock
import StarfleetQueue
import StarfleetRunHistory
import StarfleetSystemd

/// What outlives a configuration: the state directory, the open queues, the clock, systemd, the status board.
struct DaemonEnvironment: Sendable {
    let configDirectory: String
    let paths: StatePaths
    let queues: QueueSet
    /// Picks each queue's backend: SQS for SQS queue URLs, else `queues`.
    let router: QueueRouter
    let clock: any WallClock
    let logger: Logger
    let notifier: SystemdNotifier
    let heartbeat: WatchdogHeartbeat
    let status: StatusBoard
    /// Each template's last acknowledged change and last fan-out, for the console (persisted by the status loop).
    let templateActivity: TemplateActivity
    /// The running generation's configuration, for the web console.
    let running: RunningConfiguration
    let metrics: DaemonMetrics
    /// Alert delivery (webhook or Slack); each generation configures it.
    let alerts: AlertDispatcher
    /// S3 for the template bucket and the account index (used only when the configuration names them).
    let aws: AWSResources
    /// The Runtime and Invoke APIs' shared state, the runtime directory and where the runtime clients are.
    let runtime: RuntimeResources
    /// Every worker's run history (nil: none, as in tests that do not look at it).
    var history: RunHistoryStore? = nil
}
