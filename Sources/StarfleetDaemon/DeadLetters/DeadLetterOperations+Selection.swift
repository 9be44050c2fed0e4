import StarfleetCore
import StarfleetQueue

extension DeadLetterOperations {
    /// Which dead letters an operation takes, as the operator said it: `starfleetctl dlq redrive|purge` (ids, `--worker`,
    /// `--all`) or the console's "all shown" (a filter). Taking everything is never implied: it needs `--all`.
    package enum Selection: Sendable, Equatable {
        /// Named ids, looked up in every worker's folder or only in `worker`'s.
        case ids([String], worker: String?)
        /// Every dead letter of one worker (`--worker W`).
        case worker(String)
        /// Every dead letter of every worker (`--all`).
        case everything
        /// Every dead letter the filter matches (the console's "all shown"; an account is matched by reading the letters).
        case matching(Filter)

        /// The request from the command line, or a usage error saying what is missing or contradictory.
        package static func parse(ids: [String], worker: String?, all: Bool) -> Result<Selection, SelectionError> {
            var seen: Set<String> = []
            let unique = ids.filter { seen.insert($0).inserted }
            if let refusal = invalidName(worker: worker, ids: unique) { return .failure(refusal) }
            switch (unique.isEmpty, worker, all) {
            case (true, nil, false):
                return .failure(
                    .usage(
                        "say which dead letters: their IDs, --worker NAME for all of one worker's, or --all for every worker's"))
            case (false, _, true):
                return .failure(.usage("give IDs or --all, not both"))
            case (true, let w?, _):
                return .success(.worker(w))
            case (true, nil, true):
                return .success(.everything)
            case (false, let w, false):
                return .success(.ids(unique, worker: w))
            }
        }

        /// A data error (exit 65) for a worker name or id that cannot name a dead letter (`..`, a slash), in the words of
        /// the dead-letter directory, which refuses it again where files are touched.
        package static func invalidName(worker: String?, ids: [String] = []) -> SelectionError? {
            do {
                if let worker { try DeadLetterDirectory.validateWorker(worker) }
                for id in ids { try DeadLetterDirectory.validateID(id) }
                return nil
            } catch {
                return .data((error as? QueueError)?.message ?? "\(error)")
            }
        }

        /// The selection applied to what is on disk (`inventory`: worker → dead-letter ids): the ids to take per worker,
        /// sorted by worker. Fails with a data error naming every unknown id (with a hint when one is close) before
        /// anything is touched; `knownWorkers` (configured workers and the Starbase) may have no folder yet. `account`
        /// answers a letter's account for a filter that names one.
        package func resolve(
            in inventory: [String: [String]], knownWorkers: Set<String>,
            account: (_ worker: String, _ id: String) -> String? = { _, _ in nil }
        ) -> Result<Targets, SelectionError> {
            switch self {
            case .matching(let filter):
                let workers = filter.worker.map { [$0] } ?? inventory.keys.sorted()
                return .success(
                    workers.compactMap { w in
                        var ids = inventory[w] ?? []
                        if let wanted = filter.account { ids = ids.filter { account(w, $0) == wanted } }
                        return ids.isEmpty ? nil : (w, ids)
                    })
            case .everything:
                return .success(inventory.keys.sorted().compactMap { w in inventory[w].flatMap { $0.isEmpty ? nil : (w, $0) } })
            case .worker(let w):
                if let ids = inventory[w] { return .success(ids.isEmpty ? [] : [(w, ids)]) }
                if knownWorkers.contains(w) { return .success([]) }
                let hint = Suggestion.hint(for: w, in: knownWorkers.union(inventory.keys)).map { " (\($0))" } ?? ""
                return .failure(.data("no worker named \(w) has dead letters and none is configured\(hint)"))
            case .ids(let ids, let only):
                if let only, inventory[only] == nil, !knownWorkers.contains(only) {
                    let hint = Suggestion.hint(for: only, in: knownWorkers.union(inventory.keys)).map { " (\($0))" } ?? ""
                    return .failure(.data("no worker named \(only) has dead letters and none is configured\(hint)"))
                }
                let scope = only.map { w in [w: inventory[w] ?? []] } ?? inventory
                var found: [String: [String]] = [:]
                var problems: [String] = []
                for id in ids {
                    if let (worker, exact) = Self.find(id, in: scope) {
                        found[worker, default: []].append(exact)
                    } else {
                        problems.append(
                            "no dead letter with id \(id)\(only.map { " for worker \($0)" } ?? "")"
                                + Self.hint(for: id, scope: scope, inventory: inventory, only: only))
                    }
                }
                if !problems.isEmpty { return .failure(.data(problems.joined(separator: "\n"))) }
                return .success(found.keys.sorted().map { ($0, found[$0] ?? []) })
            }
        }

        /// Exact match first, then a case-insensitive one (message ids are UUIDs, case-insensitive by nature).
        static func find(_ id: String, in scope: [String: [String]]) -> (String, String)? {
            for (worker, ids) in scope where ids.contains(id) { return (worker, id) }
            let lower = id.lowercased()
            for (worker, ids) in scope.sorted(by: { $0.key < $1.key }) {
                if let match = ids.first(where: { $0.lowercased() == lower }) { return (worker, match) }
            }
            return nil
        }

        /// " (it belongs to worker X)", " (did you mean ID?)" for a unique prefix or a near miss, else "".
        static func hint(for id: String, scope: [String: [String]], inventory: [String: [String]], only: String?) -> String {
            if only != nil, let (elsewhere, exact) = find(id, in: inventory) {
                return " (it is \(exact) of worker \(elsewhere); drop --worker or use --worker \(elsewhere))"
            }
            let all = scope.values.flatMap { $0 }
            let lower = id.lowercased()
            let prefixed = all.filter { $0.lowercased().hasPrefix(lower) }
            if prefixed.count == 1, let full = prefixed.first { return " (did you mean \(full)?)" }
            if prefixed.count > 1 { return " (\(prefixed.count) ids start with \(id); give the whole id)" }
            return Suggestion.hint(for: id, in: all).map { " (\($0))" } ?? " (list them with `starfleetctl dlq list`)"
        }
    }

    /// A refusal of a dead-letter selection: a usage error (nothing or a contradiction selected) or a data error (a name
    /// that cannot be one, an unknown id or worker); nothing is touched.
    package enum SelectionError: Error, Equatable {
        case usage(String)
        case data(String)

        package var message: String {
            switch self {
            case .usage(let m), .data(let m): m
            }
        }
    }

    /// The letters `selection` takes in the dead-letter directory as it is now (unreadable folders count as empty).
    package func resolve(_ selection: Selection, knownWorkers: Set<String>) -> Result<Targets, SelectionError> {
        var inventory: [String: [String]] = [:]
        for worker in (try? letters.workers()) ?? [] { inventory[worker] = (try? letters.ids(worker: worker)) ?? [] }
        if case .matching(let filter) = selection, let worker = filter.worker, inventory[worker] == nil {
            inventory[worker] = (try? letters.ids(worker: worker)) ?? []
        }
        return selection.resolve(in: inventory, knownWorkers: knownWorkers) { worker, id in
            (try? letters.show(worker: worker, id: id)).flatMap { PayloadAddress(attributes: $0.attributes).account }
        }
    }
}
