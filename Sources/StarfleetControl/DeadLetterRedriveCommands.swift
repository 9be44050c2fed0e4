import FoundationEssentials
import Glibc
import StarfleetCore
import StarfleetDaemon
import StarfleetQueue

/// What `dlq redrive` and `dlq purge` were given: IDs, `--worker W` (all of one worker's), or `--all`, parsed into a
/// ``DeadLetterOperations/Selection``.
package struct DeadLetterSelectionArguments: Sendable {
    package var ids: [String]
    package var worker: String?
    package var all: Bool

    package init(ids: [String], worker: String?, all: Bool) {
        self.ids = ids
        self.worker = worker
        self.all = all
    }

    /// The dead letters to take, per worker, or the refusal printed and turned into its exit status.
    func targets(_ access: StateAccess) throws -> [(worker: String, ids: [String])] {
        let request: DeadLetterOperations.Selection
        switch DeadLetterOperations.Selection.parse(ids: ids, worker: worker, all: all) {
        case .failure(let refusal):
            Terminal.error("error: \(refusal.message)")
            throw ControlExit(refusal.status)
        case .success(let r): request = r
        }
        let inventory: [String: [String]]
        do { inventory = try access.deadLetterInventory() } catch {
            throw Failure.exit(error, "cannot read \(access.deadLetters.root)")
        }
        switch request.resolve(in: inventory, knownWorkers: access.knownQueues) {
        case .failure(let refusal):
            for line in refusal.message.split(separator: "\n") { Terminal.error("error: \(line)") }
            throw ControlExit(refusal.status)
        case .success(let targets): return targets
        }
    }
}

extension DeadLetterOperations.SelectionError {
    /// The documented exit status: 64 for a usage error, 65 for a data error.
    var status: Int32 {
        switch self {
        case .usage: ExitStatus.usage
        case .data: ExitStatus.dataError
        }
    }
}

/// `starfleetctl dlq redrive`: dead letters back on their worker's queue.
package struct DeadLetterRedriveCommand {
    package var control: ControlContext
    package var selection: DeadLetterSelectionArguments
    package var rate: Double

    package init(control: ControlContext, selection: DeadLetterSelectionArguments, rate: Double) {
        self.control = control
        self.selection = selection
        self.rate = rate
    }

    package func run() async throws {
        let access = try StateAccess(control)
        var targets = try selection.targets(access)
        // A queue nobody consumes would swallow the messages: refuse for named targets, skip under --all.
        let orphans = targets.filter { !access.knownQueues.contains($0.worker) }
        for orphan in orphans {
            let text =
                "no worker section named \(orphan.worker) consumes its queue; its \(orphan.ids.count) dead letter(s) cannot be redriven (add the worker back, or purge them)"
            if !selection.all {
                Terminal.error("error: " + text)
                throw ControlExit(ExitStatus.dataError)
            }
            Terminal.error("warning: skipped: " + text)
        }
        targets.removeAll { !access.knownQueues.contains($0.worker) }
        targets = try access.withoutLettersInSQSDeadLetterQueues(targets, failOnNamed: !selection.all)
        let total = targets.reduce(0) { $0 + $1.ids.count }
        if total == 0 {
            Terminal.out("nothing to redrive")
            return
        }
        let progress = Progress(total: total, enabled: total > 100 && isatty(STDERR_FILENO) == 1)
        let tally = Tally()
        let operations = DeadLetterOperations(letters: access.deadLetters, clock: access.clock)
        let end = await operations.redrive(
            targets, ratePerSecond: rate > 0 ? rate : nil,
            queue: { worker in
                if let config = access.configuration.worker(named: worker), !config.enabled {
                    Terminal.error(
                        "warning: \(worker) is disabled; the redriven messages wait on its queue until it is enabled")
                }
                do {
                    let target = try access.sendingQueue(worker)
                    tally.opened[worker] = target
                    return .success(target.queue)
                } catch {
                    return .failure(error)
                }
            },
            report: { event in
                switch event {
                case .queueUnavailable(let worker, let ids, let reason):
                    tally.status = max(tally.status, Failure.exit(reason, "cannot open queue \(worker)").status)
                    tally.failures += ids.count
                case .sent(let worker, let result):
                    for (id, why) in result.failed.sorted(by: { $0.key < $1.key }) {
                        Terminal.error("error: \(id) (\(worker)) not redriven: \(why)")
                        tally.failures += 1
                    }
                    progress.advance(by: result.redriven.count + result.failed.count)
                case .chunkFailed(let worker, let ids, let reason):
                    tally.status = max(tally.status, Failure.exit(reason, "redrive of \(worker) stopped").status)
                    tally.failures += ids.count
                    progress.advance(by: ids.count)
                case .workerFinished(let worker, let redriven):
                    let target = tally.opened.removeValue(forKey: worker)
                    await target?.close()
                    progress.endLine()
                    let route =
                        target?.viaDaemon == true
                        ? "handed to the running daemon through \(access.paths.inbox)/\(worker)/ (it takes them within a second)"
                        : "written to its queue"
                    Terminal.out("\(worker): \(redriven) dead letter(s) redriven, \(route)")
                }
            })
        if case .stopped(let untried) = end { tally.failures += untried }
        for target in tally.opened.values { await target.close() }
        progress.endLine()
        if tally.failures > 0 {
            Terminal.error(
                "\(tally.failures) dead letter(s) not redriven; their files are still in \(access.deadLetters.root)")
            throw ControlExit(tally.status == ExitStatus.ok ? ExitStatus.ioError : tally.status)
        }
    }

    /// What the redrive's steps add up to: the letters not redriven, the worst exit status, the queues still open.
    private final class Tally {
        var failures = 0
        var status = ExitStatus.ok
        var opened: [String: SendingQueue] = [:]
    }
}

/// `starfleetctl dlq purge`: dead letters deleted for good.
package struct DeadLetterPurgeCommand {
    package var control: ControlContext
    package var selection: DeadLetterSelectionArguments

    package init(control: ControlContext, selection: DeadLetterSelectionArguments) {
        self.control = control
        self.selection = selection
    }

    package func run() throws {
        let access = try StateAccess(control)
        let targets = try selection.targets(access)
        if targets.isEmpty {
            Terminal.out("nothing to purge")
            return
        }
        let operations = DeadLetterOperations(letters: access.deadLetters, clock: access.clock)
        // Stops at the first worker that fails, so the exit status names it.
        for (worker, ids) in targets {
            switch operations.purge(worker: worker, ids: ids) {
            case .purged(_, let removed): Terminal.out("\(worker): \(removed) dead letter(s) purged")
            case .stopped(_, let error): throw Failure.exit(error, "purge of \(worker) stopped")
            }
        }
    }
}

/// "redriven 300/1700" on stderr, rewritten in place; only when stderr is a terminal.
final class Progress {
    let total: Int
    let enabled: Bool
    private var done = 0
    /// The progress line is on the terminal without its newline yet.
    private var drawn = false

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func advance(by n: Int) {
        done += n
        if enabled {
            write("\rredriven \(done)/\(total)")
            drawn = true
        }
    }

    /// Ends the progress line so other output starts on a fresh one.
    func endLine() {
        if drawn { write("\n") }
        drawn = false
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
