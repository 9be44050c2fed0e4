import FoundationEssentials
import Glibc
import Logging
import ServiceLifecycle
import StarfleetClock
import StarfleetConsole
import StarfleetCore
import StarfleetDaemon
import StarfleetFiles
import StarfleetHTTP
import StarfleetLambda
import StarfleetMetrics
import StarfleetQueue
import StarfleetRunHistory
import StarfleetSystemd
import StarfleetWorkers
import StarfleetYAML
import Synchronization
import UnixSignals

/// The composition root: configuration → state directory and queue recovery → READY=1 → the service group.
enum Daemon {
    /// Runs the daemon to completion and returns its exit status (0 after a clean stop, 78 for a configuration
    /// error, 73 when the state or runtime directory belongs to or is writable by another user, 74 when it cannot be
    /// used).
    static func run(configDirectory: String, stateDirectoryFlag: String?) async -> Int32 {
        FreeMemory.configureForDaemon()
        // A worker closing its stdin early must not kill the daemon; children get default dispositions back.
        signal(SIGPIPE, SIG_IGN)
        // SIGTERM/SIGINT are trapped first, so one that comes during recovery ends start-up cleanly (exit 0)
        // instead of killing the process (143); once the service group runs, it is handed the request.
        let early = EarlyStop()
        let stopSignals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        return await withTaskGroup(of: Void.self, returning: Int32.self) { tasks in
            tasks.addTask { for await _ in stopSignals { await early.stop() } }
            defer { tasks.cancelAll() }
            return await start(configDirectory: configDirectory, stateDirectoryFlag: stateDirectoryFlag, early: early)
        }
    }

