import FoundationEssentials
import Glibc
import StarfleetCore
import StarfleetCrypto
import StarfleetDaemon
import StarfleetProcess

/// `starfleetctl worker build NAME` (Bedrock's `bedrock build --worker=NAME`): the worker's own dependencies in an
/// environment of its own — `requirements.txt` into `<state>/workers/<Name>/venv` (pip), `package.json`'s
/// dependencies into its code directory's node_modules (npm) — so workers never share or clash over packages.
package struct WorkerBuildCommand {
    package var control: ControlContext
    package var worker: String

    package init(control: ControlContext, worker: String) {
        self.control = control
        self.worker = worker
    }

    package func run() async throws {
        _ = try WorkerName.argument(worker)
        let configuration = try control.loadConfiguration(quietWarnings: true)
        guard let config = configuration.worker(named: worker), config.runsOutOfProcess else {
            Terminal.error(
                "error: no worker named \(worker) that runs outside the daemon (Runtime: process, python, nodejs or provided)")
            throw ControlExit(ExitStatus.usage)
        }
        let paths = StatePaths(control.stateDirectory(for: configuration))
        let build = WorkerDependencies(worker: config, paths: paths)
        var built = false
        if let requirements = build.requirementsFile {
            let venv = build.venvDirectory
            try? PosixDirectory.make(paths.workerDirectory(worker))
            let python = config.process.python ?? "python3"
            Terminal.out("creating \(venv) with \(python)")
            try await step([python, "-m", "venv", venv])
            Terminal.out("installing \(requirements)")
            try await step(["\(venv)/bin/pip", "install", "--disable-pip-version-check", "-r", requirements], timeout: 1800)
            try build.recordBuilt()
            built = true
        }
        if let package = build.packageFile, build.packageHasDependencies {
            Terminal.out("installing the dependencies of \(package) with npm")
            try await step(
                ["npm", "install", "--omit=dev", "--no-audit", "--no-fund"], in: config.process.codeDirectory, timeout: 1800)
            built = true
        }
        guard built else {
            Terminal.error(
                "error: \(worker) has no requirements.txt or package.json dependencies in \(config.process.codeDirectory)")
            throw ControlExit(ExitStatus.dataError)
        }
        Terminal.out("built \(worker); reload the daemon (systemctl reload starfleetd) for running processes to use it")
    }

    func step(_ argv: [String], in directory: String? = nil, timeout: Double = 600) async throws {
        let outcome = try await ProcessRunner().run(
            ProcessInvocation(
                argv: argv, environment: ProcessInfo.processInfo.environment, workingDirectory: directory, timeout: timeout,
                stderrTailLimit: 16 << 10))
        if !outcome.stdout.isEmpty { Terminal.out(String(decoding: outcome.stdout, as: UTF8.self).trimmingTrailingNewlines) }
        guard case .exited(0) = outcome.termination else {
            Terminal.error(
                "error: \(argv.prefix(3).joined(separator: " ")) failed (\(outcome.termination))\n\(outcome.stderrTail)")
            throw ControlExit(1)
        }
    }
}

/// Where a worker's dependencies are declared and built, and whether the build is current.
struct WorkerDependencies {
    let worker: WorkerConfiguration
    let paths: StatePaths

    var requirementsFile: String? { existing("\(worker.process.codeDirectory)/requirements.txt") }
    var packageFile: String? { existing("\(worker.process.codeDirectory)/package.json") }
    var venvDirectory: String { "\(paths.workerDirectory(worker.name))/venv" }
    var stampFile: String { "\(venvDirectory)/.starfleet-requirements.sha256" }

    var packageHasDependencies: Bool {
        guard let packageFile, let data = FileManager.default.contents(atPath: packageFile) else { return false }
        struct Package: Decodable { let dependencies: [String: String]? }
        return !((try? JSONDecoder().decode(Package.self, from: data))?.dependencies ?? [:]).isEmpty
    }

    /// A sha256 of requirements.txt, as built.
    func currentHash() -> String? {
        guard let requirementsFile, let data = FileManager.default.contents(atPath: requirementsFile) else { return nil }
        return Digest.sha256Hex([UInt8](data))
    }

    func recordBuilt() throws {
        guard let hash = currentHash() else { return }
        try ScaffoldFile.replace(stampFile, hash + "\n")
    }

    /// Nil when built and current; else what `validate` says.
    func staleness() -> String? {
        guard let requirementsFile, let hash = currentHash() else { return nil }
        // Only requirements beyond comments need a build.
        let text = (FileManager.default.contents(atPath: requirementsFile)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let needed = text.split(separator: "\n").contains { line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            return !trimmed.isEmpty && !trimmed.hasPrefix("#") && trimmed != "\r"
        }
        guard needed else { return nil }
        guard let stamp = FileManager.default.contents(atPath: stampFile) else {
            return "\(requirementsFile) has not been built: run `starfleetctl worker build \(worker.name)`"
        }
        if String(decoding: stamp, as: UTF8.self).filter({ !$0.isWhitespace }) != hash {
            return "\(requirementsFile) changed since the last build: run `starfleetctl worker build \(worker.name)`"
        }
        return nil
    }

    private func existing(_ path: String) -> String? { access(path, F_OK) == 0 ? path : nil }
}
