import FoundationEssentials
import StarfleetCore
import StarfleetDaemon
import StarfleetQueue

/// `starfleetctl dlq list`: dead letters, newest first, from `<state>/dead-letter/<Worker>/<MessageId>.json`.
package struct DeadLetterListCommand {
    package var control: ControlContext
    package var worker: String?
    package var json: Bool

    package init(control: ControlContext, worker: String?, json: Bool) {
        self.control = control
        self.worker = worker
        self.json = json
    }

    package func run() throws {
        if let refusal = DeadLetterOperations.Selection.invalidName(worker: worker) {
            Terminal.error("error: \(refusal.message)")
            throw ControlExit(refusal.status)
        }
        let access = try StateAccess(control)
        var letters: [DeadLetterSummary] = []
        do {
            let inventory = try access.deadLetterInventory()
            let workers: [String]
            if let worker {
                if inventory[worker] == nil && access.configuration.worker(named: worker) == nil
                    && worker != StatePaths.starbaseQueue
                {
                    let hint = Suggestion.hint(
                        for: worker, in: Set(inventory.keys).union(access.configuration.workers.map(\.name)))
                    Terminal.error(
                        "error: no worker named \(worker) has dead letters and none is configured\(hint.map { " (\($0))" } ?? "")"
                    )
                    throw ControlExit(ExitStatus.dataError)
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
            Terminal.out("no dead letters\(worker.map { " for \($0)" } ?? "") in \(access.deadLetters.root)")
            return
        }
        var table = TextTable(["ID", "WORKER", "DEAD-LETTERED", "RECEIVES", "LAST ERROR"], rightAligned: [3])
        for l in letters {
            let error = l.lastError ?? (l.reason.hasPrefix("unreadable") ? l.reason : nil)
            table.append([
                l.messageId, l.worker, Format.time(l.deadLetteredTimestamp), "\(l.receiveCount)",
                Format.oneLine(error, limit: 70),
            ])
        }
        for line in table.render() { Terminal.out(line) }
        Terminal.out("\(letters.count) dead letter\(letters.count == 1 ? "" : "s")")
    }
}

/// `starfleetctl dlq show ID`: one dead letter's JSON file.
package struct DeadLetterShowCommand {
    package var control: ControlContext
    package var id: String
    package var worker: String?

    package init(control: ControlContext, id: String, worker: String?) {
        self.control = control
        self.id = id
        self.worker = worker
    }

    package func run() throws {
        if let refusal = DeadLetterOperations.Selection.invalidName(worker: worker, ids: [id]) {
            Terminal.error("error: \(refusal.message)")
            throw ControlExit(refusal.status)
        }
        let access = try StateAccess(control)
        let inventory: [String: [String]]
        do { inventory = try access.deadLetterInventory() } catch {
            throw Failure.exit(error, "cannot read \(access.deadLetters.root)")
        }
        let found: (worker: String, ids: [String])
        switch DeadLetterOperations.Selection.ids([id], worker: worker).resolve(in: inventory, knownWorkers: access.knownQueues) {
        case .failure(let refusal):
            Terminal.error("error: \(refusal.message)")
            throw ControlExit(refusal.status)
        case .success(let targets):
            guard let first = targets.first else { throw ControlExit(ExitStatus.dataError) }
            found = first
        }
        let path: String
        do { path = try access.deadLetters.path(worker: found.worker, id: found.ids.first ?? id) } catch {
            throw Failure.exit(error, "cannot show the dead letter")
        }
        guard let data = try? Data(contentsOf: URL(filePath: path)) else {
            Terminal.error("error: cannot read \(path)")
            throw ControlExit(ExitStatus.ioError)
        }
        Terminal.error(path)
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        Terminal.out(text)
    }
}

extension StateAccess {
    /// Queue names that exist by configuration (every worker section and the Starbase), folder or not.
    var knownQueues: Set<String> { Set(configuration.workers.map(\.name)).union([StatePaths.starbaseQueue]) }
}
