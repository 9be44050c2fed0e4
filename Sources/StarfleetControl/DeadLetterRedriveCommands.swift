import FoundationEssentials
import Glibc
import StarfleetCore
import StarfleetQueue

/// The selection `dlq redrive` and `dlq purge` share: IDs, `--worker W` (all of one worker's), or `--all`.
package struct DeadLetterSelection: Sendable {
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
        let request: DeadLetterRequest
        switch DeadLetterRequest.parse(ids: ids, worker: worker, all: all) {
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

/// `starfleetctl dlq redrive`: dead letters back on their worker's queue.
package struct DeadLetterRedriveCommand {
    package var control: ControlContext
    package var selection: DeadLetterSelection
    package var rate: Double

    package init(control: ControlContext, selection: DeadLetterSelection, rate: Double) {
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
        var failures = 0
        var status = ExitStatus.ok
        for (worker, ids) in targets {
            if let config = access.configuration.worker(named: worker), !config.enabled {
                Terminal.error("warning: \(worker) is disabled; the redriven messages wait on its queue until it is enabled")
            }
            let target: SendingQueue
            do { target = try access.sendingQueue(worker) } catch {
                let exit = Failure.exit(error, "cannot open queue \(worker)")
                status = max(status, exit.status)
                failures += ids.count
                continue
            }
            var moved = 0
            // Chunks keep the progress line moving; the pace carries over between them.
            for chunk in stride(from: 0, to: ids.count, by: 100).map({ Array(ids[$0..<min($0 + 100, ids.count)]) }) {
                do {
                    let started = Date()
                    let result = try await access.deadLetters.redrive(
                        worker: worker, .ids(chunk), into: target.queue, ratePerSecond: rate > 0 ? rate : nil, clock: access.clock
                    )
                    moved += result.redriven.count
                    for (id, why) in result.failed.sorted(by: { $0.key < $1.key }) {
                        Terminal.error("error: \(id) (\(worker)) not redriven: \(why)")
                        failures += 1
                    }
                    if rate > 0 {
                        let due = started.addingTimeInterval(Double(chunk.count) / rate)
                        try await access.clock.sleep(until: due)
                    }
                } catch {
                    let exit = Failure.exit(error, "redrive of \(worker) stopped")
                    status = max(status, exit.status)
                    failures += chunk.count
                }
                progress.advance(by: chunk.count)
            }
            await target.close()
            progress.endLine()
            let route =
                target.viaDaemon
                ? "handed to the running daemon through \(access.paths.inbox)/\(worker)/ (it takes them within a second)"
                : "written to its queue"
            Terminal.out("\(worker): \(moved) dead letter(s) redriven, \(route)")
        }
        progress.endLine()
        if failures > 0 {
            Terminal.error("\(failures) dead letter(s) not redriven; their files are still in \(access.deadLetters.root)")
            throw ControlExit(status == ExitStatus.ok ? ExitStatus.ioError : status)
        }
    }
}

/// `starfleetctl dlq purge`: dead letters deleted for good.
package struct DeadLetterPurgeCommand {
    package var control: ControlContext
    package var selection: DeadLetterSelection

    package init(control: ControlContext, selection: DeadLetterSelection) {
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
        for (worker, ids) in targets {
            do {
                let removed = try access.deadLetters.purge(worker: worker, .ids(ids))
                Terminal.out("\(worker): \(removed) dead letter(s) purged")
            } catch {
                throw Failure.exit(error, "purge of \(worker) stopped")
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
