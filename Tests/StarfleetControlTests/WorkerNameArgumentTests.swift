import Testing

@testable import StarfleetControl

/// Issue 21: a worker named on the command line is checked against the one rule before any lookup, so a name no
/// worker can have is a usage error that says the rule (exit 64), not "no worker named …" after loading everything.
@Suite struct WorkerNameArgumentTests {
    let control = ControlContext(config: "/nonexistent", stateDir: nil)

    @Test func invokeRefusesANameThatIsNotAWorkerNameBeforeReadingTheConfiguration() async {
        let command = InvokeCommand(
            control: control, worker: "../Audit", payload: "p.json", accountID: nil, region: nil, accountIndex: nil,
            commit: false, async: false)
        let error = await #expect(throws: ControlUsageError.self) { try await command.run() }
        #expect(error?.message.hasPrefix(#""../Audit" is not a valid worker name: "." is not allowed (use 1 to 80"#) == true)
    }

    @Test func runsAndWorkerBuildRefuseItToo() async {
        #expect(throws: ControlUsageError.self) {
            try RunsCommand(control: control, worker: "a/b", accountId: nil, failed: false, since: nil, limit: 0, json: false)
                .run()
        }
        await #expect(throws: ControlUsageError.self) { try await WorkerBuildCommand(control: control, worker: "").run() }
    }

    @Test func aWellFormedNameGoesOnToTheConfiguration() async {
        // The configuration does not exist: the error is about that, not the name.
        let command = InvokeCommand(
            control: control, worker: "3scan", payload: "p.json", accountID: nil, region: nil, accountIndex: nil,
            commit: false, async: false)
        await #expect { try await command.run() } throws: { !($0 is ControlUsageError) }
    }
}
