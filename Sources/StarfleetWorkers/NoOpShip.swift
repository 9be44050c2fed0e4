package import StarfleetCore
package import StarfleetWorkerKit

/// A built-in worker that does nothing and succeeds: for measuring the daemon's own overhead (benchmarks) and for
/// checking a fan-out end to end without side effects. Configure a section named `NoOpShip` to use it.
package struct NoOpShip: WorkerShip {
    package let name = "NoOpShip"
    package let fanOutStrategy: FanOutStrategy

    package init(fanOutStrategy: FanOutStrategy = .accountRegion) { self.fanOutStrategy = fanOutStrategy }

    package func execute(_ invocation: WorkerInvocation, context: WorkerContext) async throws -> [UInt8] { [] }
}
