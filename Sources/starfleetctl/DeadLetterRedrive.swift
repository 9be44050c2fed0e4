import ArgumentParser
import FoundationEssentials
import Glibc
import StarfleetCore
import StarfleetApp
import StarfleetQueue

/// The selection `dlq redrive` and `dlq purge` share: IDs, `--worker W` (all of one worker's), or `--all`.
struct DeadLetterSelectionOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Dead-letter ids (file names without .json, as `dlq list` prints them).", valueName: "id"))
    var ids: [String] = []

    @Option(help: ArgumentHelp("Every dead letter of this worker (with IDs: look for them only in its folder).", valueName: "worker"))
    var worker: String?

    @Flag(help: "Every dead letter of every worker (required to take everything).")
    var all = false

    /// The dead letters to take, per worker, or the refusal printed and turned into its exit status.
    func targets(_ access: StateAccess) throws -> [(worker: String, ids: [String])] {
        let request: DeadLetterRequest
        switch DeadLetterRequest.parse(ids: ids, worker: worker, all: all) {
        case .failure(let refusal):
            Console.error("error: \(refusal.message)")
            throw ExitCode(refusal.status)
        case .success(let r): request = r
        }
        let inventory: [String: [String]]
        do { inventory = try access.deadLetterInventory() } catch { throw Failure.exit(error, "cannot read \(access.deadLetters.root)") }
        switch request.resolve(in: inventory, knownWorkers: access.knownQueues) {
        case .failure(let refusal):
            for line in refusal.message.split(separator: "\n") { Console.error("error: \(line)") }
            throw ExitCode(refusal.status)
        case .success(let targets): return targets
        }
    }
}

extension DeadLetterCommand {
    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead letters back on their worker's queue (fresh receive count, new message id).",
            discussion: """
                Each message goes back with its exact body and attributes, a new id, receive count 0, and the id it \
                was dead-lettered under in the StarfleetOriginalMessageId attribute; its file is removed once the send \
                is durable. When the daemon holds the queue the messages go through <state>/inbox/<Worker>/ and the \
                daemon takes them within a second; otherwise they are written to the queue's journal directly.
                Exit status: 0, 64 no selection (IDs, --worker or --all) or a bad option, 65 unknown id or worker \
                (with a hint), 69 the queue is unavailable, 74 I/O error (files not redriven stay in place), \
                78 configuration errors.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: DeadLetterSelectionOptions

        @Option(help: ArgumentHelp("At most this many messages per second (0: no limit).", valueName: "n"))
        var rate: Double = 100

        func validate() throws {
            guard rate >= 0, rate.isFinite else { throw ValidationError("--rate must be 0 (no limit) or a positive number of messages per second") }
        }

        func run() async throws {
            let access = try StateAccess(global)
            var targets = try selection.targets(access)
            // A queue nobody consumes would swallow the messages: refuse for named targets, skip under --all.
            let orphans = targets.filter { !access.knownQueues.contains($0.worker) }
            for orphan in orphans {
                let text = "no worker section named \(orphan.worker) consumes its queue; its \(orphan.ids.count) dead letter(s) cannot be redriven (add the worker back, or purge them)"
                if !selection.all {
                    Console.error("error: " + text)
                    throw ExitCode(ExitStatus.dataError)
                }
                Console.error("warning: skipped: " + text)
            }
            targets.removeAll { !access.knownQueues.contains($0.worker) }
            targets = try access.withoutLettersInSQSDeadLetterQueues(targets, failOnNamed: !selection.all)
            let total = targets.reduce(0) { $0 + $1.ids.count }
            if total == 0 {
                Console.out("nothing to redrive")
                return
            }
            let progress = Progress(total: total, enabled: total > 100 && isatty(STDERR_FILENO) == 1)
            var failures = 0
            var status = ExitStatus.ok
            for (worker, ids) in targets {
                if let config = access.configuration.worker(named: worker), !config.enabled {
                    Console.error("warning: \(worker) is disabled; the redriven messages wait on its queue until it is enabled")
                }
                let target: SendingQueue
                do { target = try access.sendingQueue(worker) } catch {
                    let exit = Failure.exit(error, "cannot open queue \(worker)")
                    status = max(status, exit.rawValue)
                    failures += ids.count
                    continue
                }
                var moved = 0
                // Chunks keep the progress line moving; the pace carries over between them.
                for chunk in stride(from: 0, to: ids.count, by: 100).map({ Array(ids[$0..<min($0 + 100, ids.count)]) }) {
                    do {
                        let started = Date()
                        let result = try await access.deadLetters.redrive(
                            worker: worker, .ids(chunk), into: target.queue, ratePerSecond: rate > 0 ? rate : nil, clock: access.clock)
                        moved += result.redriven.count
                        for (id, why) in result.failed.sorted(by: { $0.key < $1.key }) {
                            Console.error("error: \(id) (\(worker)) not redriven: \(why)")
                            failures += 1
                        }
                        if rate > 0 {
                            let due = started.addingTimeInterval(Double(chunk.count) / rate)
                            try await access.clock.sleep(until: due)
                        }
                    } catch {
                        let exit = Failure.exit(error, "redrive of \(worker) stopped")
                        status = max(status, exit.rawValue)
                        failures += chunk.count
                    }
                    progress.advance(by: chunk.count)
                }
                await target.close()
                progress.endLine()
                let route = target.viaDaemon
                    ? "handed to the running daemon through \(access.paths.inbox)/\(worker)/ (it takes them within a second)"
                    : "written to its queue"
                Console.out("\(worker): \(moved) dead letter(s) redriven, \(route)")
            }
            progress.endLine()
            if failures > 0 {
                Console.error("\(failures) dead letter(s) not redriven; their files are still in \(access.deadLetters.root)")
                throw ExitCode(status == ExitStatus.ok ? ExitStatus.ioError : status)
            }
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete dead letters for good.",
            discussion: """
                Exit status: 0, 64 no selection (IDs, --worker or --all), 65 unknown id or worker (with a hint; nothing \
                is deleted), 74 I/O error, 78 configuration errors.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: DeadLetterSelectionOptions

        func run() throws {
            let access = try StateAccess(global)
            let targets = try selection.targets(access)
            if targets.isEmpty {
                Console.out("nothing to purge")
                return
            }
            for (worker, ids) in targets {
                do {
                    let removed = try access.deadLetters.purge(worker: worker, .ids(ids))
                    Console.out("\(worker): \(removed) dead letter(s) purged")
                } catch {
                    throw Failure.exit(error, "purge of \(worker) stopped")
                }
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
