import Foundation
import StarfleetCore
import StarfleetTestSupport
import Testing

@testable import StarfleetDaemon

/// Issue 20, item 8: a daemon that cannot find its runtime clients says so at start, reload and `validate`, at the
/// worker's `Runtime` key and naming where it looked, instead of dead-lettering every payload of the worker.
@Suite struct RuntimeClientsTests {
    static func yaml(_ workers: String) -> String { "STARFLEET: {}\n" + workers }

    static func worker(_ name: String, _ runtime: String, enabled: Bool = true) -> String {
        let program = runtime == "python" || runtime == "nodejs" ? "Handler: main.handler" : "Command: [/bin/true]"
        return "\(name):\n  Enabled: \(enabled)\n  TemplatePrefix: \(name)/\n  InvocationSources: [S3]\n"
            + "  FanOutStrategy: SINGLE_INVOCATION\n  Runtime: \(runtime)\n  \(program)\n"
    }

    /// `<box>/<prefix>/bin/starfleetd` with the clients named in `clients` installed under `<prefix>/lib/starfleetd`.
    static func install(_ clients: [String], in box: TemporaryDirectory, prefix: String = "usr") throws -> String {
        for client in clients { try box.write("\(prefix)/lib/starfleetd/runtimes/\(client)", "# client\n") }
        try box.write("\(prefix)/bin/starfleetd", "")
        return box.path("\(prefix)/bin/starfleetd")
    }

    @Test func theVariableWinsAndIsAllThatIsLookedAt() {
        let clients = RuntimeClients.locate(
            environment: ["STARFLEET_RUNTIMES_DIR": "/opt/runtimes"], executable: "/usr/bin/starfleetd")
        #expect(clients == RuntimeClients(directory: "/opt/runtimes", searched: ["/opt/runtimes"], explicit: true))
    }

    @Test func anInstalledCopyBesideTheBinaryIsFound() throws {
        let box = try TemporaryDirectory("runtime-clients")
        defer { box.remove() }
        let exe = try Self.install(["python/starfleet_worker/runtime.py", "node/starfleet-runtime.js"], in: box)
        let clients = RuntimeClients.locate(environment: [:], executable: exe)
        #expect(clients.directory == box.path("usr/lib/starfleetd/runtimes") && !clients.explicit)
        let configuration = try box.configuration(Self.yaml(Self.worker("Py", "python") + Self.worker("Js", "nodejs")))
        #expect(clients.diagnostics(configuration).isEmpty)
    }

    /// A binary under a folder another user can write (a shared /tmp-like place, a group-writable checkout): a
    /// `runtimes/` found there could be anyone's code, run with the workers' credentials, so it is not used.
    @Test func clientsInAFolderAnotherUserCouldChangeAreNotUsed() throws {
        let box = try TemporaryDirectory("runtime-clients")
        defer { box.remove() }
        let exe = try Self.install(["python/starfleet_worker/runtime.py"], in: box)
        #expect(RuntimeClients.locate(environment: [:], executable: exe).directory == box.path("usr/lib/starfleetd/runtimes"))
        chmod(box.path("usr/lib/starfleetd/runtimes/python"), 0o777)
        #expect(RuntimeClients.locate(environment: [:], executable: exe).directory != box.path("usr/lib/starfleetd/runtimes"))
        chmod(box.path("usr/lib/starfleetd/runtimes/python"), 0o755)
        chown(box.path("usr/lib/starfleetd"), 65534, 65534)
        #expect(RuntimeClients.locate(environment: [:], executable: exe).directory != box.path("usr/lib/starfleetd/runtimes"))
    }

    @Test func aBinaryOutsideTheTreeNamesEveryPlaceItLooked() throws {
        let box = try TemporaryDirectory("runtime-clients")
        defer { box.remove() }
        let exe = box.path("opt/bin/starfleetd")
        let clients = RuntimeClients.locate(environment: [:], executable: exe)
        #expect(clients.searched.prefix(2) == [box.path("opt/bin/lib/starfleetd/runtimes"), box.path("opt/bin/runtimes")])
        #expect(clients.searched.contains(box.path("opt/lib/starfleetd/runtimes")))
        #expect(clients.searched.suffix(2) == ["/usr/local/lib/starfleetd/runtimes", "/usr/lib/starfleetd/runtimes"])
    }

    @Test func aMissingPythonClientIsAnErrorAtTheWorkersRuntimeKey() throws {
        let box = try TemporaryDirectory("runtime-clients")
        defer { box.remove() }
        let configuration = try box.configuration(
            Self.yaml(Self.worker("Inventory", "python") + Self.worker("Shell", "process") + Self.worker("Own", "provided")))
        let clients = RuntimeClients(
            directory: box.path("nowhere"), searched: [box.path("a"), box.path("nowhere")], explicit: false)
        let diagnostics = clients.diagnostics(configuration)
        #expect(diagnostics.count == 1)
        let d = try #require(diagnostics.first)
        #expect(d.severity == .error && d.path == "Inventory.Runtime")
        // The Runtime line of the Inventory section: c.yaml line 7 (STARFLEET, the name, four keys before it).
        #expect(d.mark.line == 7 && d.mark.file.hasSuffix("c.yaml"))
        #expect(d.description.contains("Inventory.Runtime: the python runtime client "))
        #expect(d.description.contains(box.path("nowhere/python/starfleet_worker/runtime.py")))
        #expect(d.description.contains("STARFLEET_RUNTIMES_DIR is not set; looked in \(box.path("a")), \(box.path("nowhere"))"))
    }

    @Test func aMissingNodeClientNamesTheVariableWhenItWasSet() throws {
        let box = try TemporaryDirectory("runtime-clients")
        defer { box.remove() }
        // Only the Python client is there: the node worker is the one reported.
        _ = try Self.install(["python/starfleet_worker/runtime.py"], in: box)
        let directory = box.path("usr/lib/starfleetd/runtimes")
        let clients = RuntimeClients.locate(environment: ["STARFLEET_RUNTIMES_DIR": directory])
        let configuration = try box.configuration(Self.yaml(Self.worker("Py", "python") + Self.worker("Js", "nodejs")))
        let diagnostics = clients.diagnostics(configuration)
        #expect(diagnostics.map(\.path) == ["Js.Runtime"])
        #expect(diagnostics.first?.message.contains("\(directory)/node/starfleet-runtime.js is missing") == true)
        #expect(diagnostics.first?.message.contains("(STARFLEET_RUNTIMES_DIR=\(directory))") == true)
    }

    @Test func aDisabledWorkerNeedsNoClient() throws {
        let box = try TemporaryDirectory("runtime-clients")
        defer { box.remove() }
        let configuration = try box.configuration(Self.yaml(Self.worker("Py", "python", enabled: false)))
        let clients = RuntimeClients(directory: box.path("nowhere"), searched: [box.path("nowhere")], explicit: true)
        #expect(clients.diagnostics(configuration).isEmpty)
    }
}
