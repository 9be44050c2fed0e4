import Glibc
import Logging
import StarfleetCore
import StarfleetQueue
import StarfleetWorkers

/// Everything that runs for one configuration: the scheduler, the template watcher, the Starbase's consumer,
/// one dispatcher per enabled worker, the inbox and the status reporter. A reload stops a generation (producers
/// at once, dispatchers after their running executions) and starts the next with the new configuration.
struct Generation: Sendable {
    let configuration: Configuration
    let environment: DaemonEnvironment

    /// The worker ships of the enabled workers; workers without an implementation are logged and left out.
    static func ships(for configuration: Configuration, paths: StatePaths, logger: Logger) -> [String: any WorkerShip] {
        var ships: [String: any WorkerShip] = [:]
        for worker in configuration.enabledWorkers {
            let directory = paths.workerDirectory(worker.name)
            if worker.isProcessWorker { _ = try? PosixFileSystem().makeDirectories(directory, mode: 0o700) }
            if let ship = WorkerRegistry.ship(for: worker, workingDirectory: directory) {
                ships[worker.name] = ship
            } else {
                logger.warning("worker has no implementation (no Command and no built-in Swift worker of that name); its payloads wait in its queue",
                               metadata: ["worker": "\(worker.name)"])
            }
        }
        return ships
    }

    /// Opens (recovers) the Starbase queue and every enabled worker's queue.
    static func openQueues(for configuration: Configuration, in registry: QueueSet) throws {
        _ = try registry.queue(StatePaths.starbaseQueue, visibilityTimeout: 300, maxReceiveCount: 4)
        for worker in configuration.enabledWorkers {
            _ = try registry.queue(worker.name, visibilityTimeout: Double(worker.visibilityTimeoutSeconds), maxReceiveCount: worker.maxReceiveCount)
        }
    }

    func run(stop: StopToken) async {
        let env = environment
        let logger = env.logger
        do {
            try Self.openQueues(for: configuration, in: env.queues)
        } catch {
            logger.critical("cannot open the queues: \(error)")
            return
        }
        let ships = Self.ships(for: configuration, paths: env.paths, logger: logger)
        let starbase = Starbase(configuration: configuration, queues: env.queues, templates: env.aws.templateStore(for: configuration),
                                index: env.aws.accountIndex(for: configuration, stateDirectory: env.paths.root),
                                ships: ships, clock: env.clock, logger: logger, metrics: env.metrics)
        let invoker = DaemonInvoker(configuration: configuration, ships: ships, queues: env.queues, logger: logger)
        let configuration = self.configuration

        await withDiscardingTaskGroup { group in
            // Load the account index now (not at the first fan-out) and tell the operator what it holds; beside the
            // other services, since an S3 index may take a while to answer.
            if configuration.enabledWorkers.contains(where: { ships[$0.name]?.fanOutStrategy != .singleInvocation }) {
                group.addTask {
                    do {
                        let loaded = try await starbase.index.current()
                        logger.info("account index loaded", metadata: ["accounts": "\(loaded.accounts.count)", "path": "\(starbase.index.location)"])
                    } catch {
                        logger.warning("the account index cannot be read yet; ACCOUNT and ACCOUNT_REGION fan-outs will retry until it can: \(error)")
                    }
                }
            }
            group.addTask {
                await SchedulerLoop(configuration: configuration, starbase: starbase, statePath: env.paths.schedulerState,
                                    clock: env.clock, logger: logger, heartbeat: env.heartbeat, status: env.status,
                                    metrics: env.metrics).run(stop: stop)
            }
            if let poll = S3TemplatePollLoop.make(configuration: configuration, starbase: starbase, environment: env) {
                group.addTask { await poll.run(stop: stop) }
            } else {
                group.addTask {
                    await TemplateWatchLoop(configuration: configuration, starbase: starbase, paths: env.paths, clock: env.clock,
                                            logger: logger, heartbeat: env.heartbeat, metrics: env.metrics).run(stop: stop)
                }
            }
            if let queue = try? env.queues.queue(StatePaths.starbaseQueue, visibilityTimeout: 300, maxReceiveCount: 4) {
                group.addTask {
                    await QueueConsumer(queue: queue, name: "starbase", concurrency: 2, backoff: BackoffPolicy(initialSeconds: 5, maxSeconds: 60),
                                        clock: env.clock, logger: logger, heartbeat: env.heartbeat,
                                        handle: { await starbase.handle($0) }).run(stop: stop)
                }
            }
            for worker in configuration.enabledWorkers {
                guard let ship = ships[worker.name],
                      let queue = try? env.queues.queue(worker.name, visibilityTimeout: Double(worker.visibilityTimeoutSeconds),
                                                        maxReceiveCount: worker.maxReceiveCount)
                else { continue }
                let executor = WorkerExecutor(configuration: worker, ship: ship, invoker: invoker, status: env.status,
                                              clock: env.clock, logger: logger, metrics: env.metrics)
                group.addTask {
                    await QueueConsumer(queue: queue, name: "worker \(worker.name)", concurrency: worker.concurrency, backoff: worker.backoff,
                                        clock: env.clock, logger: logger, heartbeat: env.heartbeat,
                                        handle: { await executor.handle($0) }).run(stop: stop)
                }
            }
            group.addTask {
                await InboxLoop(paths: env.paths, queues: env.queues, logger: logger, heartbeat: env.heartbeat).run(stop: stop)
            }
            group.addTask {
                await StatusLoop(configuration: configuration, paths: env.paths, queues: env.queues, status: env.status,
                                 notifier: env.notifier, clock: env.clock, logger: logger, metrics: env.metrics).run(stop: stop)
            }
        }
    }
}
