import FoundationEssentials
import Glibc
import StarfleetCore
import StarfleetDaemon
import StarfleetFiles
import StarfleetQueue

/// `starfleetctl new worker NAME --language …`: scaffolds a worker ship (Bedrock's `bedrock new worker`).
package struct NewWorkerCommand {
    package var control: ControlContext
    package var name: String
    package var language: WorkerScaffold.Language?
    package var fanOut: String?
    package var source: String

    package init(control: ControlContext, name: String, language: WorkerScaffold.Language?, fanOut: String?, source: String) {
        self.control = control
        self.name = name
        self.language = language
        self.fanOut = fanOut
        self.source = source
    }

    var bedrock: (folder: String, language: BedrockScaffold.Language)? { BedrockScaffold.parse(name) }

    var strategy: FanOutStrategy? {
        guard let fanOut else { return bedrock == nil ? .account : .singleInvocation }
        return FanOutStrategy(rawValue: fanOut.uppercased().replacing("-", with: "_"))
    }

    /// What is wrong with the arguments, checked before anything runs (the CLI reports it as a usage error).
    package func validationProblem() -> String? {
        if let bedrock {
            if language != nil { return "--language is not used with \(name): the extension says it" }
            // The folder becomes the section's name (`system_fetcher` → `SystemFetcher`): the daemon's rule holds it.
            let section = BedrockScaffold.className(bedrock.folder)
            if let problem = WorkerScaffold.problem(withName: section, language: .python) {
                return "\"\(name)\" would name the worker \(section), which is not a worker name: \(problem)"
            }
        } else if name.hasSuffix(".py") || name.hasSuffix(".js") {
            return "\"\(name)\" is not a worker file name: use lower_snake_case letters, digits and '_', e.g. system_fetcher.py"
        } else if language == nil {
            return "Missing option '--language' (or give NAME.py / NAME.js for Bedrock's layout)"
        }
        if let language, let problem = WorkerScaffold.problem(withName: name, language: language) {
            return "\"\(name)\" is not a worker name: \(problem)"
        }
        guard strategy != nil else {
            return "--fan-out \(fanOut ?? "") is not a fan-out strategy (expected SINGLE_INVOCATION, ACCOUNT or ACCOUNT_REGION)"
        }
        return nil
    }

    package func run() throws {
        let strategy = self.strategy ?? .account
        let configuration = try control.loadConfiguration(quietWarnings: true)
        if let bedrock {
            try BedrockScaffoldWriter(
                folder: bedrock.folder, language: bedrock.language, strategy: strategy, configuration: configuration
            ).write()
            return
        }
        guard let language else { throw ControlExit(ExitStatus.usage) }
        if WorkerScaffold.reservedNames.contains(name) {
            Terminal.error("error: \(name) is reserved (a configuration section or the Starbase's queue); choose another name")
            throw ControlExit(ExitStatus.dataError)
        }
        if configuration.sections[name] != nil {
            Terminal.error(
                "error: the configuration in \(configuration.directory) already has a section named \(name); nothing was written")
            throw ControlExit(ExitStatus.dataError)
        }

        var plan: [(path: String, text: String, mode: mode_t)] = []
        var command: String?
        var registry: (path: String, text: String)?
        if let ext = language.scriptExtension, let script = WorkerScaffold.script(name: name, language: language) {
            let relative = "workers/\(WorkerScaffold.fileBaseName(name)).\(ext)"
            command = relative
            plan.append((configuration.directory + "/" + relative, script, 0o755))
        } else {
            let root = Configuration.resolve(source, against: CurrentDirectory.path)
            let registryPath = root + "/Sources/StarfleetWorkers/WorkerRegistry.swift"
            guard let data = try? Data(contentsOf: URL(filePath: registryPath)) else {
                Terminal.error("error: \(registryPath) cannot be read; pass the starfleetd package root with --source DIR")
                throw ControlExit(ExitStatus.usage)
            }
            switch WorkerScaffold.register(name: name, in: String(decoding: data, as: UTF8.self)) {
            case .failure(.noMarker):
                Terminal.error(
                    "error: \(registryPath) has no `\(WorkerScaffold.registryMarker)` line to register above; add it inside builtIns"
                )
                throw ControlExit(ExitStatus.dataError)
            case .failure(.alreadyRegistered):
                Terminal.error("error: \(name) is already registered in \(registryPath); nothing was written")
                throw ControlExit(ExitStatus.dataError)
            case .success(let edited):
                registry = (registryPath, edited)
            }
            plan.append(
                (
                    root + "/Sources/StarfleetWorkers/\(name).swift", WorkerScaffold.swiftSource(name: name, strategy: strategy),
                    0o644
                ))
        }
        let configFile = configuration.directory + "/\(name).yaml"
        let templateFile = configuration.starfleet.templateDirectory + "/\(name)/example.yaml"
        plan.append(
            (
                configFile, WorkerScaffold.configSection(name: name, language: language, strategy: strategy, command: command),
                0o644
            ))
        plan.append((templateFile, WorkerScaffold.template(name: name, strategy: strategy), 0o644))

        let existing = plan.map(\.path).filter { PosixFileSystem().fileExists($0) }
        if !existing.isEmpty {
            for path in existing { Terminal.error("error: \(path) exists; nothing was written") }
            throw ControlExit(ExitStatus.dataError)
        }

        var created: [String] = []
        do {
            for file in plan {
                try ScaffoldFile.create(file.path, file.text, mode: file.mode)
                created.append(file.path)
            }
            if let registry { try ScaffoldFile.replace(registry.path, registry.text) }
        } catch {
            for path in created.reversed() { _ = unlink(path) }
            Terminal.error("error: \(error); nothing was kept")
            throw ControlExit(ExitStatus.ioError)
        }

        Terminal.out("created:")
        for path in created { Terminal.out("  \(path)") }
        if let registry { Terminal.out("  \(registry.path) (registered \(name) in WorkerRegistry.builtIns)") }
        Terminal.out("next steps:")
        let config = configuration.directory
        var steps: [String] = []
        if language == .swift {
            steps.append("edit \(plan[0].path); it changes nothing unless Commit is true")
            steps.append("swift build  (a new Swift worker is compiled into starfleetd and starfleetctl)")
        } else {
            steps.append("edit \(plan[0].path); it changes nothing unless STARFLEET_COMMIT is true")
            steps.append(
                "try it by hand: echo '{\"TemplateName\": \"x\", \"StarbaseAssignedAccount\": \"123456789012\"}' | STARFLEET_WORKER=\(name) STARFLEET_COMMIT=false \(plan[0].path)"
            )
        }
        steps.append("starfleetctl validate --config \(config)")
        steps.append("starfleetctl plan --config \(config) \(templateFile)")
        steps.append(
            language == .swift
                ? "restart the daemon to run it: systemctl restart starfleetd (or starfleetd --config \(config) --state-dir DIR)"
                : "reload the daemon to run it: systemctl reload starfleetd (or starfleetd --config \(config) --state-dir DIR)")
        for (n, step) in steps.enumerated() { Terminal.out("  \(n + 1). \(step)") }
    }
}

