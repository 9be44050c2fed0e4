import FoundationEssentials
import Glibc
import Logging
import StarfleetAWS
import StarfleetCore
import StarfleetWorkers
import StarfleetYAML

/// Per generation: the files and environments of the workers that run outside the daemon, and how the warm
/// processes of the Lambda-runtime ones start (the Lambda runtime makes their pools).
struct WorkerRuntimes: Sendable {
    var environments: [String: [String: String]] = [:]
    var launches: [String: WarmLaunch] = [:]

    /// Prepares every enabled out-of-process worker; a worker whose files cannot be written (a missing credential,
    /// a full disk) is left out with an error, its payloads waiting in its queue. The files of every other worker
    /// (removed, disabled, now in-process) are removed first: the previous generation has drained by now, so no
    /// process of theirs reads them any more.
    static func prepare(_ configuration: Configuration, environment env: DaemonEnvironment, accountIndexFile: String?) async
        -> WorkerRuntimes
    {
        let logger = env.logger
        var result = WorkerRuntimes()
        let workers = configuration.enabledWorkers.filter(\.runsOutOfProcess)
        guard !workers.isEmpty else {
            removeStaleFiles(WorkerFiles(runtimeDirectory: env.runtime.runtimeDirectory), keeping: [], logger: logger)
            return result
        }
        let region = env.aws.deploymentRegion(configuration)
        let runtimeAPI: String?
        do {
            runtimeAPI = "http://127.0.0.1:\(try await env.runtime.workerListenerPort())"
        } catch {
            logger.error("the workers' Runtime API is not available; Lambda-runtime workers will not run: \(error)")
            runtimeAPI = nil
        }
        let builder = WorkerProcessEnvironment(
            configuration: configuration, runtimeDirectory: env.runtime.runtimeDirectory, daemonEnvironment: env.aws.environment,
            region: region, accountIndexFile: accountIndexFile, runtimeAPI: runtimeAPI,
            runtimesDirectory: env.runtime.runtimesDirectory)
        let secrets = await secretEntries(configuration, env: env, logger: logger)
        result.environments = writeFiles(workers, builder: builder, secrets: secrets, logger: logger)
        for worker in workers {
            guard let base = result.environments[worker.name] else { continue }
            if let launch = builder.launch(worker, base: base, venvPython: env.runtime.venvPython(worker.name, paths: env.paths))
            {
                result.launches[worker.name] = launch
            }
        }
        return result
    }

    /// Writes the files of `workers` and returns their base environments; a worker whose files cannot be written is
    /// logged and left out (its folder removed). The folders of every other worker are removed first.
    static func writeFiles(
        _ workers: [WorkerConfiguration], builder: WorkerProcessEnvironment, secrets: [String: String], logger: Logger
    ) -> [String: [String: String]] {
        removeStaleFiles(builder.files, keeping: workers, logger: logger)
        var environments: [String: [String: String]] = [:]
        for worker in workers {
            do {
                environments[worker.name] = try builder.prepare(worker, secretEntry: secrets[worker.name])
            } catch {
                logger.error(
                    "cannot prepare the worker's files; its payloads wait in its queue: \(error)",
                    metadata: ["worker": "\(worker.name)"])
            }
        }
        return environments
    }

    /// Removes the files of workers not in `workers`, logging what it removed and, as an error, what it could not.
    static func removeStaleFiles(_ files: WorkerFiles, keeping workers: [WorkerConfiguration], logger: Logger) {
        let (removed, failed) = files.sweep(keeping: Set(workers.map(\.name)))
        for name in removed {
            logger.info("removed the files of a worker that no longer runs", metadata: ["worker": "\(name)"])
        }
        for (name, error) in failed {
            logger.error(
                "cannot remove the files of a worker that no longer runs; its secrets file is still on disk: \(error)",
                metadata: ["worker": "\(name)"])
        }
    }

    /// Each worker's entry of Starfleet's `STARFLEET.SecretsManager` secret (a JSON object keyed by worker name), as
    /// JSON text; empty when there is no secret or it cannot be read (logged, without its content).
    static func secretEntries(_ configuration: Configuration, env: DaemonEnvironment, logger: Logger) async -> [String: String] {
        guard let location = configuration.starfleet.secretsManager else { return [:] }
        let session = env.aws.session
        let client = SecretsManagerClient(
            http: session.http, credentials: session.credentials, region: location.secretRegion,
            endpoint: session.endpoint(service: "secretsmanager", region: location.secretRegion))
        do {
            let document = try await client.secretString(secretId: location.secretId)
            guard let root = try YAMLParser.parse(document, file: "secret \(location.secretId)"), let entries = root.entries
            else {
                logger.error(
                    "the Secrets Manager secret is not a JSON object keyed by worker name; workers get no secrets",
                    metadata: ["secret": "\(location.secretId)"])
                return [:]
            }
            var out: [String: String] = [:]
            for entry in entries { out[entry.key.keyText] = (try? entry.value.jsonString()) ?? "null" }
            return out
        } catch {
            logger.error(
                "cannot read the workers' secrets from Secrets Manager; workers get none",
                metadata: ["secret": "\(location.secretId)", "error": "\(type(of: error))"])
            return [:]
        }
    }
}

/// What the daemon keeps for out-of-process workers across generations.
package struct RuntimeResources: Sendable {
    /// The warm workers' runtime, which the worker-facing endpoints serve.
    let lambda: any LambdaRuntime
    /// `$RUNTIME_DIRECTORY`, else `<state>/run` (mode 0700): the Invoke API's socket and the workers' files.
    let runtimeDirectory: String
    /// The Python and node runtime clients and SDKs (`runtimes/` of the source tree, or the installed copy), and
    /// where the daemon looked for them.
    let clients: RuntimeClients
    var runtimesDirectory: String { clients.directory }
    /// The workers' listener's port, once it is bound (it throws when the listener cannot bind).
    let workerListenerPort: @Sendable () async throws -> Int

    package init(
        lambda: any LambdaRuntime, runtimeDirectory: String, clients: RuntimeClients,
        workerListenerPort: @escaping @Sendable () async throws -> Int
    ) {
        self.lambda = lambda
        self.runtimeDirectory = runtimeDirectory
        self.clients = clients
        self.workerListenerPort = workerListenerPort
    }

    /// `<state>/workers/<Name>/venv/bin/python3`, made by `starfleetctl worker build`, when it exists.
    func venvPython(_ worker: String, paths: StatePaths) -> String? {
        let path = "\(paths.workerDirectory(worker))/venv/bin/python3"
        return access(path, X_OK) == 0 ? path : nil
    }
}
