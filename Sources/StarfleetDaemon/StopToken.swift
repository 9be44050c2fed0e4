import Synchronization

/// A one-way "stop now" flag shared by the loops of one generation: they check it at least once a second and
/// return, so producers stop promptly and dispatchers stop taking work while their running executions finish.
/// ``wait()`` lets a task sleep until the stop instead of checking.
public final class StopToken: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let waiters = Mutex<[CheckedContinuation<Void, Never>]>([])

    public init() {}

    public var isStopped: Bool { stopped.load(ordering: .acquiring) }

    public func stop() {
        stopped.store(true, ordering: .releasing)
        let resumed = waiters.withLock { list -> [CheckedContinuation<Void, Never>] in
            defer { list = [] }
            return list
        }
        for waiter in resumed { waiter.resume() }
    }

    /// Returns once ``stop()`` has been called.
    public func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = waiters.withLock { list -> Bool in
                if isStopped { return true }
                list.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
