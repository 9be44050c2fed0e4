import ArgumentParser
import FoundationEssentials
import StarfleetCore
import StarfleetApp
import StarfleetQueue

/// `starfleetctl dlq …`: the dead-letter directory, `<state>/dead-letter/<Worker>/<MessageId>.json`.
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "List, show, redrive or purge dead letters.",
        discussion: """
            A dead letter is a message that failed MaxReceiveCount times: one JSON file per message under \
            <state>/dead-letter/<Worker>/, readable with ls and jq. Every subcommand is safe while the daemon runs.
            """,
        subcommands: [List.self, Show.self, Redrive.self, Purge.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List dead letters, newest first.",
            discussion: "Exit status: 0 (also when there are none), 65 unknown worker, 74 I/O error, 78 configuration errors.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("Only this worker's dead letters (default: every worker's).", valueName: "worker"))
        var worker: String?

        @Flag(help: "One JSON object per dead letter: {\"worker\", \"messageId\", \"reason\", \"receiveCount\", \"deadLetteredTimestamp\", \"lastError\", \"path\"}.")
        var json = false

        func run() throws {
            let access = try StateAccess(global)
            var letters: [DeadLetterSummary] = []
            do {
                let inventory = try access.deadLetterInventory()
                let workers: [String]
                if let worker {
                    if inventory[worker] == nil && access.configuration.worker(named: worker) == nil && worker != StatePaths.starbaseQueue {
                        let hint = Suggestion.hint(for: worker, in: Set(inventory.keys).union(access.configuration.workers.map(\.name)))
                        Console.error("error: no worker named \(worker) has dead letters and none is configured\(hint.map { " (\($0))" } ?? "")")
                        throw ExitCode(ExitStatus.dataError)
                    }
                    workers = [worker]
                } else {
                    workers = inventory.keys.sorted()
                }
                for w in workers { letters += try access.deadLetters.list(worker: w) }
            } catch {
                throw Failure.exit(error, "cannot read \(access.deadLetters.root)")
            }
            letters.sort { ($0.deadLetteredTimestamp, $0.messageId) > ($1.deadLetteredTimestamp, $1.messageId) }
            if json {
                for letter in letters { try JSONOutput.print(letter) }
                return
            }
            if letters.isEmpty {
                Console.out("no dead letters\(worker.map { " for \($0)" } ?? "") in \(access.deadLetters.root)")
                return
            }
            var table = TextTable(["ID", "WORKER", "DEAD-LETTERED", "RECEIVES", "LAST ERROR"], rightAligned: [3])
            for l in letters {
                let error = l.lastError ?? (l.reason.hasPrefix("unreadable") ? l.reason : nil)
                table.append([l.messageId, l.worker, Format.time(l.deadLetteredTimestamp), "\(l.receiveCount)", Format.oneLine(error, limit: 70)])
            }
            for line in table.render() { Console.out(line) }
            Console.out("\(letters.count) dead letter\(letters.count == 1 ? "" : "s")")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one dead letter's JSON file (its path goes to stderr).",
            discussion: "Exit status: 0, 65 no such dead letter (with a hint when an id is close), 74 I/O error, 78 configuration errors.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The dead letter's id (its file name without .json).", valueName: "id"))
        var id: String

        @Option(help: ArgumentHelp("Look only in this worker's folder.", valueName: "worker"))
        var worker: String?

        func run() throws {
            let access = try StateAccess(global)
            let inventory: [String: [String]]
            do { inventory = try access.deadLetterInventory() } catch { throw Failure.exit(error, "cannot read \(access.deadLetters.root)") }
            let found: (worker: String, ids: [String])
            switch DeadLetterRequest.ids([id], worker: worker).resolve(in: inventory, knownWorkers: access.knownQueues) {
            case .failure(let refusal):
                Console.error("error: \(refusal.message)")
                throw ExitCode(refusal.status)
            case .success(let targets):
                guard let first = targets.first else { throw ExitCode(ExitStatus.dataError) }
                found = first
            }
            let path = access.deadLetters.path(worker: found.worker, id: found.ids.first ?? id)
            guard let data = try? Data(contentsOf: URL(filePath: path)) else {
                Console.error("error: cannot read \(path)")
                throw ExitCode(ExitStatus.ioError)
            }
            Console.error(path)
            var text = String(decoding: data, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            Console.out(text)
        }
    }
}

extension StateAccess {
    /// Queue names that exist by configuration (every worker section and the Starbase), folder or not.
    var knownQueues: Set<String> { Set(configuration.workers.map(\.name)).union([StatePaths.starbaseQueue]) }
}
