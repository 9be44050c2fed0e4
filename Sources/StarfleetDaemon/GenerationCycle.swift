import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetSystemd

/// The Supervisor's logic without its signals and services: runs one generation at a time, swaps in a reloaded
/// configuration, and ends on shutdown. A reload validates the new configuration and opens its queues while the running
/// generation goes on; only then does it stop that generation (producers at once, workers drain) so the next starts
/// with the new configuration. A broken configuration, or one whose queues cannot be opened, is refused and the
/// running one kept. A generation that ends on its own (its queues could not be opened) ends the cycle: the daemon
/// exits and systemd restarts it.
final class GenerationCycle: Sendable {
    let initial: Configuration
    let configDirectory: String
    let queues: QueueSet
    let status: StatusBoard
    let notifier: SystemdNotifier
    let clock: any WallClock
    let logger: Logger
    /// Runs one generation until its stop token fires and its workers have drained (`Generation.run` in the daemon).
    let runGeneration: @Sendable (Configuration, StopToken) async -> Void
    /// What a reloaded configuration needs beyond its files (the runtime clients its workers start with); an error
    /// refuses the reload like a broken file.
    let check: @Sendable (Configuration) -> [Diagnostic]

    private let shutdownToken = StopToken()
    private let current = Locked<StopToken?>(nil)
    private let pending = Locked<Configuration?>(nil)

    init(
        initial: Configuration, configDirectory: String, queues: QueueSet, status: StatusBoard, notifier: SystemdNotifier,
        clock: any WallClock, logger: Logger, check: @escaping @Sendable (Configuration) -> [Diagnostic] = { _ in [] },
        runGeneration: @escaping @Sendable (Configuration, StopToken) async -> Void
    ) {
        self.check = check
        self.initial = initial
        self.configDirectory = configDirectory
        self.queues = queues
        self.status = status
        self.notifier = notifier
        self.clock = clock
        self.logger = logger
        self.runGeneration = runGeneration
    }

    /// The daemon's cycle: generations are `Generation.run` over `environment`.
    convenience init(initial: Configuration, environment env: DaemonEnvironment) {
        let clients = env.runtime.clients
        self.init(
            initial: initial, configDirectory: env.configDirectory, queues: env.queues, status: env.status,
            notifier: env.notifier, clock: env.clock, logger: env.logger, check: clients.diagnostics,
            runGeneration: { configuration, stop in
                env.running.begin(configuration)
                await Generation(configuration: configuration, environment: env).run(stop: stop)
            })
    }

    /// SIGHUP: loads and checks the configuration directory again; when it is good and its queues open, stops the
    /// running generation so the next one starts with it. Returns at once (the swap happens in ``run()``).
    func reload() {
        try? notifier.reloading(status: "reloading configuration")
        logger.notice("SIGHUP: reloading the configuration", metadata: ["config": "\(configDirectory)"])
        let (loaded, loadDiagnostics) = ConfigurationLoader.load(configDirectory)
        let diagnostics = loadDiagnostics + (loaded.map(check) ?? [])
        for d in diagnostics { logger.log(level: d.severity == .error ? .error : .warning, "\(d.description)") }
        guard let configuration = loaded, !diagnostics.containsErrors else {
            logger.error("the new configuration has errors; keeping the running one")
            status.recordReload(
                applied: false, message: "the new configuration has errors; kept the running one", at: clock.now())
            try? notifier.ready(status: "reload failed: kept the running configuration")
            return
        }
        // Open the new generation's queues before stopping the running one: a queue that cannot be opened (a
        // file where its folder must go, a full disk) refuses the reload instead of ending the daemon with 0.
        do {
            try Generation.openQueues(for: configuration, in: queues)
        } catch {
            let message = "the new configuration's queues cannot be opened (\(error)); keeping the running configuration"
            logger.error("reload refused: \(message)")
            status.recordReload(applied: false, message: message, at: clock.now())
            try? notifier.ready(status: "reload failed: kept the running configuration")
            return
        }
        if configuration.starfleet.metricsAddress != initial.starfleet.metricsAddress {
            logger.warning(
                "STARFLEET.MetricsAddress changed; the metrics endpoint moves at the next restart, not on reload",
                metadata: ["address": "\(initial.starfleet.metricsAddress.map(\.description) ?? "off")"])
        }
        if configuration.starfleet.consoleAddress != initial.starfleet.consoleAddress {
            logger.warning(
                "STARFLEET.ConsoleAddress changed; the console moves at the next restart, not on reload",
                metadata: ["address": "\(initial.starfleet.consoleAddress.map(\.description) ?? "off")"])
        }
        pending.withLock { $0 = configuration }
        current.value?.stop()
    }

    /// SIGTERM: the running generation stops (producers at once, workers drain) and no other starts.
    func shutdown() {
        shutdownToken.stop()
        current.value?.stop()
    }

    /// Runs generations until a shutdown, or until one ends without a reload waiting.
    func run() async {
        var configuration = initial
        while !shutdownToken.isStopped {
            let stop = StopToken()
            current.withLock { $0 = stop }
            if shutdownToken.isStopped { break }
            await runGeneration(configuration, stop)
            guard
                let next = pending.withLock({ value -> Configuration? in
                    defer { value = nil }
                    return value
                })
            else { break }
            configuration = next
            logger.notice("configuration reloaded", metadata: ["workers": "\(configuration.enabledWorkers.count)"])
            status.recordReload(applied: true, message: "configuration reloaded", at: clock.now())
            try? notifier.ready(status: "configuration reloaded")
        }
    }
}
