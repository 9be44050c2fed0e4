import FoundationEssentials
import Logging
import StarfleetCore
import StarfleetDaemon
import StarfleetWorkerKit
import StarfleetWorkers
import StarfleetYAML

/// `starfleetctl invoke WORKER --payload FILE`: run a worker once, in this process, and print its result
/// (Starfleet's worker CLI commands, Bedrock's `invoke`); or `--async` to put the payload on its queue.
package struct InvokeCommand {
    package var control: ControlContext
    package var worker: String
    package var payload: String
    package var accountID: String?
    package var region: String?
    package var accountIndex: String?
    package var commit: Bool
    package var async: Bool

    package init(
        control: ControlContext, worker: String, payload: String, accountID: String?, region: String?, accountIndex: String?,
        commit: Bool, async: Bool
    ) {
        self.control = control
        self.worker = worker
        self.payload = payload
        self.accountID = accountID
        self.region = region
        self.accountIndex = accountIndex
        self.commit = commit
        self.async = async
    }

    package func run() async throws {
        _ = try WorkerName.argument(worker)
        let access = try StateAccess(control)
        let configuration = access.configuration
        guard let config = configuration.worker(named: worker) else {
            Terminal.error(
                "error: no worker named \(worker)"
                    + (Suggestion.hint(for: worker, in: configuration.workers.map(\.name)).map { " (\($0))" } ?? ""))
            throw ControlExit(ExitStatus.usage)
        }
        let paths = StatePaths(control.stateDirectory(for: configuration))
        if config.runtime.isLambda {
            try await invokeThroughDaemon(config, paths: paths)
            return
        }
        guard let ship = WorkerRegistry.ship(for: config, workingDirectory: paths.workerDirectory(worker)) else {
            Terminal.error("error: \(worker) has no implementation (no Command and no built-in Swift worker of that name)")
            throw ControlExit(ExitStatus.config)
        }
        let strategy = ship.fanOutStrategy
        try requireOptions(for: strategy)
        let path = Configuration.resolve(payload, against: CurrentDirectory.path)
        let (parsed, diagnostics) = TemplateReader.read(path: path, strategy: strategy)
        for d in diagnostics { Terminal.error(d.description) }
        let extra = parsed.map { ship.validate(template: $0.raw) } ?? []
        for d in extra { Terminal.error(d.description) }
        guard let template = parsed, !extra.containsErrors else { throw ControlExit(ExitStatus.dataError) }
        if strategy != .singleInvocation {
            try await checkApplicable(template, strategy: strategy, configuration: configuration, paths: paths)
        }
        let body = try FanOutPlanner.payload(worker: worker, template: template, account: accountID, region: region).body

        if let daemon = DaemonInvokeClient.find(stateDirectory: paths.root) {
            try await run(through: daemon, body: body)
            return
        }
        if async {
            let sender = try access.sendingQueue(worker)
            let results = try await sender.queue.send([InvocationMessage.make(payload: body, account: accountID, region: region)])
            await sender.close()
            Terminal.out(
                "enqueued on \(worker): \(results.first?.messageId ?? "")"
                    + (sender.onSQS
                        ? " (sent to its SQS queue)"
                        : sender.viaDaemon ? " (handed to the running daemon)" : " (runs when the daemon starts)"))
            return
        }
        Terminal.error("[🆗] Template OK: Executing worker: \(worker)...")
        // A process worker runs in its own folder, which the daemon makes at start; a direct run may come first.
        if config.runsOutOfProcess { try? PosixDirectory.make(paths.workerDirectory(worker)) }
        var logger = Logger(label: "starfleetctl")
        logger.logLevel = .info
        let id = "cli-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
        let invoker = CLIInvoker(access: access, logger: logger)
        let context = WorkerContext(
            worker: worker, account: accountID, region: region, commit: commit, messageId: id, receiveCount: 1,
            logger: logger, invoker: invoker)
        do {
            let result = try await ship.execute(
                WorkerInvocation(
                    worker: worker, body: body, account: accountID, region: region,
                    commit: commit, messageId: id, receiveCount: 1), context: context)
            if !result.isEmpty { Terminal.out(String(decoding: result, as: UTF8.self).trimmingTrailingNewlines) }
        } catch let failure as WorkerFailure {
            Terminal.error("error: \(failure.message)")
            if let tail = failure.stderrTail, !tail.isEmpty { Terminal.error("stderr (last lines):\n\(tail)") }
            throw ControlExit(1)
        }
    }

    /// A Lambda-runtime worker runs in the daemon's warm processes: the payload file is JSON (or YAML) as the handler
    /// gets it, sent through the daemon's Invoke API.
    func invokeThroughDaemon(_ config: WorkerConfiguration, paths: StatePaths) async throws {
        try requireOptions(for: config.strategy)
        let path = Configuration.resolve(payload, against: CurrentDirectory.path)
        guard let bytes = FileManager.default.contents(atPath: path) else {
            Terminal.error("error: cannot read \(path)")
            throw ControlExit(ExitStatus.ioError)
        }
        var body: [UInt8]
        do {
            var node = try YAMLParser.parse([UInt8](bytes), file: path) ?? Node(.mapping([]), at: .start(of: path))
            // As the fan-out and Starfleet's CLI do: the payload names the account and region it is for.
            if case .mapping(var entries) = node.value {
                for (key, value) in [("StarbaseAssignedAccount", accountID), ("StarbaseAssignedRegion", region)] {
                    guard let value, !entries.contains(where: { $0.key.keyText == key }) else { continue }
                    entries.append(Node.Entry(key: Node(.string(key), at: node.mark), value: Node(.string(value), at: node.mark)))
                }
                node.value = .mapping(entries)
            }
            body = try node.jsonBytes()
        } catch {
            Terminal.error("\(error)")
            throw ControlExit(ExitStatus.dataError)
        }
        guard let daemon = DaemonInvokeClient.find(stateDirectory: paths.root) else {
            if async {
                let sender = try StateAccess(control).sendingQueue(worker)
                let results = try await sender.queue.send([
                    InvocationMessage.make(payload: body, account: accountID, region: region)
                ])
                await sender.close()
                Terminal.out("enqueued on \(worker): \(results.first?.messageId ?? "") (runs when the daemon starts)")
                return
            }
            Terminal.error(
                "error: \(worker) runs on the Lambda runtime (Runtime: \(config.runtime.rawValue)) in the daemon's warm processes, "
                    + "and no daemon answers on \(paths.root)/run/invoke.sock; start starfleetd, or use --async to queue the payload"
            )
            throw ControlExit(ExitStatus.unavailable)
        }
        try await run(through: daemon, body: body)
    }

    func run(through daemon: DaemonInvokeClient, body: [UInt8]) async throws {
        if !async { Terminal.error("[🆗] Executing worker: \(worker) (through the running daemon)...") }
        let outcome: DaemonInvokeClient.Outcome
        do {
            outcome = try await daemon.invoke(
                worker: worker, payload: body, account: accountID, region: region, commit: commit, async: async)
        } catch {
            Terminal.error("error: \(error)")
            throw ControlExit(ExitStatus.unavailable)
        }
        switch outcome {
        case .result(let bytes):
            if !bytes.isEmpty { Terminal.out(String(decoding: bytes, as: UTF8.self).trimmingTrailingNewlines) }
        case .queued(let id):
            Terminal.out("enqueued on \(worker): \(id) (handed to the running daemon)")
        case .functionError(let document):
            struct Document: Decodable {
                let errorMessage: String?
                let errorType: String?
                let stackTrace: [String]?
            }
            let parsed = try? JSONDecoder().decode(Document.self, from: Data(document))
            Terminal.error(
                "error: \(parsed?.errorType.map { "\($0): " } ?? "")\(parsed?.errorMessage ?? String(decoding: document, as: UTF8.self))"
            )
            if let trace = parsed?.stackTrace, !trace.isEmpty {
                Terminal.error("stack trace (last lines):\n\(trace.suffix(20).joined(separator: "\n"))")
            }
            throw ControlExit(1)
        }
    }

    func requireOptions(for strategy: FanOutStrategy) throws {
        if strategy != .singleInvocation && accountID == nil {
            throw ControlUsageError("Missing option '--account-id' (\(worker) is an \(strategy) worker)")
        }
        if strategy == .accountRegion && region == nil {
            throw ControlUsageError("Missing option '--region' (\(worker) is an ACCOUNT_REGION worker)")
        }
    }

    /// Starfleet's applicability check: the account (and region) must be among those the template resolves to.
    func checkApplicable(_ template: PayloadTemplate, strategy: FanOutStrategy, configuration: Configuration, paths: StatePaths)
        async throws
    {
        let index: AccountIndex
        do {
            index = try await ConfiguredAccountIndex.load(configuration, override: accountIndex, stateDirectory: paths.root)
        } catch {
            Terminal.error(error.description)
            throw ControlExit(ExitStatus.unavailable)
        }
        guard let accountID else { return }
        if strategy == .account {
            guard template.resolveAccounts(in: index).contains(accountID) else {
                Terminal.error("[🙅‍♂️] The account provided is not applicable for this template. Not doing anything.")
                throw ControlExit(ExitStatus.dataError)
            }
        } else {
            let map = template.resolveAccountRegions(in: index, scopeToRegions: Set(configuration.starfleet.scopeToRegions))
            guard let region, map[accountID]?.contains(region) == true else {
                Terminal.error("[🙅‍♂️] The account/region provided is not applicable for this template. Not doing anything.")
                throw ControlExit(ExitStatus.dataError)
            }
        }
    }
}

