import StarfleetQueue
import FoundationEssentials
import Logging
import StarfleetClock
import StarfleetSystemd

/// What outlives a configuration: the state directory, the open queues, the clock, systemd, the status board.
struct DaemonEnvironment: Sendable {
    let configDirectory: String
    let paths: StatePaths
    let queues: QueueSet
    let clock: any WallClock
    let logger: Logger
    let notifier: SystemdNotifier
    let heartbeat: WatchdogHeartbeat
    let status: StatusBoard
    let metrics: DaemonMetrics
    /// S3 for the template bucket and the account index (used only when the configuration names them).
    let aws: AWSClients
}
