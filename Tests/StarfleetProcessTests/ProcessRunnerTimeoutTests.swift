import Glibc
import StarfleetProcess
import Testing

@Suite struct ProcessRunnerTimeoutTests {
    let runner = ProcessRunner()

    @Test func timeoutSendsSIGTERMToTheGroup() async throws {
        let outcome = try await runner.run(sh("sleep 30", timeout: 0.3))
        #expect(outcome.termination == .timedOut)
        // The bound proves the 30 s sleep was cut short, not how fast a loaded machine is.
        #expect(outcome.duration >= 0.3 && outcome.duration < 20)
    }

    @Test func aChildIgnoringSIGTERMGetsSIGKILLAfterTheGrace() async throws {
        let outcome = try await runner.run(sh("trap '' TERM; sleep 30", timeout: 0.3, killGrace: 0.5))
        #expect(outcome.termination == .timedOut)
        #expect(outcome.duration >= 0.8 && outcome.duration < 20)
        #expect(await processIsGone(outcome.processID))
    }

    @Test func aGrandchildInTheGroupDiesWithItOnTimeout() async throws {
        let outcome = try await runner.run(sh("sleep 30 & echo $!; wait", timeout: 0.3, killGrace: 0.5))
        #expect(outcome.termination == .timedOut)
        let grandchild = try #require(Int32(text(outcome.stdout).split(separator: "\n").first ?? ""))
        #expect(await processIsGone(grandchild))
    }

    @Test func leftoversAreKilledWhenTheLeaderExits() async throws {
        // The background sleep keeps stdout open; the runner stops waiting shortly after sh exits.
        let outcome = try await runner.run(sh("sleep 30 & echo $!; exit 0"))
        #expect(outcome.termination == .exited(0))
        #expect(outcome.duration < 20)
        let grandchild = try #require(Int32(text(outcome.stdout).split(separator: "\n").first ?? ""))
        #expect(await processIsGone(grandchild))
    }

    @Test func cancellingTheTaskKillsTheChild() async throws {
        let directory = makeTemporaryDirectory()
        let pidFile = directory + "/pid"
        defer {
            unlink(pidFile)
            rmdir(directory)
        }
        let runner = self.runner
        let task = Task { try await runner.run(sh("echo $$ > \(pidFile); exec sleep 30", timeout: 60)) }
        var pid: Int32?
        for _ in 0..<300 where pid == nil {
            try await Task.sleep(for: .milliseconds(10))
            pid = readPid(pidFile)
        }
        let child = try #require(pid)
        let cancelled = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        // Well under the child's 30 s sleep: the runner did not wait for it (a bound, not a stopwatch).
        #expect(ContinuousClock.now - cancelled < .seconds(20))
        #expect(await processIsGone(child))
    }

    @Test func alreadyCancelledTaskStartsNothing() async throws {
        let runner = self.runner
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await runner.run(sh("sleep 30"))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func runsDoNotBlockTheCooperativePool() async throws {
        // The pool has as many threads as cores (2 here). Eight children wait for a file that only a task on the
        // pool creates: if each run held a pool thread, that task could never run and the children would time out.
        let runner = self.runner
        let dir = makeTemporaryDirectory()
        let go = "\(dir)/go"
        try await withThrowingTaskGroup(of: ProcessOutcome?.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var waiting = sh("while [ ! -e '\(go)' ]; do sleep 0.02; done")
                    waiting.timeout = 30
                    return try await runner.run(waiting)
                }
            }
            group.addTask {
                let fd = open(go, O_CREAT | O_WRONLY, 0o600)
                if fd >= 0 { close(fd) }
                return nil
            }
            for try await outcome in group {
                if let outcome { #expect(outcome.termination == .exited(0)) }
            }
        }
    }

    private func readPid(_ path: String) -> Int32? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n").first ?? "")
    }
}
