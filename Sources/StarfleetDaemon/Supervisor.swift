import Logging
import ServiceLifecycle
package import StarfleetCore
package import StarfleetSystemd
package import UnixSignals

/// Runs one generation at a time: the first with the configuration the daemon started with, the next after a
/// SIGHUP whose configuration validates (a broken one is logged diagnostic by diagnostic and the old one kept).
/// On SIGTERM: STOPPING=1, producers stop at once, dispatchers finish what they run, then it returns. The logic is
/// ``GenerationCycle``'s; this is its signals and its place in the service group.
package struct Supervisor: Service {
    let initial: Configuration
    let environment: DaemonEnvironment
    /// Trapped by Daemon.run before "started" and READY=1, so a reload asked for right after start is queued, not
    /// SIGHUP's default action (the end of the process).
    let reloadSignals: UnixSignalsSequence

    package init(initial: Configuration, environment: DaemonEnvironment, reloadSignals: UnixSignalsSequence) {
        self.initial = initial
        self.environment = environment
        self.reloadSignals = reloadSignals
    }

    func run() async throws {
        let cycle = GenerationCycle(initial: initial, environment: environment)
        let env = environment
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { top in
                top.addTask {
                    for await _ in reloadSignals { cycle.reload() }
                }
                await cycle.run()
                top.cancelAll()
            }
        } onGracefulShutdown: {
            env.logger.notice("stopping: producers stop now, running workers finish")
            try? env.notifier.stopping(status: "stopping: draining workers")
            cycle.shutdown()
        }
    }
}

/// systemd's watchdog pinger as a service of the group.
package struct WatchdogService: Service {
    let pinger: StarfleetSystemd.WatchdogPinger

    package init(pinger: StarfleetSystemd.WatchdogPinger) { self.pinger = pinger }

    func run() async throws {
        // The group shuts services down in reverse order: this one last, so pings continue while workers drain.
        await cancelWhenGracefulShutdown { await pinger.run() }
    }
}
