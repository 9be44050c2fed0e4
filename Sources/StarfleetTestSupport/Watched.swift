import Synchronization

/// A value that tests wait on: ``update(_:)`` changes it and wakes the waiters whose condition now holds, so a test
/// waits for an event (a start, a settlement) instead of polling or sleeping. Each wait has a real-time bound, a
/// watchdog for a wrong test, that fails it saying what it waited for.
package final class Watched<Value: Sendable>: Sendable {
    private struct Waiter {
        let id: UInt64
        let condition: @Sendable (Value) -> Bool
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var value: Value
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
    }

    private let state: Mutex<State>

    package init(_ value: Value) { state = Mutex(State(value: value)) }

    package var value: Value { state.withLock { $0.value } }

    /// Changes the value and wakes the waiters it satisfies.
    @discardableResult
    package func update<R>(_ change: (inout Value) -> R) -> R {
        let (result, due): (R, [CheckedContinuation<Void, Never>]) = state.withLock { s in
            let result = change(&s.value)
            let value = s.value
            let due = s.waiters.filter { $0.condition(value) }
            s.waiters.removeAll { $0.condition(value) }
            return (result, due.map(\.continuation))
        }
        for c in due { c.resume() }
        return result
    }

    /// Returns once `condition` holds, or when the waiting task is cancelled (a fake that waits "forever" ends so);
    /// throws ``WaitTimeout`` (naming `what`) after `timeout` of real time.
    package func wait(
        for what: String, timeout: Duration = .seconds(30), until condition: @escaping @Sendable (Value) -> Bool
    ) async throws {
        let reached = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.reached(condition)
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)  // a watchdog for a wrong test, not time the code under test sees
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !reached { throw WaitTimeout(what: what, timeout: timeout, last: "\(value)") }
    }

    private func reached(_ condition: @escaping @Sendable (Value) -> Bool) async {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if condition(s.value) || Task.isCancelled { return true }
                    s.waiters.append(Waiter(id: id, condition: condition, continuation: c))
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> Waiter? in
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index)
            }
            waiter?.continuation.resume()
        }
    }
}

/// What ``Watched/wait(for:timeout:until:)`` throws when the condition never held.
package struct WaitTimeout: Error, CustomStringConvertible {
    package let what: String
    package let timeout: Duration
    package let last: String

    package var description: String { "waited \(timeout) for \(what); the last value was \(last)" }
}
