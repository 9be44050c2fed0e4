import FoundationEssentials
import Glibc
import StarfleetCore
import StarfleetProcess

/// What a worker that runs outside the daemon is given: its configuration section, the daemon's settings and its
/// secrets as JSON files (0600, in a 0700 folder of the runtime directory; the secrets never in the environment,
/// argv or a log), and an environment of PATH/LANG/HOME, `PassEnvironment`, `Environment`, AWS_REGION and the
/// STARFLEET_* names of those files.
struct WorkerProcessEnvironment: Sendable {
    let configuration: Configuration
    /// `$RUNTIME_DIRECTORY` (systemd's RuntimeDirectory=) or `<state>/run`.
    let runtimeDirectory: String
    /// The daemon's own environment (PassEnvironment and $CREDENTIALS_DIRECTORY are read from it).
    let daemonEnvironment: [String: String]
    let region: String
    /// The local copy of the account index that workers read (Starfleet's format).
    let accountIndexFile: String?
    /// `http://127.0.0.1:<port>` of the Runtime and Invoke APIs for workers, once bound.
    let runtimeAPI: String?
    /// Where the project's Python and node runtime clients and SDKs are installed.
    let runtimesDirectory: String

    var files: WorkerFiles { WorkerFiles(runtimeDirectory: runtimeDirectory) }

    func folder(_ worker: WorkerConfiguration) -> String { files.folder(worker.name) }

    /// Writes the worker's files; returns its base environment. `secretEntry` is the worker's entry of the
    /// STARFLEET.SecretsManager secret (JSON), nil when there is none. On failure (a credential that cannot be read)
    /// the worker's folder is removed: files of an earlier generation must not outlive the secret they hold.
    func prepare(_ worker: WorkerConfiguration, secretEntry: String?) throws -> [String: String] {
        let folder = folder(worker)
        let configFile = "\(folder)/config.json"
        let settingsFile = "\(folder)/settings.json"
        let secretsFile = "\(folder)/secrets.json"
        do {
            try files.write(
                worker: worker.name, config: try worker.section.jsonBytes(), settings: try settingsJSON(),
                secrets: try secretsJSON(worker, secretEntry: secretEntry))
        } catch {
            try? files.remove(worker.name)
            throw error
        }

        var environment = ProcessEnvironment.base(from: daemonEnvironment)
        for name in worker.process.passEnvironment {
            if let value = daemonEnvironment[name] { environment[name] = value }
        }
        for (name, value) in worker.process.environment { environment[name] = value }
        if environment["AWS_REGION"] == nil { environment["AWS_REGION"] = region }
        if environment["AWS_DEFAULT_REGION"] == nil { environment["AWS_DEFAULT_REGION"] = environment["AWS_REGION"] }
        environment[EnvironmentName.worker] = worker.name
        environment[EnvironmentName.commit] = worker.commit ? "true" : "false"
        environment[EnvironmentName.workerConfigFile] = configFile
        environment[EnvironmentName.settingsFile] = settingsFile
        environment[EnvironmentName.secretsFile] = secretsFile
        if let runtimeAPI, environment[EnvironmentName.lambdaEndpointURL] == nil {
            environment[EnvironmentName.lambdaEndpointURL] = runtimeAPI
        }
        return environment
    }

    /// How the worker's warm processes start, for the Lambda runtimes.
    func launch(_ worker: WorkerConfiguration, base: [String: String], venvPython: String?) -> WarmLaunch? {
        guard worker.runtime.isLambda, let runtimeAPI else { return nil }
        var environment = base
        let code = worker.process.codeDirectory
        environment[EnvironmentName.lambdaRuntimeAPI] = String(runtimeAPI.dropFirst("http://".count))
        environment[EnvironmentName.lambdaTaskRoot] = code
        environment[EnvironmentName.lambdaRuntimeDirectory] = runtimesDirectory
        environment[EnvironmentName.lambdaFunctionName] = worker.name
        environment[EnvironmentName.lambdaFunctionVersion] = "$LATEST"
        environment[EnvironmentName.lambdaFunctionMemorySize] = String(worker.process.memorySize)
        environment[EnvironmentName.lambdaLogGroupName] = "/starfleetd/\(worker.name)"
        environment[EnvironmentName.lambdaLogStreamName] = "starfleetd"
        if let handler = worker.process.handler { environment[EnvironmentName.handler] = handler }
        let directory = FileManager.default.fileExists(atPath: code) ? code : folder(worker)
        let argv: [String]
        switch worker.runtime {
        case .python:
            let python = worker.process.python ?? venvPython ?? "python3"
            environment["PYTHONPATH"] = ["\(runtimesDirectory)/python", code, base["PYTHONPATH"]].compactMap { $0 }.joined(
                separator: ":")
            environment["PYTHONUNBUFFERED"] = "1"
            argv = [python, "-m", "starfleet_worker.runtime"]
        case .nodejs:
            environment["NODE_PATH"] = ["\(runtimesDirectory)/node", base["NODE_PATH"]].compactMap { $0 }.joined(separator: ":")
            argv = [worker.process.node, "\(runtimesDirectory)/node/starfleet-runtime.js"]
        default:
            argv = worker.command ?? []
        }
        return WarmLaunch(argv: argv, environment: environment, workingDirectory: directory)
    }

    private func settingsJSON() throws -> [UInt8] {
        var out: [UInt8] = Array(#"{"STARFLEET":"#.utf8)
        out.append(contentsOf: try configuration.sections["STARFLEET"]?.jsonBytes() ?? Array("{}".utf8))
        out.append(contentsOf: #","ConfigDirectory":"#.utf8)
        appendJSONString(configuration.directory, to: &out)
        out.append(contentsOf: #","AccountIndexFile":"#.utf8)
        if let accountIndexFile { appendJSONString(accountIndexFile, to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","DeploymentRegion":"#.utf8)
        appendJSONString(region, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `{"Secrets": <the worker's Secrets Manager entry or null>, "Credentials": {"<name>": "<contents>"}}`. A worker
    /// with neither still gets the file, as `{"Secrets":null,"Credentials":{}}`: Starfleet's glue
    /// (`starfleet_glue.py`) and workers of our own contract open `STARFLEET_SECRETS_FILE` unconditionally.
    private func secretsJSON(_ worker: WorkerConfiguration, secretEntry: String?) throws -> [UInt8] {
        var out: [UInt8] = Array(#"{"Secrets":"#.utf8)
        out.append(contentsOf: (secretEntry ?? "null").utf8)
        out.append(contentsOf: #","Credentials":{"#.utf8)
        let credentials = SystemdCredentials(environment: daemonEnvironment)
        for (i, name) in worker.process.credentials.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            appendJSONString(try credentials.read(name), to: &out)
        }
        out.append(contentsOf: "}}".utf8)
        return out
    }
}
