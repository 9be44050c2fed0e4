package import StarfleetCore
package import StarfleetWorkerKit

/// The Swift workers compiled into this binary, by name. Add yours here (`starfleetctl new worker NAME
/// --language swift` writes the file and the line below).
package enum WorkerRegistry {
    /// Builds each built-in worker; a configuration section's `FanOutStrategy` is used where the worker lets it choose.
    package static let builtIns: [String: @Sendable (WorkerConfiguration) -> any WorkerShip] = [
        "NoOpShip": { NoOpShip(fanOutStrategy: $0.fanOutStrategy ?? .accountRegion) },
        "AccountIndexGeneratorShip": { AccountIndexGeneratorShip(configuration: $0) },
        // starfleetctl new worker: registrations go above this line.
    ]

    package static var names: Set<String> { Set(builtIns.keys) }

    /// The built-in workers' checks of their own configuration keys, for every section that names one.
    package static func validate(_ configuration: Configuration) -> [Diagnostic] {
        configuration.workers.filter { $0.runtime == .swift }.flatMap { worker -> [Diagnostic] in
            guard let ship = builtIns[worker.name]?(worker) else { return [] }
            var problems = ship.validate(section: worker.section)
            // A Swift worker declares its strategy in code (as a Starfleet ship does in its class), so its section
            // need not repeat it; one that does must agree, or validate and plan would check templates differently.
            if let configured = worker.fanOutStrategy, configured != ship.fanOutStrategy {
                let node = worker.section["FanOutStrategy"] ?? worker.section
                problems.append(
                    Diagnostic(
                        at: node.mark, path: "\(worker.name).FanOutStrategy",
                        "\(configured.rawValue) differs from the worker's own strategy, \(ship.fanOutStrategy.rawValue)",
                        hint:
                            "remove the key (a Swift worker declares its strategy in code) or set it to \(ship.fanOutStrategy.rawValue)"
                    ))
            }
            return problems
        }
    }

    /// A built-in worker's own payload checks (Starfleet's worker payload schema, e.g. the account index
    /// generator's required bucket and region) for a template of `worker`, so `validate` and `plan` report what
    /// the worker would otherwise find first when it runs. None for other runtimes.
    package static func validate(template: Node, of worker: WorkerConfiguration) -> [Diagnostic] {
        guard worker.runtime == .swift, let ship = builtIns[worker.name]?(worker) else { return [] }
        return ship.validate(template: template)
    }

    /// How a worker's templates fan out: the Swift worker's own strategy, else its section's `FanOutStrategy`.
    package static func strategy(of worker: WorkerConfiguration) -> FanOutStrategy {
        if worker.runtime == .swift, let ship = builtIns[worker.name]?(worker) { return ship.fanOutStrategy }
        return worker.strategy
    }

    /// The worker a configuration section runs: its `Command` as a process worker (with `environment`, the
    /// complete environment the daemon built for it), else the built-in of that name. Lambda runtimes are the
    /// daemon's (they need its Runtime API): nil here.
    package static func ship(
        for configuration: WorkerConfiguration, workingDirectory: String?,
        environment: [String: String]? = nil
    ) -> (any WorkerShip)? {
        switch configuration.runtime {
        case .process:
            return ProcessWorkerShip(configuration: configuration, workingDirectory: workingDirectory, environment: environment)
        case .swift:
            return builtIns[configuration.name]?(configuration)
        case .python, .nodejs, .provided:
            return nil
        }
    }
}
