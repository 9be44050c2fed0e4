public import StarfleetCore

/// A built-in worker that does nothing and succeeds: for measuring the daemon's own overhead (benchmarks) and for
/// checking a fan-out end to end without side effects. Configure a section named `NoOpShip` to use it.
public struct NoOpShip: WorkerShip {
    public let name = "NoOpShip"
    public let fanOutStrategy: FanOutStrategy

    public init(fanOutStrategy: FanOutStrategy = .accountRegion) { self.fanOutStrategy = fanOutStrategy }

    public func execute(_ invocation: WorkerInvocation, context: WorkerContext) async throws -> [UInt8] { [] }
}
