import StarfleetClock
import Synchronization

/// "Something changed, look again": any number of producers call ``notify()``; one loop waits with
/// ``wait(stop:clock:atMost:)``. Notifications that arrive while nobody waits are kept (as one), so none is missed.
final class ChangeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    init() {}

    func notify() {
        // Handed straight to a waiting loop, or kept for the next wait.
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let waiter = s.waiter else {
                s.pending = true
                return nil
            }
            s.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after a notification (consuming it), a stop, the task's cancellation, or `seconds` of elapsed time
    /// on `clock` (nil: no timer at all).
    func wait(stop: StopToken, clock: any WallClock, atMost seconds: Double?) async {
        if state.withLock({ s in
            defer { s.pending = false }
            return s.pending
        }) {
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.next() }
            group.addTask { await stop.wait() }
            if let seconds { group.addTask { try? await clock.sleep(seconds: seconds) } }
            await group.next()
            group.cancelAll()
        }
    }

    private func next() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.pending {
                        s.pending = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            state.withLock { s in
                defer { s.waiter = nil }
                return s.waiter
            }?.resume()
        }
    }
}
