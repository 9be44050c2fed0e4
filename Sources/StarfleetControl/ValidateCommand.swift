import FoundationEssentials
import StarfleetCore
import StarfleetDaemon
import StarfleetWorkers
import StarfleetYAML

/// `starfleetctl validate`: the configuration, then every template in the template directory against its worker.
package struct ValidateCommand {
    package var control: ControlContext
    package var configOnly: Bool
    package var checkAWS: Bool

    package init(control: ControlContext, configOnly: Bool, checkAWS: Bool) {
        self.control = control
        self.configOnly = configOnly
        self.checkAWS = checkAWS
    }

    package func run() async throws {
        let configuration = try control.loadConfiguration()
        let commandProblems =
            CommandCheck.diagnostics(configuration)
            + RuntimeClients.locate(environment: ProcessInfo.processInfo.environment).diagnostics(configuration)
        for d in commandProblems { Terminal.error(d.description) }
        if commandProblems.containsErrors { throw ControlExit(ExitStatus.config) }
        var templates = 0
        var broken = 0
        if !configOnly {
            let scan = TemplateFiles.scan(under: configuration.starfleet.templateDirectory)
            for skipped in scan.skipped { Terminal.error("\(skipped.path): warning: skipped: \(skipped.reason)") }
            for path in scan.files {
                guard let key = configuration.templateKey(forPath: path), let worker = configuration.worker(forTemplateKey: key)
                else { continue }
                templates += 1
                let (parsed, read) = TemplateReader.read(path: path, strategy: WorkerRegistry.strategy(of: worker))
                // The base schema, then the built-in worker's own payload schema (as the Starbase checks it).
                let diagnostics = read + (parsed.map { WorkerRegistry.validate(template: $0.raw, of: worker) } ?? [])
                for d in diagnostics { Terminal.error(d.description) }
                if diagnostics.containsErrors { broken += 1 }
            }
        }
        let paths = StatePaths(control.stateDirectory(for: configuration))
        for worker in configuration.workers where worker.runtime == .python || worker.runtime == .provided {
            if let stale = WorkerDependencies(worker: worker, paths: paths).staleness() {
                Terminal.error("\(worker.mark): warning: \(worker.name): \(stale)")
            }
        }
        let workers = configuration.workers.map { $0.enabled ? $0.name : "\($0.name) (disabled)" }
        Terminal.out(
            "configuration OK: \(configuration.workers.count) worker(s)\(workers.isEmpty ? "" : ": " + workers.joined(separator: ", "))"
        )
        if !configOnly {
            Terminal.out("templates: \(templates) checked, \(broken) with errors (\(configuration.starfleet.templateDirectory))")
        }
        if broken > 0 { throw ControlExit(ExitStatus.dataError) }
        if checkAWS, await AWSReachability(configuration: configuration).run() > 0 { throw ControlExit(ExitStatus.unavailable) }
    }
}
