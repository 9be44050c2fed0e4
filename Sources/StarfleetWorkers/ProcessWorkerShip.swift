package import StarfleetCore
import StarfleetProcess
package import StarfleetWorkerKit

/// A worker defined only by configuration: `Command: [argv…]` runs once per payload, without a shell, the payload
/// JSON on stdin and the STARFLEET_* variables in its environment. Exit 0 = success (stdout is the result); any
/// other end is a failure carrying the exit status and the tail of stderr.
package struct ProcessWorkerShip: WorkerShip {
    /// The process is killed (its whole group) at TimeoutSeconds.
    package var enforcesItsOwnTimeout: Bool { true }
    package let name: String
    package let fanOutStrategy: FanOutStrategy
    package let command: [String]
    package let timeoutSeconds: Double
    /// The program's working directory (`<state>/workers/<Name>`), created by the daemon.
    package let workingDirectory: String?
    let runner: ProcessRunner
    let baseEnvironment: [String: String]

    /// - Parameter environment: the worker's complete base environment (its configuration and secrets files,
    ///   `Environment`, `PassEnvironment`, AWS_REGION…); nil: PATH, LANG and HOME of `baseEnvironment` (default: ours).
    package init(
        name: String, fanOutStrategy: FanOutStrategy, command: [String], timeoutSeconds: Double,
        workingDirectory: String?, baseEnvironment: [String: String]? = nil, environment: [String: String]? = nil
    ) {
        self.name = name
        self.fanOutStrategy = fanOutStrategy
        self.command = command
        self.timeoutSeconds = timeoutSeconds
        self.workingDirectory = workingDirectory
        self.runner = ProcessRunner()
        self.baseEnvironment = environment ?? ProcessEnvironment.base(from: baseEnvironment)
    }

    /// Builds the worker a configuration section describes.
    package init(configuration w: WorkerConfiguration, workingDirectory: String?, environment: [String: String]? = nil) {
        self.init(
            name: w.name, fanOutStrategy: w.strategy, command: w.command ?? [], timeoutSeconds: Double(w.timeoutSeconds),
            workingDirectory: workingDirectory, environment: environment)
    }

    package func execute(_ invocation: WorkerInvocation, context: WorkerContext) async throws -> [UInt8] {
        var environment = ProcessEnvironment.worker(
            name: name, commit: invocation.commit, accountID: invocation.account, region: invocation.region,
            messageID: invocation.messageId, receiveCount: invocation.receiveCount, base: baseEnvironment)
        // The payload's trace, as Lambda gives it to a function (not a secret: an id).
        if let trace = invocation.traceHeader { environment["_X_AMZN_TRACE_ID"] = trace }
        let run = ProcessInvocation(
            argv: command, stdin: invocation.body, environment: environment,
            workingDirectory: workingDirectory, timeout: timeoutSeconds)
        let outcome: ProcessOutcome
        do {
            outcome = try await runner.run(run)
        } catch let error as ProcessRunnerError {
            throw WorkerFailure(error.description)
        }
        switch outcome.termination {
        case .exited(0):
            return outcome.stdout
        case .exited(let status):
            throw WorkerFailure("\(command[0]) exited with status \(status)", exitStatus: status, stderrTail: outcome.stderrTail)
        case .signaled(let signal):
            throw WorkerFailure("\(command[0]) was killed by signal \(signal)", stderrTail: outcome.stderrTail)
        case .timedOut:
            var failure = WorkerFailure(
                "\(command[0]) ran longer than TimeoutSeconds (\(Int(timeoutSeconds)) s) and was stopped",
                stderrTail: outcome.stderrTail)
            failure.timedOut = true
            throw failure
        }
    }
}
