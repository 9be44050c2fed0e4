import StarfleetProcess

/// How a worker's warm processes are started: the program, its environment (the Runtime API's address included)
/// and its working directory. Built per generation by ``WorkerProcessEnvironment``.
struct WarmLaunch: Sendable {
    var argv: [String]
    var environment: [String: String]
    var workingDirectory: String

    /// A warm process has no timeout of its own (each invocation has one) and keeps no output: it is logged as it comes.
    var invocation: ProcessInvocation {
        ProcessInvocation(
            argv: argv, stdin: [], environment: environment, workingDirectory: workingDirectory,
            timeout: Double(Int32.max), killGrace: 2, stdoutLimit: 0, stderrTailLimit: 0)
    }
}
