import Synchronization

/// A one-way "stop now" flag shared by the loops of one generation: they check it at least once a second and
/// return, so producers stop promptly and dispatchers stop taking work while their running executions finish.
public final class StopToken: Sendable {
    private let stopped = Atomic<Bool>(false)

    public init() {}

    public var isStopped: Bool { stopped.load(ordering: .acquiring) }

    public func stop() { stopped.store(true, ordering: .releasing) }
}
