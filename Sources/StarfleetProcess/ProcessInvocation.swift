/// One run of a process worker's program: what to execute, what it reads on stdin, and its limits.
///
/// The program runs without a shell (`argv[0]` is a path, or a name looked up in the invocation's `PATH`),
/// in its own process group, with exactly ``environment`` as its environment.
package struct ProcessInvocation: Sendable, Hashable {
    /// The program and its arguments; `argv[0]` must not be empty.
    package var argv: [String]
    /// Written to the program's stdin, which is then closed (the payload JSON for a worker).
    package var stdin: [UInt8]
    /// The complete environment of the program (nothing is inherited implicitly); see ``ProcessEnvironment``.
    package var environment: [String: String]
    /// The directory the program starts in; `nil` keeps the daemon's.
    package var workingDirectory: String?
    /// Seconds of real time before the process group gets SIGTERM.
    package var timeout: Double
    /// Seconds between SIGTERM and SIGKILL.
    package var killGrace: Double
    /// Bytes of stdout kept (the first ones); the rest is read and discarded.
    package var stdoutLimit: Int
    /// Bytes of stderr kept (the last ones).
    package var stderrTailLimit: Int

    package init(
        argv: [String], stdin: [UInt8] = [], environment: [String: String] = [:], workingDirectory: String? = nil,
        timeout: Double, killGrace: Double = 5, stdoutLimit: Int = 1 << 20, stderrTailLimit: Int = 8 << 10
    ) {
        self.argv = argv
        self.stdin = stdin
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.killGrace = killGrace
        self.stdoutLimit = stdoutLimit
        self.stderrTailLimit = stderrTailLimit
    }
}
