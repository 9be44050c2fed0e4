import ArgumentParser
import FoundationEssentials
import Glibc
import StarfleetCore
import StarfleetCrypto
import StarfleetApp
import StarfleetProcess

/// `starfleetctl worker build NAME` (Bedrock's `bedrock build --worker=NAME`): the worker's own dependencies in an
/// environment of its own — `requirements.txt` into `<state>/workers/<Name>/venv` (pip), `package.json`'s
/// dependencies into its code directory's node_modules (npm) — so workers never share or clash over packages.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Manage workers' own environments.", subcommands: [Build.self])

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install a worker's requirements.txt into its own virtualenv (and package.json's dependencies with npm).",
            discussion: """
                The virtualenv is <state>/workers/<Name>/venv, made with the worker's Python (its Python: key, else python3); \
                the daemon runs a Runtime: python worker with it when the section names no Python. `validate` says when \
                requirements.txt changed since the last build. Exit status: 0, 1 pip or npm failed, 64 usage, 65 nothing \
                to build, 78 configuration errors.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The worker's name (its configuration section).")
        var worker: String

        func run() async throws {
            let configuration = try global.loadConfiguration(quietWarnings: true)
            guard let config = configuration.worker(named: worker), config.runsOutOfProcess else {
                Console.error("error: no worker named \(worker) that runs outside the daemon (Runtime: process, python, nodejs or provided)")
                throw ExitCode(ExitStatus.usage)
            }
            let paths = StatePaths(global.stateDirectory(for: configuration))
            let build = WorkerDependencies(worker: config, paths: paths)
            var built = false
            if let requirements = build.requirementsFile {
                let venv = build.venvDirectory
                try? PosixDirectory.make(paths.workerDirectory(worker))
                let python = config.process.python ?? "python3"
                Console.out("creating \(venv) with \(python)")
                try await step([python, "-m", "venv", venv])
                Console.out("installing \(requirements)")
                try await step(["\(venv)/bin/pip", "install", "--disable-pip-version-check", "-r", requirements], timeout: 1800)
                try build.recordBuilt()
                built = true
            }
            if let package = build.packageFile, build.packageHasDependencies {
                Console.out("installing the dependencies of \(package) with npm")
                try await step(["npm", "install", "--omit=dev", "--no-audit", "--no-fund"], in: config.process.codeDirectory, timeout: 1800)
                built = true
            }
            guard built else {
                Console.error("error: \(worker) has no requirements.txt or package.json dependencies in \(config.process.codeDirectory)")
                throw ExitCode(ExitStatus.dataError)
            }
            Console.out("built \(worker); reload the daemon (systemctl reload starfleetd) for running processes to use it")
        }

        func step(_ argv: [String], in directory: String? = nil, timeout: Double = 600) async throws {
            let outcome = try await ProcessRunner().run(ProcessInvocation(
                argv: argv, environment: ProcessInfo.processInfo.environment, workingDirectory: directory, timeout: timeout,
                stderrTailLimit: 16 << 10))
            if !outcome.stdout.isEmpty { Console.out(String(decoding: outcome.stdout, as: UTF8.self).trimmingTrailingNewlines) }
            guard case .exited(0) = outcome.termination else {
                Console.error("error: \(argv.prefix(3).joined(separator: " ")) failed (\(outcome.termination))\n\(outcome.stderrTail)")
                throw ExitCode(1)
            }
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