/// `invoke` from a worker run by the CLI: nested synchronous invocations run here, async ones go to the queue.
struct CLIInvoker: WorkerInvoker {
    let access: StateAccess
    let logger: Logger
    var configuration: Configuration { access.configuration }
    var paths: StatePaths { access.paths }

    func invoke(worker: String, payload: [UInt8], account: String?, region: String?, commit: Bool) async throws -> [UInt8] {
        guard let config = configuration.worker(named: worker),
            let ship = WorkerRegistry.ship(for: config, workingDirectory: paths.workerDirectory(worker))
        else { throw WorkerFailure("invoke: no worker named \(worker) with an implementation") }
        let id = "cli-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
        let context = WorkerContext(
            worker: worker, account: account, region: region, commit: commit, messageId: id, receiveCount: 1,
            logger: logger, invoker: self)
        return try await ship.execute(
            WorkerInvocation(
                worker: worker, body: payload, account: account, region: region, commit: commit,
                messageId: id, receiveCount: 1), context: context)
    }

    func enqueue(worker: String, payload: [UInt8], account: String?, region: String?) async throws -> String {
        guard configuration.worker(named: worker) != nil else { throw WorkerFailure("enqueue: no worker named \(worker)") }
        let sender = try access.sendingQueue(worker)
        let results = try await sender.queue.send([InvocationMessage.make(payload: payload, account: account, region: region)])
        await sender.close()
        return results.first?.messageId ?? ""
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while s.last == "\n" || s.last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