/// Writing scaffold files: never over an existing file, parents created as needed.
enum ScaffoldFile {
    struct WriteError: Error, CustomStringConvertible {
        var operation: String
        var path: String
        var code: Int32
        var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
    }

    static func create(_ path: String, _ text: String, mode: mode_t) throws {
        let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !parent.isEmpty { try PosixFileSystem().makeDirectories(parent, mode: 0o755) }
        try write(path, text, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode: mode)
        // The umask may have taken the execute bits of a script away.
        guard chmod(path, mode) == 0 else { throw WriteError(operation: "chmod", path: path, code: errno) }
    }

    /// Replaces a file's content atomically (StarfleetFiles' temp file, fsync, rename), keeping its mode.
    static func replace(_ path: String, _ text: String) throws {
        var info = stat()
        let mode: mode_t = stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o644
        try PosixFileSystem().writeAtomically(Array(text.utf8), to: path, mode: UInt32(mode))
    }

    private static func write(_ path: String, _ text: String, flags: Int32, mode: mode_t) throws {
        let fd = open(path, flags, mode)
        guard fd >= 0 else { throw WriteError(operation: "create", path: path, code: errno) }
        defer { close(fd) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw WriteError(operation: "write", path: path, code: errno) }
            bytes = bytes.dropFirst(n)
        }
    }
}
