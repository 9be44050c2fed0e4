package import StarfleetClock
package import StarfleetCore
package import StarfleetWorkerKit

/// The Lambda runtime as the daemon's core sees it: warm processes for the workers with `Runtime: python | nodejs |
/// provided`, which take their invocations from the Runtime API. It lives above the core, beside the HTTP server
/// that serves that API; the generation hands it each worker's launch and, once its ships exist, its invoker.
package protocol LambdaRuntime: Sendable {
    /// This generation's warm workers: one per launch (keyed by worker name). With no launches it is still the
    /// generation the Invoke API serves.
    func generation(
        _ configuration: Configuration, launches: [String: WarmLaunch], region: String, clock: any WallClock
    ) -> any LambdaGeneration

    /// The first generation could not start (its queues did not open): whoever waits for one stops waiting.
    func firstGenerationFailed()
}

/// One generation's warm workers.
package protocol LambdaGeneration: Sendable {
    /// A ship per warm worker, keyed by worker name.
    var ships: [String: any WorkerShip] { get }

    /// From now until `uninstall`, the worker-facing endpoints serve this generation: its warm processes and, for the
    /// Invoke API, `invoker`.
    func install(invoker: DaemonInvoker)
    func uninstall()

    /// Supervises the warm processes until `stop`, then lets their running invocations finish.
    func run(stop: StopToken) async
}
