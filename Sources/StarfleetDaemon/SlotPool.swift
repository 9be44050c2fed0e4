import Synchronization

/// The execution slots of one consumer: receive loops reserve slots before they receive, executions give them back,
/// and a loop that finds every slot taken suspends until one is given back (or the pool is shut) — no polling, so a
/// slot freed by a finished worker is refilled at once.
final class SlotPool: Sendable {
    private struct State {
        var inUse = 0
        var shut = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var inUse: Int { state.withLock { $0.inUse } }

    /// Takes up to `limit` free slots; returns how many (0 when every slot is in use).
    func reserve(upTo limit: Int) -> Int {
        state.withLock { s in
            let take = max(0, min(limit, capacity - s.inUse))
            s.inUse += take
            return take
        }
    }

    /// Gives `count` slots back and wakes the loops waiting for one.
    func release(_ count: Int) {
        guard count > 0 else { return }
        let wake = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.inUse -= count
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for c in wake { c.resume() }
    }

    /// Wakes every waiter for good: the consumer is stopping.
    func shut() {
        let wake = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.shut = true
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for c in wake { c.resume() }
    }

    /// Returns when a slot is free, the pool is shut, or the task is cancelled.
    func waitForFree() async {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.shut || s.inUse < capacity || Task.isCancelled { return true }
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
