import StarfleetCore
import Testing

@testable import StarfleetQueue

/// Issue 21: a worker's name is one rule, `[A-Za-z0-9_-]{1,80}` (SQS's queue names). The core's `WorkerName` and the
/// queue's `QueueNames.validate` (which cannot import the core, and guards the dead-letter folders against a path)
/// each hold it; this table holds them to the same answers.
@Suite struct WorkerNameRuleTests {
    static let cases: [(name: String, valid: Bool)] = [
        ("AuditWorker", true),
        ("3scan", true),  // a leading digit: SQS and the journal take it, so the configuration always has
        ("a", true),
        ("_", true),
        ("-", true),
        ("snake_case-and-kebab", true),
        ("StarbaseFanOut", true),  // the Starbase's own queue
        (String(repeating: "a", count: 80), true),
        (String(repeating: "a", count: 81), false),
        ("", false),
        (".", false),
        ("..", false),
        ("a.b", false),
        ("/", false),
        ("a/b", false),
        ("../etc", false),
        ("a\u{0}b", false),
        ("a b", false),
        ("a\n", false),
        ("Café", false),
        ("e\u{301}", false),
        ("日本", false),
        (String(repeating: "é", count: 40), false),  // 40 characters, 80 bytes: refused for the 'é', not the length
    ]

    @Test(arguments: cases)
    func workerNameFollowsTheRule(_ name: String, _ valid: Bool) {
        #expect((WorkerName(rawValue: name) != nil) == valid, "\(name.debugDescription)")
    }

    @Test(arguments: cases)
    func theQueueAgrees(_ name: String, _ valid: Bool) {
        #expect(((try? QueueNames.validate(name)) != nil) == valid, "\(name.debugDescription)")
        #expect(((try? DeadLetterDirectory.validateWorker(name)) != nil) == valid, "\(name.debugDescription)")
    }
}
