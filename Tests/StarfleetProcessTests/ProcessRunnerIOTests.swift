import Glibc
import StarfleetProcess
import Testing

@Suite struct ProcessRunnerIOTests {
    let runner = ProcessRunner()
    static let megabyte = [UInt8](repeating: UInt8(ascii: "p"), count: 1 << 20)

    @Test func floodingStdoutAndStderrWhileIgnoringStdinDoesNotDeadlock() async throws {
        let outcome = try await runner.run(
            sh("head -c 5000000 /dev/zero; head -c 5000000 /dev/zero >&2; echo tail >&2", stdin: Self.megabyte))
        #expect(outcome.termination == .exited(0))
        #expect(outcome.stdout.count == 1 << 20)
        #expect(outcome.stdoutTruncated)
        #expect(outcome.stderrTail.utf8.count == 8 << 10)
        #expect(outcome.stderrTail.hasSuffix("\0\0tail\n"))
    }

    @Test func largeOutputWithinTheLimitIsKeptWhole() async throws {
        var invocation = sh("head -c 5000000 /dev/zero; head -c 5000000 /dev/zero >&2")
        invocation.stdoutLimit = 6_000_000
        let outcome = try await runner.run(invocation)
        #expect(outcome.stdout.count == 5_000_000)
        #expect(!outcome.stdoutTruncated)
    }

    @Test func aChildThatExitsWithoutReadingStdinIsFine() async throws {
        let outcome = try await runner.run(sh("exit 0", stdin: Self.megabyte))
        #expect(outcome.termination == .exited(0))
        let partial = try await runner.run(
            ProcessInvocation(argv: ["/usr/bin/head", "-c", "10"], stdin: Self.megabyte, timeout: 10))
        #expect(partial.termination == .exited(0))
        #expect(partial.stdout == Array(Self.megabyte.prefix(10)))
    }

    @Test func aLargePayloadRoundTripsThroughCat() async throws {
        let payload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var invocation = ProcessInvocation(argv: ["/bin/cat"], stdin: payload, timeout: 10)
        invocation.stdoutLimit = 4 << 20
        let outcome = try await runner.run(invocation)
        #expect(outcome.stdout == payload)
    }
}
