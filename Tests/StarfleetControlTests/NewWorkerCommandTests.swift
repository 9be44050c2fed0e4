import Testing

@testable import StarfleetControl
@testable import StarfleetDaemon

/// `starfleetctl new worker`'s argument checks, which the CLI prints as usage errors (exit 64).
@Suite struct NewWorkerCommandTests {
    func command(_ name: String, language: WorkerScaffold.Language? = nil, fanOut: String? = nil) -> NewWorkerCommand {
        NewWorkerCommand(
            control: ControlContext(config: "/nonexistent", stateDir: nil), name: name, language: language, fanOut: fanOut,
            source: ".")
    }

    @Test func acceptsANameWithItsLanguageAndABedrockFileName() {
        #expect(command("AuditWorker", language: .python).validationProblem() == nil)
        #expect(command("AuditWorker", language: .shell, fanOut: "account-region").validationProblem() == nil)
        #expect(command("system_fetcher.py").validationProblem() == nil)
    }

    @Test func saysWhatIsMissingOrContradictory() {
        #expect(
            command("AuditWorker").validationProblem()
                == "Missing option '--language' (or give NAME.py / NAME.js for Bedrock's layout)")
        #expect(
            command("system_fetcher.py", language: .python).validationProblem()
                == "--language is not used with system_fetcher.py: the extension says it")
        #expect(
            command("system-fetcher.py").validationProblem()?.hasPrefix("\"system-fetcher.py\" is not a worker file name") == true
        )
        // One rule with the daemon (`WorkerName`): a leading digit is a worker name; a Swift type name it is not.
        #expect(command("1Worker", language: .python).validationProblem() == nil)
        #expect(
            command("1Worker", language: .swift).validationProblem()
                == "\"1Worker\" is not a worker name: a Swift worker's name is its type name: use letters, digits and '_' (no '-'), starting with a letter"
        )
        #expect(
            command("Bad.Name", language: .python).validationProblem()?.hasPrefix(
                #""Bad.Name" is not a worker name: "." is not allowed (use 1 to 80"#) == true)
        #expect(
            command(String(repeating: "a", count: 81) + ".py").validationProblem()?.contains(
                "which is not a worker name: it is 81 bytes long") == true)
    }

    @Test func namesTheBadFanOutValue() {
        #expect(
            command("AuditWorker", language: .python, fanOut: "sideways").validationProblem()
                == "--fan-out sideways is not a fan-out strategy (expected SINGLE_INVOCATION, ACCOUNT or ACCOUNT_REGION)")
    }
}
