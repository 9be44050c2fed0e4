import Logging
import StarfleetClock
import StarfleetCore
import StarfleetSystemd
import StarfleetTemplates

/// Watches the template directory (inotify plus a periodic rescan) and turns each created or changed template
/// into Starfleet's S3 event on the Starbase queue. A change is acknowledged — its hash persisted — only after the
/// event is durable, so a crash in between re-reports it at the next start.
struct TemplateWatchLoop: Sendable {
    let configuration: Configuration
    let starbase: Starbase
    let paths: StatePaths
    let clock: any WallClock
    let logger: Logger
    let heartbeat: WatchdogHeartbeat?
    let metrics: DaemonMetrics?

    func run(stop: StopToken) async {
        let watcher = TemplateWatcher(
            directory: configuration.starfleet.templateDirectory, stateFile: paths.templateState,
            clock: clock, logger: logger)
        let starbase = self.starbase
        let logger = self.logger
        let clock = self.clock
        let metrics = self.metrics
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await watcher.run { changes, rejections in
                        for rejection in rejections {
                            logger.error("template rejected: \(rejection.reason)", metadata: ["path": "\(rejection.path)"])
                        }
                        metrics?.templateEvents(queued: 0, rejected: rejections.count)
                        for change in changes {
                            try await starbase.taskTemplateChange(
                                key: change.key, event: .template(key: change.key, sha256: change.sha256, seenAt: clock.now()))
                            metrics?.templateEvents(queued: 1, rejected: 0)
                        }
                    }
                } catch is CancellationError {
                } catch {
                    logger.error("the template watcher stopped: \(error)")
                }
            }
            group.addTask { await stop.wait() }
            await group.next()
            group.cancelAll()
        }
    }
}
