import StarfleetCore
import Testing

@testable import StarfleetControl
@testable import StarfleetDaemon

@Suite struct WorkerScaffoldTests {
    @Test(arguments: ["A", "AuditWorker", "s3_sweep", "Probe-2", String(repeating: "x", count: 80)])
    func acceptsValidNames(name: String) {
        #expect(WorkerScaffold.problem(withName: name, language: .python) == nil)
    }

    @Test(arguments: ["", "a.b", "a b", "a/b", "Ünïcode", String(repeating: "x", count: 81)])
    func refusesInvalidNames(name: String) {
        #expect(WorkerScaffold.problem(withName: name, language: .shell) != nil)
    }

    /// Issue 21: the scaffold takes what the daemon's configuration takes (`WorkerName`), a leading digit, '_' or '-'
    /// included; it used to demand a leading letter, so it refused workers the daemon runs.
    @Test(arguments: ["1Worker", "_w", "-w"])
    func acceptsWhatTheDaemonAccepts(name: String) throws {
        _ = try WorkerName(validating: name)
        #expect(WorkerScaffold.problem(withName: name, language: .shell) == nil)
    }

    @Test func swiftNamesAreTypeNames() {
        #expect(WorkerScaffold.problem(withName: "Probe-2", language: .swift) != nil)
        #expect(WorkerScaffold.problem(withName: "1Worker", language: .swift) != nil)
        #expect(WorkerScaffold.problem(withName: "-w", language: .swift) != nil)
        #expect(WorkerScaffold.problem(withName: "Probe_2", language: .swift) == nil)
        #expect(WorkerScaffold.problem(withName: "_w", language: .swift) == nil)
    }

    @Test(arguments: [
        ("AuditWorker", "audit-worker"), ("HTTPProbe", "http-probe"), ("s3_sweep", "s3-sweep"), ("Worker2Go", "worker2-go"),
        ("lower", "lower"), ("ABC", "abc"), ("a__b--c", "a-b-c"),
    ])
    func fileBaseNames(name: String, base: String) {
        #expect(WorkerScaffold.fileBaseName(name) == base)
    }

    @Test func registersAboveTheMarkerWithItsIndent() throws {
        let registry = """
            public enum WorkerRegistry {
                public static let builtIns: [String: @Sendable (WorkerConfiguration) -> any WorkerShip] = [
                    "NoOpShip": { NoOpShip(fanOutStrategy: $0.fanOutStrategy ?? .accountRegion) },
                    // starfleetctl new worker: registrations go above this line.
                ]
            }

            """
        let edited = try WorkerScaffold.register(name: "Greeter", in: registry).get()
        #expect(
            edited == """
                public enum WorkerRegistry {
                    public static let builtIns: [String: @Sendable (WorkerConfiguration) -> any WorkerShip] = [
                        "NoOpShip": { NoOpShip(fanOutStrategy: $0.fanOutStrategy ?? .accountRegion) },
                        "Greeter": { _ in Greeter() },
                        // starfleetctl new worker: registrations go above this line.
                    ]
                }

                """)
        #expect(WorkerScaffold.register(name: "Greeter", in: edited) == .failure(.alreadyRegistered))
        #expect(WorkerScaffold.register(name: "NoOpShip", in: registry) == .failure(.alreadyRegistered))
        #expect(WorkerScaffold.register(name: "Greeter", in: "enum R {}\n") == .failure(.noMarker))
    }

    @Test func processWorkerSectionHasCommandAndDefaults() {
        let text = WorkerScaffold.configSection(
            name: "Greeter", language: .python, strategy: .account, command: "workers/greeter.py")
        let live = text.split(separator: "\n").filter { !$0.trimmingPrefix(while: \.isWhitespace).hasPrefix("#") }
        #expect(
            live == [
                "Greeter:", "  Enabled: true", "  Command: [\"workers/greeter.py\"]", "  FanOutStrategy: ACCOUNT",
                "  TemplatePrefix: Greeter/", "  InvocationSources: [S3]", "  Commit: false",
            ])
    }

    @Test func swiftSectionHasNoCommand() {
        let text = WorkerScaffold.configSection(name: "Greeter", language: .swift, strategy: .accountRegion, command: nil)
        #expect(!text.contains("Command:"))
        #expect(text.contains("  FanOutStrategy: ACCOUNT_REGION\n"))
        #expect(text.contains("WorkerRegistry.builtIns"))
    }

    @Test func templatesFitTheirStrategy() {
        let single = WorkerScaffold.template(name: "G", strategy: .singleInvocation)
        #expect(!single.contains("IncludeAccounts"))
        let account = WorkerScaffold.template(name: "G", strategy: .account)
        #expect(account.contains("IncludeAccounts:\n  AllAccounts: true\n"))
        #expect(!account.contains("IncludeRegions"))
        #expect(WorkerScaffold.template(name: "G", strategy: .accountRegion).contains("IncludeRegions: [us-east-1]\n"))
    }

    @Test func scriptsHonourTheContract() throws {
        for language in [WorkerScaffold.Language.python, .javascript, .shell] {
            let script = try #require(WorkerScaffold.script(name: "Greeter", language: language))
            #expect(script.hasPrefix("#!"))
            #expect(script.contains("STARFLEET_COMMIT"))
            #expect(script.contains("Change things here: only when commit is on."))
        }
        #expect(WorkerScaffold.script(name: "Greeter", language: .swift) == nil)
    }

    @Test func swiftSourceDeclaresTheTypeAndStrategy() {
        let source = WorkerScaffold.swiftSource(name: "Greeter", strategy: .singleInvocation)
        #expect(source.contains("package struct Greeter: TypedWorkerShip {"))
        #expect(source.contains("package let name = \"Greeter\""))
        #expect(source.contains("package let fanOutStrategy = FanOutStrategy.singleInvocation"))
        #expect(source.contains("if context.commit {"))
    }
}
