import StarfleetCore
import StarfleetDaemon
import StarfleetQueue

/// Which dead letters `dlq redrive` / `dlq purge` take, as the operator said it. Taking everything is never
/// implied: it needs `--all`.
enum DeadLetterRequest: Equatable {
    /// Named ids, looked up in every worker's folder or only in `worker`'s.
    case ids([String], worker: String?)
    /// Every dead letter of one worker (`--worker W`).
    case worker(String)
    /// Every dead letter of every worker (`--all`).
    case everything

    /// The request from the command line, or a usage error saying what is missing or contradictory.
    static func parse(ids: [String], worker: String?, all: Bool) -> Result<DeadLetterRequest, TargetError> {
        var seen: Set<String> = []
        let unique = ids.filter { seen.insert($0).inserted }
        if let refusal = invalidName(worker: worker, ids: unique) { return .failure(refusal) }
        switch (unique.isEmpty, worker, all) {
        case (true, nil, false):
            return .failure(
                .usage("say which dead letters: their IDs, --worker NAME for all of one worker's, or --all for every worker's"))
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
    static func invalidName(worker: String?, ids: [String] = []) -> TargetError? {
        do {
            if let worker { try DeadLetterDirectory.validateWorker(worker) }
            for id in ids { try DeadLetterDirectory.validateID(id) }
            return nil
        } catch {
            return .data((error as? QueueError)?.message ?? "\(error)")
        }
    }

    /// The request applied to what is on disk (`inventory`: worker → dead-letter ids): the ids to take per worker,
    /// sorted by worker. Fails with a data error naming every unknown id (with a hint when one is close) before
    /// anything is touched; `knownWorkers` (configured workers and the Starbase) may have no folder yet.
    func resolve(in inventory: [String: [String]], knownWorkers: Set<String>) -> Result<
        [(worker: String, ids: [String])], TargetError
    > {
        switch self {
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

/// A refusal of a dead-letter selection: usage (exit 64) or data (exit 65).
enum TargetError: Error, Equatable {
    case usage(String)
    case data(String)

    var message: String {
        switch self {
        case .usage(let m), .data(let m): m
        }
    }

    var status: Int32 {
        switch self {
        case .usage: ExitStatus.usage
        case .data: ExitStatus.dataError
        }
    }
}
