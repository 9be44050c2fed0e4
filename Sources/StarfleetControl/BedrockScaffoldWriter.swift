import Glibc
import StarfleetCore
import StarfleetFiles
import StarfleetQueue

/// Writes a Bedrock-layout worker: `workers/<folder>/` with its files, `<Name>.yaml` with its section, and a sample
/// template. Nothing is overwritten; on a failure nothing is kept.
struct BedrockScaffoldWriter {
    let folder: String
    let language: BedrockScaffold.Language
    let strategy: FanOutStrategy
    let configuration: Configuration

    func write() throws {
        let name = BedrockScaffold.className(folder)
        if WorkerScaffold.reservedNames.contains(name) || configuration.sections[name] != nil {
            Terminal.error(
                "error: the configuration in \(configuration.directory) already has a section named \(name) (or reserves it); nothing was written"
            )
            throw ControlExit(ExitStatus.dataError)
        }
        let directory = "\(configuration.directory)/workers/\(folder)"
        var plan = BedrockScaffold.files(folder: folder, language: language).map { ("\(directory)/\($0.name)", $0.text) }
        let templateFile = configuration.starfleet.templateDirectory + "/\(name)/example.yaml"
        plan.append(
            (
                "\(configuration.directory)/\(name).yaml",
                BedrockScaffold.configSection(folder: folder, language: language, strategy: strategy)
            ))
        plan.append((templateFile, WorkerScaffold.template(name: name, strategy: strategy)))
        let existing = plan.map(\.0).filter { PosixFileSystem().fileExists($0) }
        if !existing.isEmpty {
            for path in existing { Terminal.error("error: \(path) exists; nothing was written") }
            throw ControlExit(ExitStatus.dataError)
        }
        var created: [String] = []
        do {
            for (path, text) in plan {
                try ScaffoldFile.create(path, text, mode: 0o644)
                created.append(path)
            }
        } catch {
            for path in created.reversed() { _ = unlink(path) }
            Terminal.error("error: \(error); nothing was kept")
            throw ControlExit(ExitStatus.ioError)
        }
        Terminal.out("created:")
        for path in created { Terminal.out("  \(path)") }
        let config = configuration.directory
        let main = "\(directory)/main.\(language.rawValue)"
        let steps = [
            "edit \(main); it changes nothing unless context.commit is true",
            language == .python
                ? "add dependencies to \(directory)/requirements.txt, then: starfleetctl worker build \(name) --config \(config)"
                : "add dependencies to \(directory)/package.json, then: starfleetctl worker build \(name) --config \(config)",
            "starfleetctl validate --config \(config)",
            "reload the daemon to run it: systemctl reload starfleetd (or starfleetd --config \(config) --state-dir DIR)",
            "try it: echo '{}' > p.json && starfleetctl invoke \(name) --payload p.json --config \(config)"
                + (strategy == .singleInvocation
                    ? "" : " --account-id 123456789012" + (strategy == .accountRegion ? " --region us-east-1" : "")),
        ]
        Terminal.out("next steps:")
        for (n, step) in steps.enumerated() { Terminal.out("  \(n + 1). \(step)") }
    }
}
