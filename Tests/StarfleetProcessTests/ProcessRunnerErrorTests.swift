import Glibc
import StarfleetProcess
import Testing

@Suite struct ProcessRunnerErrorTests {
    let runner = ProcessRunner()

    @Test func aMissingExecutableIsAClearError() async throws {
        let error = try await #require(throws: ProcessRunnerError.self) {
            try await runner.run(ProcessInvocation(argv: ["/nonexistent/audit.py"], timeout: 1))
        }
        #expect(error.code == .executableNotFound)
        #expect(error.errno == ENOENT)
        #expect(error.subject == "/nonexistent/audit.py")
        #expect(error.description.contains("No such file or directory"))
    }

    @Test func aNameNotInPathIsAClearError() async throws {
        let error = try await #require(throws: ProcessRunnerError.self) {
            try await runner.run(
                ProcessInvocation(
                    argv: ["no-such-starfleet-program"], environment: ["PATH": "/usr/bin:/bin"], timeout: 1))
        }
        #expect(error.code == .executableNotFound)
        #expect(error.description.contains("PATH=/usr/bin:/bin"))
    }

    @Test func aFileWithoutExecutePermissionIsNotExecutable() async throws {
        let directory = makeTemporaryDirectory()
        let path = directory + "/worker.py"
        let fd = open(path, O_CREAT | O_WRONLY, 0o644)
        try #require(fd >= 0)
        close(fd)
        defer {
            unlink(path)
            rmdir(directory)
        }
        let error = try await #require(throws: ProcessRunnerError.self) {
            try await runner.run(ProcessInvocation(argv: [path], timeout: 1))
        }
        #expect(error.code == .notExecutable)
        #expect(error.errno == EACCES)
    }

    @Test func aMissingWorkingDirectoryIsReported() async throws {
        let error = try await #require(throws: ProcessRunnerError.self) {
            try await runner.run(
                ProcessInvocation(argv: ["/bin/true"], workingDirectory: "/nonexistent/dir", timeout: 1))
        }
        #expect(error.code == .workingDirectoryUnavailable)
    }

    @Test func invalidInvocationsAreRejected() async throws {
        for invocation in [
            ProcessInvocation(argv: [], timeout: 1),
            ProcessInvocation(argv: [""], timeout: 1),
            ProcessInvocation(argv: ["/bin/echo", "a\u{0}b"], timeout: 1),
            ProcessInvocation(argv: ["/bin/true"], environment: ["A=B": "c"], timeout: 1),
        ] {
            let error = try await #require(throws: ProcessRunnerError.self) { try await runner.run(invocation) }
            #expect(error.code == .invalidInvocation)
        }
    }
}
