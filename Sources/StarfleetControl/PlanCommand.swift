import FoundationEssentials
import StarfleetCore
import StarfleetDaemon
import StarfleetWorkers
import StarfleetYAML

/// `starfleetctl plan TEMPLATE`: what the Starbase would send for a template, without sending anything.
package struct PlanCommand {
    package var control: ControlContext
    package var template: String
    package var worker: String?
    package var accountIndex: String?
    package var json: Bool

    package init(control: ControlContext, template: String, worker: String?, accountIndex: String?, json: Bool) {
        self.control = control
        self.template = template
        self.worker = worker
        self.accountIndex = accountIndex
        self.json = json
    }

    package func run() async throws {
        let configuration = try control.loadConfiguration(quietWarnings: true)
        let path = Configuration.resolve(template, against: CurrentDirectory.path)
        let target = try chooseWorker(configuration, path: path)
        let strategy = WorkerRegistry.strategy(of: target)
        let (parsed, diagnostics) = TemplateReader.read(path: path, strategy: strategy)
        for d in diagnostics { Terminal.error(d.description) }
        let extra = parsed.map { WorkerRegistry.validate(template: $0.raw, of: target) } ?? []
        for d in extra { Terminal.error(d.description) }
        guard let parsed, !extra.containsErrors else { throw ControlExit(ExitStatus.dataError) }

        let index = strategy == .singleInvocation ? nil : try await loadIndex(configuration)
        let plan: FanOutPlan
        do {
            plan = try FanOutPlanner.plan(
                worker: target.name, strategy: strategy, template: parsed, index: index,
                scopeToRegions: Set(configuration.starfleet.scopeToRegions))
        } catch {
            Terminal.error("error: \(error.message)")
            throw ControlExit(ExitStatus.dataError)
        }
        json ? printJSON(plan) : printTable(plan, index: index, template: path)
    }

    func chooseWorker(_ configuration: Configuration, path: String) throws -> WorkerConfiguration {
        if let name = worker {
            guard let w = configuration.worker(named: name) else {
                Terminal.error(
                    "error: no worker named \(name) in \(control.config)"
                        + (Suggestion.hint(for: name, in: configuration.workers.map(\.name)).map { " (\($0))" } ?? ""))
                throw ControlExit(ExitStatus.usage)
            }
            return w
        }
        guard let key = configuration.templateKey(forPath: path) else {
            Terminal.error(
                "error: \(template) is not under the template directory \(configuration.starfleet.templateDirectory); name the worker with --worker"
            )
            throw ControlExit(ExitStatus.usage)
        }
        guard let w = configuration.worker(forTemplateKey: key) else {
            Terminal.error("error: no enabled S3 worker's TemplatePrefix matches \(key); name the worker with --worker")
            throw ControlExit(ExitStatus.usage)
        }
        return w
    }

    func loadIndex(_ configuration: Configuration) async throws -> AccountIndex {
        do {
            return try await ConfiguredAccountIndex.load(
                configuration, override: accountIndex, stateDirectory: control.stateDirectory(for: configuration))
        } catch {
            Terminal.error(error.description)
            throw ControlExit(ConfiguredAccountIndex.isUnavailable(error) ? ExitStatus.unavailable : ExitStatus.dataError)
        }
    }

    func printJSON(_ plan: FanOutPlan) {
        for p in plan.payloads {
            var line: [UInt8] = Array(#"{"worker":"#.utf8)
            appendJSONString(p.worker, to: &line)
            line += Array(#","account":"#.utf8)
            if let a = p.account { appendJSONString(a, to: &line) } else { line += Array("null".utf8) }
            line += Array(#","region":"#.utf8)
            if let r = p.region { appendJSONString(r, to: &line) } else { line += Array("null".utf8) }
            line += Array(#","body":"#.utf8) + p.body + [UInt8(ascii: "}")]
            Terminal.out(String(decoding: line, as: UTF8.self))
        }
    }

    func printTable(_ plan: FanOutPlan, index: AccountIndex?, template: String) {
        Terminal.out("\(template) → \(plan.worker) (\(plan.strategy))")
        if plan.strategy != .singleInvocation {
            let rows = plan.payloads.map { p in
                [p.account ?? "", p.account.flatMap { index?.account(id: $0)?.name } ?? "", p.region ?? ""]
            }
            let header = plan.strategy == .account ? ["ACCOUNT", "NAME"] : ["ACCOUNT", "NAME", "REGION"]
            let table = [header] + rows.map { Array($0.prefix(header.count)) }
            let widths = header.indices.map { c in table.map { $0[c].count }.max() ?? 0 }
            for row in table {
                let padded = row.enumerated().map { $1 + String(repeating: " ", count: widths[$0] - $1.count) }
                Terminal.out(String(padded.joined(separator: "  ").reversed().drop { $0 == " " }.reversed()))
            }
        }
        if let nothing = plan.nothingToTask { Terminal.out(nothing) }
        for account in plan.accountsWithoutRegions {
            Terminal.out("note: \(account) has none of the requested regions enabled")
        }
        Terminal.out("\(plan.payloads.count) payload(s) to \(plan.worker)")
    }
}
