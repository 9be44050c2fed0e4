import Logging
import StarfleetClock
import Testing

@testable import StarfleetProcess

/// The same guarantees on the fallback path used where pidfd_open is unavailable (waitid on a tick).
@Suite struct ExitTickFallbackTests {
    let runner = ProcessRunner(
        clock: SystemWallClock(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
        watchWithPidfd: false)

    @Test func exitStatusAndOutput() async throws {
        let outcome = try await runner.run(sh("cat; echo oops >&2; exit 4", stdin: Array("payload".utf8)))
        #expect(outcome.termination == .exited(4))
        #expect(text(outcome.stdout) == "payload")
        #expect(outcome.stderrTail == "oops\n")
    }

    @Test func timeoutThenKill() async throws {
        let outcome = try await runner.run(sh("trap '' TERM; sleep 30", timeout: 0.2, killGrace: 0.3))
        #expect(outcome.termination == .timedOut)
        #expect(outcome.duration >= 0.5 && outcome.duration < 20)
        #expect(await processIsGone(outcome.processID))
    }
}
