import StarfleetCore
package import StarfleetProcess

/// How a worker's warm processes are started: the program, its environment (the Runtime API's address included)
/// and its working directory. Built per generation by ``WorkerProcessEnvironment``.
package struct WarmLaunch: Sendable {
    var argv: [String]
    var environment: [String: String]
    var workingDirectory: String

    /// One warm process: no timeout of its own (each invocation has one), no output kept (it is logged as it comes),
    /// and the Runtime API's address with that process's own secret path prefix, which awslambdaric and our clients
    /// put before every Runtime API path (reference/semantics.md §B6): its requests are answered only with it.
    package func invocation(token: String) -> ProcessInvocation {
        var environment = environment
        if let address = environment[EnvironmentName.lambdaRuntimeAPI] {
            environment[EnvironmentName.lambdaRuntimeAPI] = "\(address)/\(token)"
        }
        return ProcessInvocation(
            argv: argv, stdin: [], environment: environment, workingDirectory: workingDirectory,
            timeout: Double(Int32.max), killGrace: 2, stdoutLimit: 0, stderrTailLimit: 0)
    }
}
