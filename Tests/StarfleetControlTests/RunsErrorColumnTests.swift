import Foundation
import StarfleetRunHistory
import Testing

@testable import StarfleetControl
@testable import StarfleetDaemon

/// `starfleetctl runs`' ERROR column: what a reader needs to see in 60 characters.
@Suite struct RunsErrorColumnTests {
    func run(exit: Int32?, error: String?, stderr: String?) -> RunRecord {
        RunRecord(
            worker: "Audit", messageId: "m", attempt: 1, started: Date(), durationSeconds: 1, outcome: .failedWillRetry,
            exitStatus: exit, error: error, stderrExcerpt: stderr)
    }

    @Test func aProcessExitShowsItsStatusAndItsLastStderrLine() {
        let r = run(exit: 2, error: "/etc/starfleetd/workers/audit.py exited with status 2", stderr: "warn\nAccessDenied\n\n")
        #expect(RunsCommand.errorSummary(r) == "exit 2: AccessDenied")
        #expect(RunsCommand.errorSummary(run(exit: 3, error: "x exited with status 3", stderr: nil)) == "exit 3")
    }

    @Test func anyOtherFailureShowsItsError() {
        #expect(
            RunsCommand.errorSummary(run(exit: nil, error: "timed out after 10 s", stderr: "ignored")) == "timed out after 10 s")
    }
}
