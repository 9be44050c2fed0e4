import StarfleetCore
import Testing

/// Issue 21: one rule for a worker's name, and a message that says what is wrong and what a name may be. The table
/// of which names pass is `WorkerNameRuleTests` (beside the queue's copy of the rule); here, what a refusal says.
@Suite struct WorkerNameTests {
    @Test func aRefusalSaysWhatBrokeTheRuleAndTheRule() {
        func problem(_ name: String) -> String? {
            do { _ = try WorkerName(validating: name) } catch { return error.problem }
            return nil
        }
        #expect(problem("") == "it is empty")
        #expect(problem(String(repeating: "a", count: 81)) == "it is 81 bytes long")
        #expect(problem("a/b") == #""/" is not allowed"#)
        #expect(problem("..") == #""." is not allowed"#)
        #expect(problem("a\u{0}b") == #""\0" is not allowed"#)
        #expect(problem("Café") == #""é" is not allowed"#)
        #expect(problem("3scan") == nil)
        let error = #expect(throws: WorkerName.Invalid.self) { try WorkerName(validating: "a b") }
        #expect(
            error?.description
                == #""a b" is not a valid worker name: " " is not allowed (use 1 to 80 letters (A-Z, a-z), digits, '_' or '-', as SQS's queue names: the name becomes the worker's queue and dead-letter folder)"#
        )
    }

    @Test func aHostileNameIsShownCutAndEscaped() {
        let error = #expect(throws: WorkerName.Invalid.self) {
            try WorkerName(validating: String(repeating: "\u{1B}", count: 300))
        }
        #expect(error?.description.hasPrefix(#""\u{1B}\u{1B}"#) == true)
        #expect(error?.description.contains("…") == true)
    }

    @Test func keepsItsTextAndOrdersByIt() throws {
        let a = try WorkerName(validating: "Audit")
        #expect(a.rawValue == "Audit")
        #expect(a.description == "Audit")
        #expect(WorkerName(rawValue: "Audit") == a)
        #expect(WorkerName(rawValue: "../x") == nil)
        #expect(try WorkerName(validating: "Audit") < WorkerName(validating: "Billing"))
    }

    @Test func configurationRefusesASectionThatCannotBeAWorkerWithItsPlaceAndTheRule() throws {
        let dir = try ConfigDir([
            "a.yaml": "STARFLEET: {}\nBad.Name:\n  Enabled: true\n  Command: [x]\n  FanOutStrategy: ACCOUNT\n"
                + "  TemplatePrefix: B/\n  InvocationSources: [S3]\n"
        ])
        #expect(
            dir.errors().contains {
                $0.hasPrefix(#"a.yaml:2:1: error: Bad.Name: not a valid worker name: "." is not allowed (use 1 to 80"#)
            }, "\(dir.errors())")
        #expect(dir.load().0 == nil)
    }

    @Test func configurationKeepsAWorkerWhoseNameStartsWithADigit() throws {
        // SQS and the journal have always taken such a queue name; the scaffold alone refused it.
        let dir = try ConfigDir([
            "a.yaml": "STARFLEET: {}\n3scan:\n  Enabled: true\n  Command: [x]\n  FanOutStrategy: ACCOUNT\n"
                + "  TemplatePrefix: S/\n  InvocationSources: [S3]\n"
        ])
        #expect(dir.errors().isEmpty, "\(dir.errors())")
        #expect(dir.load().0?.worker(named: "3scan") != nil)
    }
}
