import FoundationEssentials
import Glibc
package import StarfleetClock
import StarfleetCore
package import StarfleetQueue

/// What an operator does with dead letters, for `starfleetctl dlq …` and the console alike: select them, purge them and
/// redrive them at a pace (``redrive(_:ratePerSecond:queue:stopRequested:report:)``). Both front ends used to carry a
/// copy of each, and the copies drifted; the files stay in ``DeadLetterDirectory``, which is also where every worker
/// name and letter id is validated (a name that could leave `dead-letter/` never reaches a file).
package struct DeadLetterOperations: Sendable {
    /// Dead letters per worker, in the order they are taken.
    package typealias Targets = [(worker: String, ids: [String])]

    package let letters: DeadLetterDirectory
    package let clock: any WallClock

    package init(letters: DeadLetterDirectory, clock: any WallClock) {
        self.letters = letters
        self.clock = clock
    }

    /// "Every dead letter matching": a worker, an account, or neither. The console's forms carry this instead of every
    /// letter's id, so an action on thousands of letters stays a small request.
    package struct Filter: Sendable, Equatable, CustomStringConvertible {
        package var worker: String?
        package var account: String?

        /// Empty values (an untouched form field) mean "any".
        package init(worker: String?, account: String?) {
            self.worker = worker.flatMap { $0.isEmpty ? nil : $0 }
            self.account = account.flatMap { $0.isEmpty ? nil : $0 }
        }

        /// Refuses a worker filter that is not a worker's name by the dead-letter directory's rule (`../../victim`
        /// once purged files outside it); the directory refuses it again where files are touched.
        package func validated() throws(InvalidSelection) -> Filter {
            try InvalidSelection.check(worker: worker)
            return self
        }

        package var description: String {
            "all" + (worker.map { " of \($0)" } ?? "") + (account.map { ", account \($0)" } ?? "")
        }
    }

    /// A selection that names something other than a dead letter; nothing is touched.
    package struct InvalidSelection: Error, CustomStringConvertible {
        package let description: String

        /// Refuses a worker name or letter id the dead-letter directory would refuse, in the directory's words.
        package static func check(worker: String?, id: String? = nil) throws(InvalidSelection) {
            do {
                if let worker { try DeadLetterDirectory.validateWorker(worker) }
                if let id { try DeadLetterDirectory.validateID(id) }
            } catch {
                throw InvalidSelection(description: (error as? QueueError)?.message ?? "\(error)")
            }
        }
    }

    /// Every dead letter `filter` matches, by worker (letters are read only to match an account).
    package func targets(matching filter: Filter) -> Targets {
        guard case .success(let targets) = resolve(.matching(filter), knownWorkers: []) else { return [] }
        return targets
    }

    /// `WORKER/ID` values grouped by worker. A value that is not a worker's name and a letter id refuses the whole
    /// selection: acting on the rest would hide a forged request (`../scheduler` once named `<state>/scheduler.json`).
    package static func group(_ values: [String]) throws(InvalidSelection) -> Targets {
        var order: [String] = []
        var byWorker: [String: [String]] = [:]
        for value in values {
            let parts = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else {
                throw InvalidSelection(description: "a selected value is not a dead letter (WORKER/ID)")
            }
            try InvalidSelection.check(worker: parts[0], id: parts[1])
            if byWorker[parts[0]] == nil { order.append(parts[0]) }
            byWorker[parts[0], default: []].append(parts[1])
        }
        return order.map { ($0, byWorker[$0] ?? []) }
    }

    /// The dead letters `filter` matches, newest first, at most `limit` (a page, not a dump). Files are ordered by their
    /// modification time (when they were dead-lettered) and only read until the page is full, so a folder of 100,000
    /// letters costs a `stat` each, not 100,000 decoded documents in memory.
    package func newest(matching filter: Filter, limit: Int) -> [(worker: String, id: String, letter: DeadLetter)] {
        let workers = filter.worker.map { [$0] } ?? ((try? letters.workers()) ?? [])
        var files: [(worker: String, id: String, modified: Int64)] = []
        for w in workers {
            for id in (try? letters.ids(worker: w)) ?? [] {
                var info = stat()
                guard let file = try? letters.path(worker: w, id: id), stat(file, &info) == 0 else { continue }
                files.append((w, id, Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)))
            }
        }
        files.sort { $0.modified > $1.modified }
        var found: [(worker: String, id: String, letter: DeadLetter)] = []
        for file in files where found.count < limit {
            guard let letter = try? letters.show(worker: file.worker, id: file.id) else { continue }
            if let account = filter.account, PayloadAddress(attributes: letter.attributes).account != account { continue }
            found.append((file.worker, file.id, letter))
        }
        found.sort { $0.letter.deadLetteredTimestamp > $1.letter.deadLetteredTimestamp }
        return found
    }

    /// How one worker's purge ended.
    package enum PurgeOutcome: Sendable {
        case purged(worker: String, count: Int)
        /// Stopped at the first file that could not be removed (or a name the directory refused).
        case stopped(worker: String, error: any Error)
    }

    /// Deletes one worker's letters for good.
    package func purge(worker: String, ids: [String]) -> PurgeOutcome {
        do {
            return .purged(worker: worker, count: try letters.purge(worker: worker, .ids(ids)))
        } catch {
            return .stopped(worker: worker, error: error)
        }
    }

    /// Deletes the letters for good, worker by worker; a worker that fails does not stop the next.
    package func purge(_ targets: Targets) -> [PurgeOutcome] {
        targets.map { purge(worker: $0.worker, ids: $0.ids) }
    }
}
