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

    package init(
        running: RunningConfiguration, status: StatusBoard, activity: TemplateActivity, router: QueueRouter, paths: StatePaths,
        clock: any WallClock
    ) {
        self.running = running
        self.status = status
        self.activity = activity
        self.router = router
        self.paths = paths
        self.clock = clock
    }
    /// The redrives started from the console, running in the background.
    let redrives = ConsoleRedrives()

    var deadLetters: DeadLetterDirectory { DeadLetterDirectory(root: paths.deadLetters) }

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
                    lastFailure: outcome.lastFailure, lastError: outcome.lastError, queue: await queueRow(w.name)))
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
        return page
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

    /// Every dead letter `scope` matches, by worker (letters are read only to match an account).
    func targets(_ scope: LetterScope) -> [(worker: String, ids: [String])] {
        let workers = scope.worker.map { [$0] } ?? ((try? deadLetters.workers()) ?? [])
        return workers.compactMap { w in
            var ids = (try? deadLetters.ids(worker: w)) ?? []
            if let account = scope.account {
                ids = ids.filter { (try? deadLetters.show(worker: w, id: $0))?.attributes["StarfleetAccount"] == account }
            }
            return ids.isEmpty ? nil : (w, ids)
        }
    }

    /// The dead letters of one worker or all (of one account, if given), newest first, at most `limit` (a page, not a
    /// dump). Files are ordered by their modification time (when they were dead-lettered) and only read until the page
    /// is full, so a folder of 100,000 letters costs a `stat` each, not 100,000 decoded documents in memory.
    func letters(worker filter: String?, account: String? = nil, limit: Int = 500) -> [ConsolePages.LetterRow] {
        let workers = filter.map { [$0] } ?? ((try? deadLetters.workers()) ?? [])
        var files: [(worker: String, id: String, modified: Int64)] = []
        for w in workers {
            for id in (try? deadLetters.ids(worker: w)) ?? [] {
                var info = stat()
                guard let file = try? deadLetters.path(worker: w, id: id), stat(file, &info) == 0 else { continue }
                files.append((w, id, Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)))
            }
        }
        files.sort { $0.modified > $1.modified }
        var rows: [ConsolePages.LetterRow] = []
        for file in files where rows.count < limit {
            guard let letter = try? deadLetters.show(worker: file.worker, id: file.id) else { continue }
            if let account, letter.attributes["StarfleetAccount"] != account { continue }
            rows.append(.init(worker: file.worker, id: file.id, letter: letter))
        }
        rows.sort { $0.letter.deadLetteredTimestamp > $1.letter.deadLetteredTimestamp }
        return rows
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

    func purge(_ targets: [(worker: String, ids: [String])]) -> [String] {
        targets.map { worker, ids in
            do {
                return "\(worker): \(try deadLetters.purge(worker: worker, .ids(ids))) dead letter(s) purged"
            } catch {
                return "\(worker): purge stopped: \(error)"
            }
        }
    }

    /// `WORKER/ID` form values grouped by worker. A value that is not a worker's name and a letter id, by the dead-letter
    /// directory's own rules, refuses the whole selection: the console's forms never hold one, so it is a forged
    /// request (`../scheduler` once named `<state>/scheduler.json`), and acting on the rest would hide that.
    static func group(_ letters: [String]) throws(BadSelection) -> [(worker: String, ids: [String])] {
        var order: [String] = []
        var byWorker: [String: [String]] = [:]
        for value in letters {
            let parts = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else {
                throw BadSelection(description: "a selected value is not a dead letter (WORKER/ID)")
            }
            try BadSelection.check(worker: parts[0], id: parts[1])
            if byWorker[parts[0]] == nil { order.append(parts[0]) }
            byWorker[parts[0], default: []].append(parts[1])
        }
        return order.map { ($0, byWorker[$0] ?? []) }
    }

    /// A selection of dead letters that names something else; answered with 400 and nothing touched.
    struct BadSelection: Error, CustomStringConvertible {
        let description: String

        /// Refuses a worker name or letter id the dead-letter directory would refuse, in the directory's words.
        static func check(worker: String?, id: String? = nil) throws(BadSelection) {
            do {
                if let worker { try DeadLetterDirectory.validateWorker(worker) }
                if let id { try DeadLetterDirectory.validateID(id) }
            } catch {
                throw BadSelection(description: (error as? QueueError)?.message ?? "\(error)")
            }
        }
    }
}
