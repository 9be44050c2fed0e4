import Logging
import ServiceLifecycle
import StarfleetCore
import StarfleetSystemd
import StarfleetWorkers
import StarfleetYAML
import Synchronization
import UnixSignals

/// Runs one generation at a time: the first with the configuration the daemon started with, the next after a
/// SIGHUP whose configuration validates (a broken one is logged diagnostic by diagnostic and the old one kept).
/// On SIGTERM: STOPPING=1, producers stop at once, dispatchers finish what they run, then it returns.
struct Supervisor: Service {
    let initial: Configuration
    let environment: DaemonEnvironment
    /// Trapped by Daemon.run before "started" and READY=1, so a reload asked for right after start is queued, not
    /// SIGHUP's default action (the end of the process).
    let reloadSignals: UnixSignalsSequence

    func run() async throws {
        let env = environment
        let shutdown = StopToken()
        let current = Locked<StopToken?>(nil)
        let pending = Locked<Configuration?>(nil)
        let configDirectory = env.configDirectory

        @Sendable func reload() {
            try? env.notifier.reloading(status: "reloading configuration")
            env.logger.notice("SIGHUP: reloading the configuration", metadata: ["config": "\(configDirectory)"])
            let (configuration, diagnostics) = ConfigurationLoader.load(configDirectory)
            for d in diagnostics { env.logger.log(level: d.severity == .error ? .error : .warning, "\(d.description)") }
            guard let configuration else {
                env.logger.error("the new configuration has errors; keeping the running one")
                env.status.recordReload(applied: false, message: "the new configuration has errors; kept the running one", at: env.clock.now())
                try? env.notifier.ready(status: "reload failed: kept the running configuration")
                return
            }
            // Open the new generation's queues before stopping the running one: a queue that cannot be opened (a
            // file where its folder must go, a full disk) refuses the reload instead of ending the daemon with 0.
            do {
                try Generation.openQueues(for: configuration, in: env.queues)
            } catch {
                let message = "the new configuration's queues cannot be opened (\(error)); keeping the running configuration"
                env.logger.error("reload refused: \(message)")
                env.status.recordReload(applied: false, message: message, at: env.clock.now())
                try? env.notifier.ready(status: "reload failed: kept the running configuration")
                return
            }
            if configuration.starfleet.metricsAddress != initial.starfleet.metricsAddress {
                env.logger.warning("STARFLEET.MetricsAddress changed; the metrics endpoint moves at the next restart, not on reload",
                                   metadata: ["address": "\(initial.starfleet.metricsAddress.map(\.description) ?? "off")"])
            }
            if configuration.starfleet.consoleAddress != initial.starfleet.consoleAddress {
                env.logger.warning("STARFLEET.ConsoleAddress changed; the console moves at the next restart, not on reload",
                                   metadata: ["address": "\(initial.starfleet.consoleAddress.map(\.description) ?? "off")"])
            }
            pending.withLock { $0 = configuration }
            current.value?.stop()
        }

        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { top in
                top.addTask {
                    for await _ in reloadSignals { reload() }
                }
                var configuration = initial
                while !shutdown.isStopped {
                    let stop = StopToken()
                    current.withLock { $0 = stop }
                    if shutdown.isStopped { break }
                    await Generation(configuration: configuration, environment: env).run(stop: stop)
                    guard let next = pending.withLock({ value -> Configuration? in defer { value = nil }; return value }) else { break }
                    configuration = next
                    env.running.advance(to: next)
                    env.logger.notice("configuration reloaded", metadata: ["workers": "\(configuration.enabledWorkers.count)"])
                    env.status.recordReload(applied: true, message: "configuration reloaded", at: env.clock.now())
                    try? env.notifier.ready(status: "configuration reloaded")
                }
                top.cancelAll()
            }
        } onGracefulShutdown: {
            env.logger.notice("stopping: producers stop now, running workers finish")
            try? env.notifier.stopping(status: "stopping: draining workers")
            shutdown.stop()
            current.value?.stop()
        }
    }
}

/// systemd's watchdog pinger as a service of the group.
struct WatchdogService: Service {
    let pinger: StarfleetSystemd.WatchdogPinger
    func run() async throws {
        // The group shuts services down in reverse order: this one last, so pings continue while workers drain.
        await cancelWhenGracefulShutdown { await pinger.run() }
    }
}
