import Glibc
import StarfleetProcess
import Testing

@Suite struct ProcessRunnerTests {
    let runner = ProcessRunner()

    @Test func exitZeroReturnsStdoutAsTheResult() async throws {
        let outcome = try await runner.run(sh(#"printf '{"ok":true,"n":1}'"#))
        #expect(outcome.termination == .exited(0))
        #expect(outcome.succeeded)
        #expect(text(outcome.stdout) == #"{"ok":true,"n":1}"#)
        #expect(!outcome.stdoutTruncated)
        #expect(outcome.stderrTail == "")
        #expect(outcome.processID > 0)
        #expect(outcome.duration > 0)
    }

    @Test func nonZeroExitKeepsTheStderrTail() async throws {
        let outcome = try await runner.run(sh("echo partial; echo first >&2; echo 'bad thing' >&2; exit 3"))
        #expect(outcome.termination == .exited(3))
        #expect(!outcome.succeeded)
        #expect(outcome.stderrTail == "first\nbad thing\n")
        #expect(text(outcome.stdout) == "partial\n")
    }

    @Test func stderrKeepsOnlyTheLastBytes() async throws {
        var invocation = sh("head -c 20000 /dev/zero | tr '\\0' x >&2; echo END >&2; exit 1")
        invocation.stderrTailLimit = 100
        let outcome = try await runner.run(invocation)
        #expect(outcome.stderrTail.utf8.count == 100)
        #expect(outcome.stderrTail.hasSuffix("xxxEND\n"))
    }

    @Test func aSignalDeathIsReportedAsSuch() async throws {
        let outcome = try await runner.run(sh("kill -9 $$"))
        #expect(outcome.termination == .signaled(9))
        #expect(outcome.termination.description == "killed by signal 9 (SIGKILL)")
    }

    @Test func stdinPayloadIsEchoedBackByCat() async throws {
        let payload = Array(#"{"TemplateName":"t","StarbaseAssignedAccount":"123456789012"}"#.utf8)
        let outcome = try await runner.run(
            ProcessInvocation(argv: ["/bin/cat"], stdin: payload, environment: ProcessEnvironment.base(), timeout: 10))
        #expect(outcome.termination == .exited(0))
        #expect(outcome.stdout == payload)
    }

    @Test func emptyStdinIsClosedAtOnce() async throws {
        let outcome = try await runner.run(ProcessInvocation(argv: ["/bin/cat"], timeout: 10))
        #expect(outcome.termination == .exited(0))
        #expect(outcome.stdout.isEmpty)
    }

    @Test func theWorkerEnvironmentIsExactlyWhatWeGive() async throws {
        let environment = ProcessEnvironment.worker(
            name: "AuditWorker", commit: true, accountID: "123456789012", region: "us-east-2",
            messageID: "m-1", receiveCount: 2, base: ["PATH": "/usr/bin:/bin", "HOME": "/var/lib/starfleetd"])
        let outcome = try await runner.run(
            ProcessInvocation(argv: ["/usr/bin/env"], environment: environment, timeout: 10))
        let lines = Set(text(outcome.stdout).split(separator: "\n").map(String.init))
        #expect(
            lines == [
                "PATH=/usr/bin:/bin", "HOME=/var/lib/starfleetd", "STARFLEET_WORKER=AuditWorker",
                "STARFLEET_COMMIT=true", "STARFLEET_ACCOUNT_ID=123456789012", "STARFLEET_REGION=us-east-2",
                "STARFLEET_MESSAGE_ID=m-1", "STARFLEET_RECEIVE_COUNT=2",
            ])
    }

    @Test func singleInvocationLeavesAccountAndRegionUnset() {
        let environment = ProcessEnvironment.worker(
            name: "W", commit: false, accountID: nil, region: nil, messageID: "m", receiveCount: 1, base: [:])
        #expect(
            environment == [
                "STARFLEET_WORKER": "W", "STARFLEET_COMMIT": "false", "STARFLEET_MESSAGE_ID": "m",
                "STARFLEET_RECEIVE_COUNT": "1",
            ])
        let base = ProcessEnvironment.base(from: ["PATH": "/p", "LANG": "C.UTF-8", "AWS_SECRET_ACCESS_KEY": "s"])
        #expect(base == ["PATH": "/p", "LANG": "C.UTF-8"])
        #expect(ProcessEnvironment.base(from: [:])["PATH"] == ProcessEnvironment.defaultPath)
    }

    @Test func childHasItsOwnGroupCleanSignalStateAndNoStrayFds() async throws {
        // /proc/self here is the shell: its pid must equal its process group; grep reports its own masks.
        let outcome = try await runner.run(
            sh(
                """
                read -r pid comm state ppid pgrp rest < /proc/self/stat; echo "$pid $pgrp"
                grep -E '^Sig(Blk|Ign):' /proc/self/status
                ls /proc/$$/fd
                """))
        let lines = text(outcome.stdout).split(separator: "\n").map(String.init)
        try #require(lines.count >= 3)
        let ids = lines[0].split(separator: " ")
        #expect(ids.count == 2 && ids[0] == ids[1])
        #expect(ids.first.map { Int32($0) } == outcome.processID)
        #expect(lines[1] == "SigBlk:\t0000000000000000")  // the supervising thread blocks nearly everything
        // Standard signals 1–31 at default. (32 and 33 are glibc-internal; posix_spawn cannot reset them, and
        // the test runner happens to ignore 32.)
        let ignored = UInt64(lines[2].dropFirst("SigIgn:\t".count), radix: 16)
        #expect(ignored.map { $0 & 0x7fff_ffff } == 0, "\(lines[2])")
        #expect(Array(lines.dropFirst(3)) == ["0", "1", "2"], "the child inherited more than stdio")
    }

    @Test func workingDirectoryAndPathLookup() async throws {
        let outcome = try await runner.run(
            ProcessInvocation(
                argv: ["pwd"], environment: ["PATH": "/nonexistent:/usr/bin:/bin"], workingDirectory: "/usr/share",
                timeout: 10))
        #expect(text(outcome.stdout) == "/usr/share\n")
    }
}
