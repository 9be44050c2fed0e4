import FoundationEssentials
import Glibc
package import StarfleetClock
import StarfleetCore
package import StarfleetDaemon
import StarfleetQueue
import StarfleetRunHistory

/// Reads the running daemon's state for the console's pages and carries out its dead-letter actions, with the same
/// objects the daemon uses (its open queues, its status board), never a second opening of a queue.
package struct ConsoleSource: Sendable {
    let running: RunningConfiguration
    let status: StatusBoard
    let activity: TemplateActivity
    let router: QueueRouter
    let paths: StatePaths
    let clock: any WallClock
    /// The warm pools' processes over time (nil: no chart of them).
    let warmActivity: WarmProcessActivity?

    package init(
        running: RunningConfiguration, status: StatusBoard, activity: TemplateActivity, router: QueueRouter, paths: StatePaths,
        clock: any WallClock, warmActivity: WarmProcessActivity? = nil
    ) {
        self.warmActivity = warmActivity
        self.running = running
        self.status = status
        self.activity = activity
        self.router = router
        self.paths = paths
        self.clock = clock
        redrives = DeadLetterRedrives(
            operations: DeadLetterOperations(letters: DeadLetterDirectory(root: paths.deadLetters), clock: clock))
    }
    /// The redrives started from the console, running in the background.
    let redrives: DeadLetterRedrives

    var deadLetters: DeadLetterDirectory { DeadLetterDirectory(root: paths.deadLetters) }
    /// Selection, purge and paced redrive, shared with `starfleetctl dlq`.
    var operations: DeadLetterOperations { DeadLetterOperations(letters: deadLetters, clock: clock) }

    func overview() async -> ConsoleOverview {
        let (configuration, generation) = running.current
        let now = clock.now()
        let snapshot = status.snapshot(now: now, queues: [:])
        var workers: [ConsoleOverview.WorkerRow] = []
        for w in configuration.workers {
            let outcome = snapshot.workers[w.name] ?? StatusBoard.WorkerStatus()
            workers.append(
                .init(
                    name: w.name, enabled: w.enabled, runtime: w.runtime.rawValue, frequency: w.schedule?.description,
                    nextFire: w.enabled ? w.schedule.flatMap { snapshot.nextFires[$0.description] } : nil,
                    succeeded: outcome.succeeded, failed: outcome.failed, lastSuccess: outcome.lastSuccess,
                    lastFailure: outcome.lastFailure, lastError: outcome.lastError, queue: await queueRow(w.name),
                    lastHour: await chartRuns(of: w, in: configuration, now: now).map { RunChartSeries.lastHour($0, now: now) }))
        }
        var overview = ConsoleOverview(
            version: StarfleetVersion.current, startedAt: status.startedAt, now: now, generation: generation,
            lastReload: snapshot.lastReload, workers: workers, starbase: await queueRow(StatePaths.starbaseQueue))
        overview.timerLateness = snapshot.timerLateness ?? [:]
        return overview
    }

    /// A queue's counts as status.json has them (``MergedQueueCounts``), with the oldest message's age; a queue neither
    /// source answered for shows its dead letters only.
    func queueRow(_ name: String) async -> ConsoleOverview.QueueRow {
        let letters = deadLetters
        guard
            let merged = await MergedQueueCounts.read(
                local: router.local.all[name], sqs: router.sqsQueues[name], deadLetters: letters, name: name)
        else {
            return ConsoleOverview.QueueRow(deadLetters: (try? letters.ids(worker: name).count) ?? 0)
        }
        return ConsoleOverview.QueueRow(
            visible: merged.visible, inFlight: merged.inFlight, delayed: merged.delayed,
            oldestAgeSeconds: merged.oldestAgeSeconds, deadLetters: merged.deadLetterFiles)
    }

    func worker(named name: String, runs filter: ConsolePages.RunFilter = .init()) async -> ConsolePages.WorkerPage? {
        let configuration = running.current.configuration
        guard let w = configuration.worker(named: name) else { return nil }
        var page = ConsolePages.WorkerPage(name: w.name, settings: Self.settings(of: w), templates: [], runFilter: filter)
        let policy = configuration.runHistory(for: w)
        let (history, now) = (paths.history, clock.now())
        let limits = RunHistoryLimits(maxRuns: policy.maxRuns, maxAgeSeconds: policy.maxAgeSeconds)
        (page.runs, page.runProblems) = await ConsoleFiles.run {
            Self.recentRuns(of: name, history: history, filter: filter, limits: limits, now: now)
        }
        if let runs = await chartRuns(of: w, in: configuration, now: now) {
            page.charts = .init(
                lastHour: .lastHour(runs, now: now), lastWeek: .lastWeek(runs, now: now),
                warm: w.runtime.isLambda ? warmActivity?.lastHour(worker: w.name) : nil)
        }
        return page
    }

    /// Every run the worker's history keeps (its bounds applied, as `starfleetctl runs` applies them), for the
    /// charts; nil when the history cannot be read.
    func chartRuns(of w: WorkerConfiguration, in configuration: Configuration, now: Date) async -> [RunRecord]? {
        let policy = configuration.runHistory(for: w)
        let limits = RunHistoryLimits(maxRuns: policy.maxRuns, maxAgeSeconds: policy.maxAgeSeconds)
        let (history, name) = (paths.history, w.name)
        return await ConsoleFiles.run {
            guard let read = try? RunHistoryReader(root: history).read(worker: name) else { return nil }
            return RunHistoryQuery().apply(to: read.runs, limits: limits, now: now)
        }
    }

    /// The worker's newest runs from the run history (as `starfleetctl runs` reads it), filtered by outcome,
    /// account, region and template, at most `limit`.
    static func recentRuns(
        of worker: String, history: String, filter: ConsolePages.RunFilter, limits: RunHistoryLimits,
        now: Date, limit: Int = 100
    ) -> (runs: [RunRecord], problems: [String]) {
        let read: RunHistoryRead
        do { read = try RunHistoryReader(root: history).read(worker: worker) } catch {
            return ([], ["cannot read the run history: \(error)"])
        }
        let query = RunHistoryQuery(
            account: filter.account, region: filter.region, template: filter.template,
            failedOnly: filter.outcome == "failures")
        var runs = query.apply(to: read.runs, limits: limits, now: now)
        if let outcome = filter.outcome, outcome != "failures" { runs = runs.filter { $0.outcome.name == outcome } }
        return (Array(runs.prefix(limit)), read.problems)
    }

    /// What the worker page shows of a worker's section. Secrets stay out: `Environment` shows its keys only (its
    /// values may be tokens); `Credentials` are names of systemd credentials, not their contents; Secrets Manager
    /// values are never in the configuration at all.
    static func settings(of w: WorkerConfiguration) -> [(key: String, value: String)] {
        var rows: [(key: String, value: String)] = [
            ("Enabled", "\(w.enabled)"), ("Runtime", w.runtime.rawValue), ("TemplatePrefix", w.templatePrefix),
            ("InvocationSources", w.invocationSources.map(\.rawValue).sorted().joined(separator: ", ")),
            ("EventBridgeTimedFrequency", w.schedule?.description ?? "—"), ("FanOutStrategy", "\(w.strategy)"),
            ("Concurrency", "\(w.concurrency)"), ("TimeoutSeconds", "\(w.timeoutSeconds)"),
            ("VisibilityTimeoutSeconds", "\(w.visibilityTimeoutSeconds)"), ("MaxReceiveCount", "\(w.maxReceiveCount)"),
            ("Commit", "\(w.commit)"),
        ]
        if let queue = w.invocationQueueUrl { rows.append(("InvocationQueueUrl", queue)) }
        if let command = w.command { rows.append(("Command", command.joined(separator: " "))) }
        if w.runsOutOfProcess {
            if let handler = w.process.handler { rows.append(("Handler", handler)) }
            rows.append(("CodeDirectory", w.process.codeDirectory))
            rows.append(("Environment (keys; values hidden)", w.process.environment.keys.sorted().joined(separator: ", ")))
            rows.append(("PassEnvironment", w.process.passEnvironment.joined(separator: ", ")))
            rows.append(("Credentials (names)", w.process.credentials.joined(separator: ", ")))
        }
        return rows
    }

    /// The dead-letter page's rows: ``DeadLetterOperations/newest(matching:limit:)``.
    func letters(worker filter: String?, account: String? = nil, limit: Int = 500) -> [ConsolePages.LetterRow] {
        operations.newest(matching: .init(worker: filter, account: account), limit: limit).map {
            .init(worker: $0.worker, id: $0.id, letter: $0.letter)
        }
    }

    /// Starts a background redrive of `targets`, each worker's letters to the queue the daemon holds for it.
    func startRedrive(
        _ targets: DeadLetterOperations.Targets, scope: String, rate: Double
    ) -> Result<Int, DeadLetterRedrives.Refusal> {
        let source = self
        return redrives.start(targets, scope: scope, rate: rate) { source.queue(for: $0).mapError { $0 } }
    }

    /// The queue a redrive of `worker`'s dead letters goes to: the one the daemon holds open (never a second opening).
    /// A worker that is not in the running configuration is refused: nobody would consume its queue.
    func queue(for worker: String) -> Result<any MessageQueue, QueueUnavailable> {
        let configuration = running.current.configuration
        do {
            if worker == StatePaths.starbaseQueue { return .success(try router.starbaseQueue(configuration)) }
            guard let w = configuration.worker(named: worker) else {
                return .failure(
                    QueueUnavailable(description: "no worker section named \(worker) consumes its queue; not redriven"))
            }
            return .success(try router.workerQueue(w))
        } catch {
            return .failure(QueueUnavailable(description: "cannot open its queue: \(error)"))
        }
    }

    struct QueueUnavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// One line per worker, as the purge page shows them.
    func purge(_ targets: DeadLetterOperations.Targets) -> [String] {
        operations.purge(targets).map { outcome in
            switch outcome {
            case .purged(let worker, let count): return "\(worker): \(count) dead letter(s) purged"
            case .stopped(let worker, let error): return "\(worker): purge stopped: \(error)"
            }
        }
    }
}
