import Glibc
import Logging
import StarfleetClock
package import StarfleetCore
import StarfleetFiles
package import StarfleetQueue
import StarfleetWorkerKit
import StarfleetWorkers

/// Everything that runs for one configuration: the scheduler, the template watcher, the Starbase's consumer,
/// one dispatcher per enabled worker, the inbox and the status reporter. A reload stops a generation (producers
/// at once, dispatchers after their running executions) and starts the next with the new configuration.
package struct Generation: Sendable {
    let configuration: Configuration
    let environment: DaemonEnvironment

    /// The worker ships of the enabled workers; workers without an implementation are logged and left out.
    static func ships(
        for configuration: Configuration, paths: StatePaths, logger: Logger, environments: [String: [String: String]] = [:],
        warm: [String: any WorkerShip] = [:]
    ) -> [String: any WorkerShip] {
        var ships: [String: any WorkerShip] = [:]
        for worker in configuration.enabledWorkers {
            let directory = paths.workerDirectory(worker.name)
            if worker.runsOutOfProcess { _ = try? PosixFileSystem().makeDirectories(directory, mode: 0o700) }
            if let ship = warm[worker.name] {
                ships[worker.name] = ship
            } else if worker.runtime.isLambda {
                continue  // logged when it was prepared
            } else if let ship = WorkerRegistry.ship(
                for: worker, workingDirectory: directory, environment: environments[worker.name])
            {
                ships[worker.name] = ship
            } else {
                logger.warning(
                    "worker has no implementation (no Command and no built-in Swift worker of that name); its payloads wait in its queue",
                    metadata: ["worker": "\(worker.name)"])
            }
        }
        return ships
    }

    /// Opens (recovers) the local Starbase queue and every enabled worker's local queue (SQS-backed ones are not local).
    package static func openQueues(for configuration: Configuration, in registry: QueueSet) throws {
        _ = try registry.queue(StatePaths.starbaseQueue, visibilityTimeout: 300, maxReceiveCount: 4)
        for worker in configuration.enabledWorkers where QueueRouter.sqsURL(of: worker.name, in: configuration) == nil {
            _ = try registry.queue(
                worker.name, visibilityTimeout: Double(worker.visibilityTimeoutSeconds), maxReceiveCount: worker.maxReceiveCount)
        }
    }

    func run(stop: StopToken) async {
        let env = environment
        let logger = env.logger
        do {
            try Self.openQueues(for: configuration, in: env.queues)
        } catch {
            logger.critical("cannot open the queues: \(error)")
            env.runtime.lambda.firstGenerationFailed()
            return
        }
        env.alerts.configure(AlertSettings(configuration.starfleet))
        for (name, queue) in env.queues.all.sorted(by: { $0.key < $1.key }) {
            guard let record = queue.degraded else { continue }
            env.alerts.postOnce(.degraded(queue: name, record: record, workers: configuration.workers), key: "degraded \(name)")
        }
        let runtimes = await WorkerRuntimes.prepare(
            configuration, environment: env,
            accountIndexFile: configuration.localAccountIndexPath(stateDirectory: env.paths.root)
                ?? AccountIndexCache.mirrorPath(stateDirectory: env.paths.root))
        let warm = env.runtime.lambda.generation(
            configuration, launches: runtimes.launches, region: env.aws.deploymentRegion(configuration), clock: env.clock)
        let ships = Self.ships(
            for: configuration, paths: env.paths, logger: logger, environments: runtimes.environments, warm: warm.ships)
        let starbase = Starbase(
            configuration: configuration, queues: env.router, templates: env.aws.templateStore(for: configuration),
            index: env.aws.accountIndex(for: configuration, stateDirectory: env.paths.root),
            ships: ships, clock: env.clock, logger: logger, metrics: env.metrics, activity: env.templateActivity)
        let invoker = DaemonInvoker(
            configuration: configuration, ships: ships, queues: env.router, logger: logger,
            awsSession: env.aws.session, history: env.history, clock: env.clock)
        let configuration = self.configuration
        let region = env.aws.deploymentRegion(configuration)
        let destinations = AsyncDestinationSender(
            configuration: configuration, queues: env.router, region: region, s3: { [aws = env.aws] in aws.s3(region: region) },
            clock: env.clock)
        warm.install(invoker: invoker)
        defer { warm.uninstall() }

        if !configuration.starfleet.scheduler {
            logger.notice("STARFLEET.Scheduler is false: this host only consumes (no timed events, no template watching)")
        }

        await withDiscardingTaskGroup { group in
            // Load the account index now (not at the first fan-out) and tell the operator what it holds; beside the
            // other services, since an S3 index may take a while to answer.
            if configuration.enabledWorkers.contains(where: { ships[$0.name]?.fanOutStrategy != .singleInvocation }) {
                group.addTask {
                    do {
                        let loaded = try await starbase.index.current()
                        logger.info(
                            "account index loaded",
                            metadata: ["accounts": "\(loaded.accounts.count)", "path": "\(starbase.index.location)"])
                    } catch {
                        logger.warning(
                            "the account index cannot be read yet; ACCOUNT and ACCOUNT_REGION fan-outs will retry until it can: \(error)"
                        )
                    }
                }
            }
            if configuration.starfleet.scheduler {
                group.addTask {
                    await SchedulerLoop(
                        configuration: configuration, starbase: starbase, statePath: env.paths.schedulerState,
                        clock: env.clock, logger: logger, heartbeat: env.heartbeat, status: env.status,
                        metrics: env.metrics
                    ).run(stop: stop)
                }
                if let poll = S3TemplatePollLoop.make(configuration: configuration, starbase: starbase, environment: env) {
                    group.addTask { await poll.run(stop: stop) }
                } else {
                    group.addTask {
                        await TemplateWatchLoop(
                            configuration: configuration, starbase: starbase, paths: env.paths, clock: env.clock,
                            logger: logger, heartbeat: env.heartbeat, metrics: env.metrics
                        ).run(stop: stop)
                    }
                }
            }
            // The local Starbase queue is always consumed (starfleetctl trigger and the inbox feed it); an SQS fan-out
            // queue, shared by every host, is consumed beside it.
            var starbaseQueues: [any MessageQueue] = []
            if let local = try? env.router.localStarbaseQueue() { starbaseQueues.append(local) }
            if QueueRouter.sqsURL(of: StatePaths.starbaseQueue, in: configuration) != nil,
                let remote = try? env.router.starbaseQueue(configuration)
            {
                starbaseQueues.append(remote)
            }
            for (index, queue) in starbaseQueues.enumerated() {
                group.addTask {
                    await QueueConsumer(
                        queue: queue, name: index == 0 ? "starbase" : "starbase sqs", concurrency: 2,
                        backoff: BackoffPolicy(initialSeconds: 5, maxSeconds: 60),
                        clock: env.clock, logger: logger, heartbeat: env.heartbeat,
                        handle: { await starbase.handle($0) }
                    ).run(stop: stop)
                }
            }
            for worker in configuration.enabledWorkers {
                guard let ship = ships[worker.name], let queue = try? env.router.workerQueue(worker) else { continue }
                let executor = WorkerExecutor(
                    configuration: worker, ship: ship, invoker: invoker, status: env.status,
                    clock: env.clock, logger: logger, metrics: env.metrics, alerts: env.alerts,
                    awsSession: env.aws.session,
                    history: RunHistoryRecorder.make(env.history, worker: worker, in: configuration),
                    destinations: destinations)
                let consumer = QueueConsumer(
                    queue: queue, name: "worker \(worker.name)", concurrency: worker.concurrency, backoff: worker.backoff,
                    clock: env.clock, logger: logger, heartbeat: env.heartbeat,
                    handle: { await executor.handle($0) },
                    settled: { executor.settled($0, $1, $2) })
                if worker.takesSQSBatches, let batching = ship as? any BatchingShip {
                    // Lambda's SQS trigger: batches, filters and partial batch responses.
                    let trigger = BatchConsumer(
                        consumer: consumer, settings: worker.sqsTrigger,
                        batchesAtOnce: worker.sqsTrigger.batchesAtOnce(concurrency: worker.concurrency),
                        run: { await executor.handleBatch($0, ship: batching) }, filtered: { executor.filtered($0) })
                    group.addTask { await trigger.run(stop: stop) }
                } else {
                    group.addTask { await consumer.run(stop: stop) }
                }
            }
            group.addTask { await warm.run(stop: stop) }
            group.addTask {
                await InboxLoop(paths: env.paths, queues: env.queues, logger: logger, heartbeat: env.heartbeat, clock: env.clock)
                    .run(stop: stop)
            }
            group.addTask {
                await StatusLoop(
                    configuration: configuration, paths: env.paths, queues: env.queues, router: env.router, status: env.status,
                    notifier: env.notifier, clock: env.clock, logger: logger, metrics: env.metrics,
                    activity: env.templateActivity
                ).run(stop: stop)
            }
        }
    }
}
