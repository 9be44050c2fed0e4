import FoundationEssentials
import StarfleetCore
import StarfleetRunHistory

/// `starfleetctl runs`: the run history, `<state>/history/<Worker>/`, read directly (safe while the daemon runs).
package struct RunsCommand {
    package var control: ControlContext
    package var worker: String?
    package var accountId: String?
    package var region: String?
    package var template: String?
    package var failed: Bool
    package var since: String?
    package var limit: Int
    package var json: Bool
    /// `--trace ROOT`: only runs under this X-Ray Root (one fan-out's payloads, across workers).
    package var traceId: String? = nil
    /// `--host`: only runs made on this host (the history holds only this state directory's, see docs/multi-host.md).
    package var host: String? = nil

    package init(
        control: ControlContext, worker: String?, accountId: String?, region: String? = nil, template: String? = nil,
        failed: Bool, since: String?, limit: Int, json: Bool
    ) {
        self.control = control
        self.worker = worker
        self.accountId = accountId
        self.region = region
        self.template = template
        self.failed = failed
        self.since = since
        self.limit = limit
        self.json = json
    }

    package func run() throws {
        if let worker { _ = try WorkerName.argument(worker) }
        let access = try StateAccess(control)
        let now = access.clock.now()
        var query = RunHistoryQuery(
            account: accountId, region: region, template: template, failedOnly: failed, limit: limit == 0 ? nil : limit)
        if let since {
            guard let date = RunsSince.parse(since, now: now) else {
                Terminal.error(
                    "error: --since \(since): expected a span (30m, 6h, 7d) or an ISO 8601 time (2026-01-31T14:05:00Z)")
                throw ControlExit(ExitStatus.usage)
            }
            query.since = date
        }
        if let traceId {
            // The Root alone, or a whole header (`Root=…;Parent=…`) pasted from a log or `_X_AMZN_TRACE_ID`.
            guard let root = TraceHeader.isRoot(traceId) ? traceId : TraceHeader.parse(traceId)?.root else {
                Terminal.error("error: --trace \(traceId): expected an X-Ray Root, 1-<8 hex>-<24 hex>")
                throw ControlExit(ExitStatus.usage)
            }
            query.traceId = root
        }
        query.host = host
        let reader = RunHistoryReader(root: access.paths.history)
        var runs: [RunRecord] = []
        do {
            let onDisk = try reader.workers()
            let workers: [String]
            if let worker {
                if !onDisk.contains(worker) && access.configuration.worker(named: worker) == nil {
                    let hint = Suggestion.hint(for: worker, in: Set(onDisk).union(access.configuration.workers.map(\.name)))
                    Terminal.error(
                        "error: no worker named \(worker) has a run history and none is configured\(hint.map { " (\($0))" } ?? "")"
                    )
                    throw ControlExit(ExitStatus.dataError)
                }
                workers = onDisk.contains(worker) ? [worker] : []
            } else {
                workers = onDisk
            }
            for name in workers {
                let read = try reader.read(worker: name)
                for problem in read.problems { Terminal.error("warning: \(problem)") }
                if read.unfinishedTailBytes > 0 {
                    Terminal.error(
                        "note: \(name): the last \(read.unfinishedTailBytes) bytes of its newest segment are not a whole run "
                            + "(a write in progress, or a crash's torn tail the daemon cuts off when it next starts); left out")
                }
                // The configured bounds, exactly (the daemon removes whole segments, so disk may hold a few more).
                let limits = access.configuration.worker(named: name).map { w -> RunHistoryLimits in
                    let policy = access.configuration.runHistory(for: w)
                    return RunHistoryLimits(maxRuns: policy.maxRuns, maxAgeSeconds: policy.maxAgeSeconds)
                }
                runs += query.apply(to: read.runs, limits: limits, now: now)
            }
        } catch let error as ControlExit {
            throw error
        } catch {
            Terminal.error("error: cannot read the run history in \(access.paths.history): \(error)")
            throw ControlExit(ExitStatus.ioError)
        }
        runs.sort { $0.started > $1.started }
        if let cap = query.limit { runs = Array(runs.prefix(cap)) }
        if json {
            for run in runs { try JSONOutput.print(RunJSON(run)) }
            return
        }
        if runs.isEmpty {
            Terminal.out("no runs\(worker.map { " of \($0)" } ?? "") in \(access.paths.history)")
            return
        }
        var table = TextTable(
            ["STARTED", "WORKER", "ACCOUNT", "REGION", "ATTEMPT", "DURATION", "OUTCOME", "HOST", "ERROR"], rightAligned: [4, 5])
        for r in runs {
            table.append([
                Format.time(r.started), r.worker, r.account ?? "-", r.region ?? "-", "\(r.attempt)",
                Self.duration(r.durationSeconds), r.outcome.name, r.host ?? "-",
                r.outcome.isFailure ? Format.oneLine(Self.errorSummary(r), limit: 60) : "-",
            ])
        }
        for line in table.render() { Terminal.out(line) }
        Terminal.out("\(runs.count) run\(runs.count == 1 ? "" : "s")")
    }

    /// What a failed run's ERROR column says: for a process that exited, its status and the last line it wrote to
    /// stderr (where the reason usually is; the error text itself repeats the command's path); else the error.
    static func errorSummary(_ r: RunRecord) -> String? {
        guard let status = r.exitStatus else { return r.error }
        let last = r.stderrExcerpt?.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }
        return "exit \(status)" + (last.map { ": " + $0 } ?? "")
    }

    /// `0.042s`, `12.500s` under a minute, then Format.age's `4m12s` style.
    static func duration(_ seconds: Double) -> String {
        guard seconds < 60 else { return Format.age(seconds: seconds) }
        let ms = Int((max(0, seconds) * 1000).rounded())
        let fraction = String(ms % 1000)
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
    }
}

/// One run as `starfleetctl runs --json` prints it (field names documented in docs/operations.md).
struct RunJSON: Encodable {
    var worker: String
    var template: String?
    var accountId: String?
    var region: String?
    var messageId: String
    var attempt: Int
    var startedAt: Date
    var durationSeconds: Double
    var outcome: String
    var exitStatus: Int32?
    var errorType: String?
    var error: String?
    var resultBytes: Int
    var resultExcerpt: String?
    var stderrExcerpt: String?
    var traceId: String?
    var host: String?

    init(_ r: RunRecord) {
        worker = r.worker
        template = r.template
        accountId = r.account
        region = r.region
        messageId = r.messageId
        attempt = r.attempt
        startedAt = r.started
        durationSeconds = r.durationSeconds
        outcome = r.outcome.name
        exitStatus = r.exitStatus
        errorType = r.errorType
        error = r.error
        resultBytes = r.resultBytes
        resultExcerpt = r.resultExcerpt
        stderrExcerpt = r.stderrExcerpt
        traceId = r.traceId
        host = r.host
    }
}
