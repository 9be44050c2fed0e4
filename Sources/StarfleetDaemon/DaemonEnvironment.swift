import FoundationEssentials
package import Logging
package import StarfleetClock
package import StarfleetQueue
package import StarfleetRunHistory
package import StarfleetSystemd

/// What outlives a configuration: the state directory, the open queues, the clock, systemd, the status board.
package struct DaemonEnvironment: Sendable {
    let configDirectory: String
    let paths: StatePaths
    let queues: QueueSet
    /// Picks each queue's backend: SQS for SQS queue URLs, else `queues`.
    let router: QueueRouter
    let clock: any WallClock
    let logger: Logger
    let notifier: SystemdNotifier
    package let heartbeat: WatchdogHeartbeat
    let status: StatusBoard
    /// Each template's last acknowledged change and last fan-out, for the console (persisted by the status loop).
    let templateActivity: TemplateActivity
    /// The running generation's configuration, for the web console.
    let running: RunningConfiguration
    let metrics: DaemonMetrics
    /// Alert delivery (webhook or Slack); each generation configures it.
    package let alerts: AlertDispatcher
    /// S3 for the template bucket and the account index (used only when the configuration names them).
    let aws: AWSResources
    /// The Lambda runtime the worker-facing endpoints serve, the runtime directory and where the runtime clients are.
    let runtime: RuntimeResources
    /// Every worker's run history (nil: none, as in tests that do not look at it).
    package var history: RunHistoryStore? = nil

    package init(
        configDirectory: String, paths: StatePaths, queues: QueueSet, router: QueueRouter, clock: any WallClock,
        logger: Logger, notifier: SystemdNotifier, heartbeat: WatchdogHeartbeat, status: StatusBoard,
        templateActivity: TemplateActivity, running: RunningConfiguration, metrics: DaemonMetrics, alerts: AlertDispatcher,
        aws: AWSResources, runtime: RuntimeResources, history: RunHistoryStore? = nil
    ) {
        self.configDirectory = configDirectory
        self.paths = paths
        self.queues = queues
        self.router = router
        self.clock = clock
        self.logger = logger
        self.notifier = notifier
        self.heartbeat = heartbeat
        self.status = status
        self.templateActivity = templateActivity
        self.running = running
        self.metrics = metrics
        self.alerts = alerts
        self.aws = aws
        self.runtime = runtime
        self.history = history
    }
}