    static func start(configDirectory: String, stateDirectoryFlag: String?, early: EarlyStop) async -> Int32 {
        let reloadSignals = await UnixSignalsSequence(trapping: .sighup)
        let environmentState = getenv(EnvironmentName.stateDirectory).map { String(cString: $0) }

        let (loaded, diagnostics) = ConfigurationLoader.load(configDirectory)
        let level = loaded.map { logLevel($0.starfleet.logLevel) } ?? .info
        _ = JournalLogHandler.bootstrap(identifier: "starfleetd", logLevel: level)
        var logger = Logger(label: "starfleetd")
        logger.logLevel = level
        for d in diagnostics { logger.log(level: d.severity == .error ? .error : .warning, "\(d.description)") }
        guard let configuration = loaded else {
            logger.critical("the configuration has errors; not starting (exit 78)", metadata: ["config": "\(configDirectory)"])
            return 78
        }
        let processEnvironment = ProcessInfo.processInfo.environment
        let runtimeClients = RuntimeClients.locate(environment: processEnvironment)
        let missingClients = runtimeClients.diagnostics(configuration)
        for d in missingClients { logger.error("\(d.description)") }
        if missingClients.containsErrors {
            logger.critical(
                "a worker's runtime client is missing; not starting (exit 78)", metadata: ["config": "\(configDirectory)"])
            return 78
        }

        let paths = StatePaths(configuration.stateDirectory(flag: stateDirectoryFlag, environment: environmentState))
        let notifier = (try? SystemdNotifier()) ?? .disabled
        let clock = SystemWallClock()
        let queues = QueueSet(stateDirectory: paths.root, clock: clock, logger: logger)
        let runtimeDirectory: String
        do {
            runtimeDirectory = try prepareDirectories(paths, environment: processEnvironment)
        } catch let error as UntrustedDirectoryError {
            logger.critical("refusing to start (exit 73): \(error)", metadata: ["path": "\(error.path)"])
            return 73
        } catch {
            logger.critical("cannot use the state or runtime directory: \(error)", metadata: ["state": "\(paths.root)"])
            return 74
        }
        do {
            try Generation.openQueues(for: configuration, in: queues)
        } catch {
            logger.critical("cannot use the state directory: \(error)", metadata: ["state": "\(paths.root)"])
            return 74
        }
        if early.isStopped {
            logger.notice("stopped during start-up (SIGTERM); queues recovered and closed")
            await queues.closeAll()
            return 0
        }
        let metrics = DaemonMetrics()
        let alerts = AlertDispatcher(
            environment: ProcessInfo.processInfo.environment, logger: logger, clock: clock,
            registry: metrics.registry)
        let warmActivity = WarmProcessActivity(clock: clock, metrics: metrics)
        let hub = WorkerRuntimeHub(logger: logger, alerts: alerts, warmActivity: warmActivity)
        let router = QueueRouter(local: queues, clock: clock, logger: logger)
        let board = StatusBoard(startedAt: clock.now(), pid: getpid())
        let activity = TemplateActivity.load(from: paths.templateActivity)
        let running = RunningConfiguration(configuration)
        let aws = AWSResources(clock: clock, logger: logger)
        let console = ConsoleSource(
            running: running, status: board, activity: activity, router: router, paths: paths, clock: clock,
            warmActivity: warmActivity)
        let catalog = ConsoleCatalog(running: running, aws: aws, paths: paths, activity: activity)
        let endpoints = DaemonEndpoints(
            configuration: configuration, hub: hub, registry: metrics.registry, runtimeDirectory: runtimeDirectory,
            console: console, catalog: catalog, logger: logger)
        let environment = DaemonEnvironment(
            configDirectory: configDirectory, paths: paths, queues: queues,
            router: router, clock: clock, logger: logger, notifier: notifier,
            heartbeat: WatchdogHeartbeat(), status: board, templateActivity: activity, running: running, metrics: metrics,
            alerts: alerts, aws: aws,
            runtime: RuntimeResources(
                lambda: hub, runtimeDirectory: runtimeDirectory, clients: runtimeClients,
                workerListenerPort: { [bound = endpoints.workers.bound] in try await bound.port() }),
            history: RunHistoryStore(root: paths.history, clock: clock, logger: logger))

        let workers = configuration.enabledWorkers.map(\.name).joined(separator: ", ")
        let startLogger = logger
        let announce = StartupAnnouncer(endpoints: endpoints, hub: hub, logger: logger) {
            startLogger.notice(
                "starfleetd started",
                metadata: [
                    "config": "\(configDirectory)", "state": "\(paths.root)", "workers": "\(workers)",
                    "templates": "\(configuration.starfleet.templateDirectory)",
                ])
            try? notifier.ready(status: "\(configuration.enabledWorkers.count) workers, queues recovered")
        }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let pinger = WatchdogPinger(heartbeat: environment.heartbeat, notifier: notifier, clock: clock, logger: logger) {
            services.append(.init(service: WatchdogService(pinger: pinger)))
        }
        // Before the Supervisor: the group stops services in reverse order, so alerts outlive the workers' drain.
        services.append(.init(service: environment.alerts))
        // The endpoints stop after the Supervisor: draining workers still talk to the Runtime API.
        // A bind failure shuts the group down gracefully (the Supervisor stops like on SIGTERM) and exits 69.
        for server in endpoints.all {
            services.append(.init(service: server, failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        services.append(.init(service: announce, failureTerminationBehavior: .gracefullyShutdownGroup))
        services.append(
            .init(
                service: Supervisor(initial: configuration, environment: environment, reloadSignals: reloadSignals),
                successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        var status: Int32 = 0
        await early.attach(group)
        do {
            try await group.run()
        } catch let error as HTTPServerError {
            logger.critical("\(error)")
            status = 69
        } catch {
            logger.critical("stopped on an error: \(error)")
            status = 1
        }
        // The status loop wrote it at its stop; a fan-out that finished while the workers drained is saved here.
        do {
            try activity.persistIfChanged(to: paths.templateActivity)
        } catch {
            logger.warning("could not write template-activity.json", metadata: ["error": "\(error)"])
        }
        // The runs of the last executions may still be queued for the history's writer.
        environment.history?.flush()
        // Every worker has stopped: their secrets leave the disk with them. systemd empties its RuntimeDirectory= at
        // stop, but <state>/run (no $RUNTIME_DIRECTORY) is on a disk that outlives the daemon.
        do {
            try WorkerFiles(runtimeDirectory: runtimeDirectory).removeAll()
        } catch {
            logger.error("cannot remove the workers' files; their secrets are still on disk: \(error)")
        }
        await queues.closeAll()
        logger.notice("starfleetd stopped")
        return status
    }

    static func logLevel(_ level: LogLevel) -> Logger.Level {
        switch level {
        case .critical: return .critical
        case .error: return .error
        case .warning: return .warning
        case .info: return .info
        case .debug, .notset: return .debug
        }
    }
}

/// A stop asked for before the service group runs: remembered, and passed on to the group once it exists.
final class EarlyStop: Sendable {
    private let state = Mutex<(stopped: Bool, group: ServiceGroup?)>((false, nil))

    var isStopped: Bool { state.withLock { $0.stopped } }

    func stop() async {
        let group = state.withLock { s -> ServiceGroup? in
            s.stopped = true
            return s.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// The group a later (or earlier) stop goes to; a stop already asked for shuts it down as soon as it runs.
    func attach(_ group: ServiceGroup) async {
        let stopped = state.withLock { s -> Bool in
            s.group = group
            return s.stopped
        }
        if stopped { await group.triggerGracefulShutdown() }
    }
}
