import Synchronization

/// A one-way "stop now" flag shared by the loops of one generation. Loops that block (a long poll, a wait for a free
/// slot, a wait for a change) race their wait against ``wait()`` instead of waking on a timer to look at the flag,
/// so an idle daemon has no wake-ups for it.
package final class StopToken: Sendable {
    private struct State {
        var stopped = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let stopped = Atomic<Bool>(false)
    private let state = Mutex(State())

    package init() {}

    package var isStopped: Bool { stopped.load(ordering: .acquiring) }

    package func stop() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.stopped = true
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        stopped.store(true, ordering: .releasing)
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once ``stop()`` has been called, or when the calling task is cancelled.
    package func wait() async {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.stopped || Task.isCancelled { return true }
                    s.waiters[id] = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
