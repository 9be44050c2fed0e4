package import FoundationEssentials
import StarfleetClock
import Synchronization

/// A clock that moves only when a test says so. Sleepers wake when ``advance(by:)`` or ``set(_:)`` passes
/// their deadline; ``sleeperCount`` lets a test wait until the code under test is actually asleep.
package final class ManualClock: WallClock {
    /// A sleeper waits either for a wall-clock time or for an amount of elapsed time.
    private enum Deadline {
        case wall(Date)
        case elapsed(Double)
    }

    private struct Sleeper {
        let id: UInt64
        let deadline: Deadline
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        /// Elapsed (monotonic) time: moved by ``advance(by:)``, not by ``set(_:)``.
        var elapsed: Double = 0
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        /// Tests waiting in ``waitForSleepers(_:timeout:)`` for the number of sleepers to reach `count`.
        var watchers: [(id: UInt64, count: Int, continuation: CheckedContinuation<Void, Never>)] = []

        /// Removes and returns the watchers whose count is reached.
        mutating func satisfiedWatchers() -> [CheckedContinuation<Void, Never>] {
            let reached = sleepers.count
            let due = watchers.filter { $0.count <= reached }.map(\.continuation)
            watchers.removeAll { $0.count <= reached }
            return due
        }

        func isDue(_ deadline: Deadline) -> Bool {
            switch deadline {
            case .wall(let date): return now >= date
            case .elapsed(let t): return elapsed >= t
            }
        }
    }

    private let state: Mutex<State>

    package init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {  // 2026-01-01T00:00:00Z
        state = Mutex(State(now: start))
    }

    package func now() -> Date { state.withLock { $0.now } }

    package func elapsedSeconds() -> Double { state.withLock { $0.elapsed } }

    /// How many tasks are currently suspended in ``sleep(until:)``.
    package var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    package func sleep(until deadline: Date) async throws {
        try await sleep(.wall(deadline))
    }

    package func sleep(seconds: Double) async throws {
        let target = state.withLock { $0.elapsed + max(0, seconds) }
        try await sleep(.elapsed(target))
    }

    private func sleep(_ deadline: Deadline) async throws {
        let id: UInt64 = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (ready, watchers) = state.withLock { s -> (Bool, [CheckedContinuation<Void, Never>]) in
                    if s.isDue(deadline) || Task.isCancelled { return (true, []) }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return (false, s.satisfiedWatchers())
                }
                for watcher in watchers { watcher.resume() }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> Sleeper? in
                guard let index = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Lets `seconds` pass: wall and elapsed time move forward together; due sleepers wake.
    package func advance(by seconds: Double) {
        update { s in
            s.now = s.now.addingTimeInterval(seconds)
            s.elapsed += seconds
        }
    }

    /// Steps the wall clock (forward or backward, like an NTP step or a manual `date -s`) without elapsed time
    /// passing; wakes sleepers whose wall-clock deadline is reached.
    package func set(_ date: Date) {
        update { $0.now = date }
    }

    private func update(_ change: (inout State) -> Void) {
        let due: [Sleeper] = state.withLock { s in
            change(&s)
            let snapshot = s
            let due = snapshot.sleepers.filter { snapshot.isDue($0.deadline) }
            s.sleepers.removeAll { snapshot.isDue($0.deadline) }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Suspends the calling test until at least `count` tasks sleep on this clock (woken by the sleep itself, no
    /// polling). Throws ``SleeperTimeout`` after `timeout` of real time, so a test whose code never goes to sleep
    /// fails saying what it waited for instead of hanging the suite.
    package func waitForSleepers(_ count: Int = 1, timeout: Duration = .seconds(30)) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.sleepersReached(count)
                return true
            }
            group.addTask {
                // A watchdog for a wrong test, not time the code under test sees.
                try? await Task.sleep(for: timeout)
                return false
            }
            let reached = try await group.next() ?? false
            group.cancelAll()
            if !reached { throw SleeperTimeout(expected: count, asleep: self.sleeperCount, timeout: timeout) }
        }
    }

    private func sleepersReached(_ count: Int) async {
        let id: UInt64 = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready: Bool = state.withLock { s in
                    if s.sleepers.count >= count || Task.isCancelled { return true }
                    s.watchers.append((id, count, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> CheckedContinuation<Void, Never>? in
                guard let index = s.watchers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.watchers.remove(at: index).continuation
            }
            cancelled?.resume()
        }
    }
}

/// What ``ManualClock/waitForSleepers(_:timeout:)`` throws when the code under test does not go to sleep in time.
package struct SleeperTimeout: Error, CustomStringConvertible {
    package let expected: Int
    package let asleep: Int
    package let timeout: Duration

    package var description: String {
        "waited \(timeout) for \(expected) task(s) to sleep on the manual clock; \(asleep) did"
    }
}
