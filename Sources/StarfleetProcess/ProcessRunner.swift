package import Logging
package import StarfleetClock

/// Runs process-worker invocations (DESIGN §6): one program per message, payload on stdin, result on stdout.
///
/// Each run gets its own pthread for the blocking work (posix_spawn, poll, waitpid) and the awaiting task
/// just suspends on a continuation, so any number of runs leave Swift's cooperative pool free. Cancelling
/// the awaiting task terminates the child like a timeout (SIGTERM, SIGKILL after the grace) and then throws
/// `CancellationError`; either way `run` returns only once the child has been reaped, so no zombie and no
/// member of its process group outlives the call.
///
/// Processes the program leaves behind in its process group are killed when it exits; a program that must
/// leave something running has to start it in a new session, and then it is no longer this runner's concern.
package struct ProcessRunner: Sendable {
    private let clock: any WallClock
    private let logger: Logger
    private let watchWithPidfd: Bool

    /// - Parameters:
    ///   - clock: stamps ``ProcessOutcome/startedAt``; timeouts always use the monotonic clock (a process
    ///     really runs, so a manual clock cannot stop it).
    ///   - logger: notes timeouts, escalations to SIGKILL and spawns (debug).
    package init(clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "starfleetd.process")) {
        self.init(clock: clock, logger: logger, watchWithPidfd: true)
    }

    /// `watchWithPidfd: false` detects the child's exit by polling waitid on a short tick, as on kernels
    /// without pidfd_open; tests use it to cover that path.
    init(clock: any WallClock, logger: Logger, watchWithPidfd: Bool) {
        self.clock = clock
        self.logger = logger
        self.watchWithPidfd = watchWithPidfd
    }

    /// Runs `invocation` to completion. Throws ``ProcessRunnerError`` when it cannot start (and for the
    /// pathological case of a child reaped behind our back), `CancellationError` when the task was cancelled.
    /// A program that starts and fails is not an error: look at ``ProcessOutcome/termination``.
    ///
    /// - Parameter observer: told the pid at the spawn and each chunk of output as it is read (a long-lived worker
    ///   process logs as it goes); the outcome still carries the kept stdout head and stderr tail.
    package func run(_ invocation: ProcessInvocation, observer: ProcessObserver? = nil) async throws -> ProcessOutcome {
        try Task.checkCancellation()
        let control = try RunControl()
        let job = RunJob(
            invocation: invocation, control: control, clock: clock, logger: logger, watchWithPidfd: watchWithPidfd,
            observer: observer)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<ProcessOutcome, any Error>) in
                do {
                    try DedicatedThread.start { job.main(continuation) }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            control.cancel()
        }
    }
}

/// Everything one run needs on its thread.
private struct RunJob: Sendable {
    let invocation: ProcessInvocation
    let control: RunControl
    let clock: any WallClock
    let logger: Logger
    let watchWithPidfd: Bool
    let observer: ProcessObserver?

    func main(_ continuation: CheckedContinuation<ProcessOutcome, any Error>) {
        continuation.resume(with: Result { try self.execute() })
    }

    private func execute() throws -> ProcessOutcome {
        // Cancelled before we spawned: do not start anything.
        if control.isCancelled { throw CancellationError() }
        let startedAt = clock.now()
        let started = monotonicSeconds()
        let child = try ChildProcess.spawn(invocation, watchWithPidfd: watchWithPidfd)
        logger.debug("spawned process", metadata: ["pid": "\(child.pid)", "argv0": "\(invocation.argv[0])"])

        observer?.started(child.pid)
        let result = try ChildSupervisor(
            child: child, invocation: invocation, control: control, logger: logger, observer: observer
        ).run()
        let termination: ProcessOutcome.Termination
        switch result.stopReason {
        case .cancelled: throw CancellationError()
        case .timeout: termination = .timedOut
        case nil: termination = Self.decode(result.waitStatus)
        }
        var stderr = result.stderr
        return ProcessOutcome(
            termination: termination, stdout: result.stdout.bytes, stdoutTruncated: result.stdout.truncated,
            stderrTail: stderr.text(), duration: monotonicSeconds() - started, processID: child.pid,
            startedAt: startedAt)
    }

    /// wait(2) status word: low 7 bits = terminating signal (0 = normal exit), next 8 bits = exit status.
    /// (WIFEXITED and friends are macros Swift cannot import.)
    static func decode(_ status: Int32) -> ProcessOutcome.Termination {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}
