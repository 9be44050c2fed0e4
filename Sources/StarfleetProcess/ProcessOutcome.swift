package import FoundationEssentials

/// How one invocation ended and what it printed.
package struct ProcessOutcome: Sendable, Hashable {
    /// Why the process is gone.
    package enum Termination: Sendable, Hashable, CustomStringConvertible {
        /// It exited by itself with this status (0 = success).
        case exited(Int32)
        /// A signal killed it that we did not send because of a timeout (a crash, an OOM kill, …).
        case signaled(Int32)
        /// It outlived its timeout and we terminated its process group (SIGTERM, then SIGKILL after the grace).
        case timedOut

        package var description: String {
            switch self {
            case .exited(let status): "exited with status \(status)"
            case .signaled(let signal): "killed by signal \(signal) (\(signalName(signal)))"
            case .timedOut: "timed out"
            }
        }
    }

    package var termination: Termination
    /// The first ``ProcessInvocation/stdoutLimit`` bytes of stdout: the worker's JSON result on success.
    package var stdout: [UInt8]
    /// Whether stdout was longer than the limit (the rest was read and discarded).
    package var stdoutTruncated: Bool
    /// The last ``ProcessInvocation/stderrTailLimit`` bytes of stderr, decoded as UTF-8 (invalid bytes replaced).
    package var stderrTail: String
    /// Seconds from spawn until the process was reaped (monotonic).
    package var duration: Double
    /// The process id it ran as (also its process group id).
    package var processID: Int32
    /// Wall-clock time at spawn, for records an operator reads.
    package var startedAt: Date

    package init(
        termination: Termination, stdout: [UInt8], stdoutTruncated: Bool, stderrTail: String, duration: Double,
        processID: Int32, startedAt: Date
    ) {
        self.termination = termination
        self.stdout = stdout
        self.stdoutTruncated = stdoutTruncated
        self.stderrTail = stderrTail
        self.duration = duration
        self.processID = processID
        self.startedAt = startedAt
    }

    /// Exit status 0: the worker succeeded and ``stdout`` is its result.
    package var succeeded: Bool { termination == .exited(0) }
}

/// "SIGKILL" for 9: the names an operator recognises in a dead letter.
func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [
        1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
        9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
        24: "SIGXCPU", 25: "SIGXFSZ", 31: "SIGSYS",
    ]
    return names[signal] ?? "signal \(signal)"
}
