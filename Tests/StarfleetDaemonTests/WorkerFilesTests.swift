import Foundation
import Logging
import StarfleetCore
import StarfleetTestSupport
import Testing

@testable import StarfleetDaemon

/// Issue 20, F6: a worker's secrets file exists only while a running worker needs it. A reload that removes or
/// disables the worker, or takes its `Credentials` away, leaves none of the secret's bytes under the runtime
/// directory, and neither does a stop.
@Suite struct WorkerFilesTests {
    static let credential = "cred-7f3a9c51-never-on-disk-after-reload"
    static let managed = "sm-1b8e04d2-secrets-manager-entry"

    /// One generation's files for the configuration `yaml` (its enabled out-of-process workers), as the daemon writes
    /// them at start and at each reload.
    func generation(
        _ yaml: String, in box: TemporaryDirectory, secrets: [String: String] = [:], knownWorkers: Set<String> = [],
        logs: CapturedLogs
    ) throws -> [String: [String: String]] {
        let configuration = try box.configuration(
            "STARFLEET: {}\n" + yaml, folder: "config-\(UUID().uuidString)", knownWorkers: knownWorkers)
        let builder = WorkerProcessEnvironment(
            configuration: configuration, runtimeDirectory: box.path("run"),
            daemonEnvironment: ["CREDENTIALS_DIRECTORY": box.path("credentials"), "PATH": "/usr/bin:/bin"],
            region: "us-east-1", accountIndexFile: nil, runtimeAPI: nil, runtimesDirectory: box.path("runtimes"))
        return WorkerRuntimes.writeFiles(
            configuration.enabledWorkers.filter(\.runsOutOfProcess), builder: builder, secrets: secrets, logger: logs.logger)
    }

    func worker(_ name: String, enabled: Bool = true, credentials: Bool = true) -> String {
        """
        \(name):
          Enabled: \(enabled)
          TemplatePrefix: \(name)/
          InvocationSources: [S3]
          FanOutStrategy: SINGLE_INVOCATION
          Command: [/bin/true]
        \(credentials ? "  Credentials: [audit-token]\n" : "")
        """
    }

    /// Every regular file under `directory` whose bytes contain `secret`.
    func files(containing secret: String, under directory: String) -> [String] {
        guard let walk = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let relative = walk.nextObject() as? String {
            let path = directory + "/" + relative
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            if data.range(of: Data(secret.utf8)) != nil { found.append(relative) }
        }
        return found
    }

    func box() throws -> TemporaryDirectory {
        let box = try TemporaryDirectory("worker-files")
        try box.write("credentials/audit-token", Self.credential + "\n")
        return box
    }

    @Test func theFirstGenerationWritesTheSecretWhereTheWorkerReadsIt() throws {
        let box = try box()
        defer { box.remove() }
        let environments = try generation(
            worker("Audit"), in: box, secrets: ["Audit": #"{"token":"\#(Self.managed)"}"#], logs: CapturedLogs())
        let file = try #require(environments["Audit"]?["STARFLEET_SECRETS_FILE"])
        #expect(file == box.path("run/workers/Audit/secrets.json"))
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains(Self.credential) && text.contains(Self.managed))
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
    }

    @Test(arguments: ["removed", "disabled", "now in-process"])
    func aReloadWithoutTheWorkerLeavesNoSecretBytesAndNoFolder(change: String) throws {
        let box = try box()
        defer { box.remove() }
        let logs = CapturedLogs()
        _ = try generation(
            worker("Audit") + worker("Other", credentials: false), in: box,
            secrets: ["Audit": #"{"token":"\#(Self.managed)"}"#], logs: logs)
        #expect(files(containing: Self.credential, under: box.path("run")) == ["workers/Audit/secrets.json"])

        let audit: String
        switch change {
        case "removed": audit = ""
        case "disabled": audit = worker("Audit", enabled: false)
        default:
            // A built-in Swift worker's section (no Command): it runs in the daemon and has no files any more.
            audit =
                "Audit:\n  Enabled: true\n  TemplatePrefix: Audit/\n  InvocationSources: [S3]\n"
                + "  FanOutStrategy: SINGLE_INVOCATION\n"
        }
        _ = try generation(audit + worker("Other", credentials: false), in: box, knownWorkers: ["Audit"], logs: logs)
        #expect(files(containing: Self.credential, under: box.path("run")) == [])
        #expect(files(containing: Self.managed, under: box.path("run")) == [])
        #expect(!FileManager.default.fileExists(atPath: box.path("run/workers/Audit")))
        #expect(FileManager.default.fileExists(atPath: box.path("run/workers/Other/secrets.json")))
        #expect(logs.text.contains("removed the files of a worker that no longer runs"))
    }

    @Test func aReloadThatTakesTheCredentialsAwayRewritesTheFileWithoutValues() throws {
        let box = try box()
        defer { box.remove() }
        _ = try generation(
            worker("Audit"), in: box, secrets: ["Audit": #"{"token":"\#(Self.managed)"}"#], logs: CapturedLogs())
        // No Credentials and no Secrets Manager entry: Starfleet's glue still opens the file, so it stays, empty.
        let environments = try generation(worker("Audit", credentials: false), in: box, logs: CapturedLogs())
        #expect(files(containing: Self.credential, under: box.path("run")) == [])
        #expect(files(containing: Self.managed, under: box.path("run")) == [])
        let file = try #require(environments["Audit"]?["STARFLEET_SECRETS_FILE"])
        #expect(try String(contentsOfFile: file, encoding: .utf8) == #"{"Secrets":null,"Credentials":{}}"#)
    }

    @Test func aWorkerWhoseCredentialCannotBeReadAnyMoreLosesItsOldFiles() throws {
        let box = try box()
        defer { box.remove() }
        _ = try generation(worker("Audit"), in: box, logs: CapturedLogs())
        try FileManager.default.removeItem(atPath: box.path("credentials/audit-token"))
        let logs = CapturedLogs()
        let environments = try generation(worker("Audit"), in: box, logs: logs)
        #expect(environments["Audit"] == nil)
        #expect(logs.text.contains("cannot prepare the worker's files"))
        #expect(files(containing: Self.credential, under: box.path("run")) == [])
        #expect(!FileManager.default.fileExists(atPath: box.path("run/workers/Audit")))
    }

    @Test func theStopRemovesEveryWorkersFilesAndNothingElse() throws {
        let box = try box()
        defer { box.remove() }
        _ = try generation(worker("Audit") + worker("Other"), in: box, logs: CapturedLogs())
        try box.write("run/invoke.sock.keep", "not a worker file")
        // A link in a worker's folder is unlinked, never followed.
        try box.write("outside/keep", "outside")
        try FileManager.default.createSymbolicLink(
            atPath: box.path("run/workers/Audit/link"), withDestinationPath: box.path("outside"))
        try WorkerFiles(runtimeDirectory: box.path("run")).removeAll()
        #expect(files(containing: Self.credential, under: box.path("run")) == [])
        #expect(!FileManager.default.fileExists(atPath: box.path("run/workers")))
        #expect(box.read("run/invoke.sock.keep") == "not a worker file")
        #expect(box.read("outside/keep") == "outside")
    }
}
