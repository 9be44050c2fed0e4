package import FoundationEssentials
package import StarfleetQueue
import Synchronization

/// What the daemon tells `starfleetctl status` and systemd's STATUS= line: per-worker outcomes and the next fires.
package final class StatusBoard: Sendable {
    package struct WorkerStatus: Codable, Sendable, Hashable {
        package var succeeded = 0
        package var failed = 0
        package var lastSuccess: Date?
        package var lastFailure: Date?
        package var lastError: String?

        package init() {}
    }

    package struct QueueCounts: Codable, Sendable, Hashable {
        package var visible: Int
        package var inFlight: Int
        package var delayed: Int
        package var deadLetters: Int
    }

    /// The outcome of the last SIGHUP: applied, or refused with the reason while the running generation goes on.
    package struct ReloadStatus: Codable, Sendable, Hashable {
        package var time: Date
        package var applied: Bool
        package var message: String
    }

    /// The file `status.json` holds (version 1).
    package struct Snapshot: Codable, Sendable, Equatable {
        package var version = 1
        package var pid: Int32
        package var startedAt: Date
        package var updatedAt: Date
        package var workers: [String: WorkerStatus]
        package var queues: [String: QueueCounts]
        /// Next fire per schedule (its canonical text).
        package var nextFires: [String: Date]
        package var lastFires: [String: Date]
        /// How late after its UTC boundary each schedule last fired, in seconds (absent until a timer fires).
        package var timerLateness: [String: Double]?
        /// The last reload's outcome (absent until the first SIGHUP).
        package var lastReload: ReloadStatus?
        /// Queues whose recovery lost messages (missing or quarantined journal segments), until an operator runs
        /// `starfleetctl queue acknowledge QUEUE`; absent when none is degraded.
        package var degraded: [String: DegradedRecord]?
    }

    private struct State {
        var workers: [String: WorkerStatus] = [:]
        var nextFires: [String: Date] = [:]
        var lastFires: [String: Date] = [:]
        var timerLateness: [String: Double] = [:]
        var lastReload: ReloadStatus?
    }

    private let state = Mutex(State())
    private let observer = Mutex<ChangeObserver?>(nil)
    package let startedAt: Date
    package let pid: Int32

    package init(startedAt: Date, pid: Int32) {
        self.startedAt = startedAt
        self.pid = pid
    }

    /// Calls `observer` after every change (the status writer waits on it instead of polling).
    package func observeChanges(_ observer: (@Sendable () -> Void)?) {
        self.observer.withLock { $0 = observer.map(ChangeObserver.init) }
    }

    private func changed() {
        observer.withLock { $0 }?.call()
    }

    package func recordSuccess(_ worker: String, at time: Date) {
        state.withLock {
            $0.workers[worker, default: WorkerStatus()].succeeded += 1
            $0.workers[worker, default: WorkerStatus()].lastSuccess = time
        }
        changed()
    }

    package func recordFailure(_ worker: String, at time: Date, error: String) {
        state.withLock {
            $0.workers[worker, default: WorkerStatus()].failed += 1
            $0.workers[worker, default: WorkerStatus()].lastFailure = time
            $0.workers[worker, default: WorkerStatus()].lastError = String(error.prefix(500))
        }
        changed()
    }

    package func recordReload(applied: Bool, message: String, at time: Date) {
        state.withLock { $0.lastReload = ReloadStatus(time: time, applied: applied, message: String(message.prefix(500))) }
        changed()
    }

    /// The scheduler calls this after every wake; only a real change counts as one.
    package func setFires(next: [String: Date], last: [String: Date]) {
        let different = state.withLock { s -> Bool in
            guard s.nextFires != next || s.lastFires != last else { return false }
            s.nextFires = next
            s.lastFires = last
            return true
        }
        if different { changed() }
    }

    /// A timed event fired `seconds` after its boundary.
    package func recordTimerLateness(_ schedule: String, seconds: Double) {
        state.withLock { $0.timerLateness[schedule] = max(0, seconds) }
        changed()
    }

    package func snapshot(now: Date, queues: [String: QueueCounts], degraded: [String: DegradedRecord] = [:]) -> Snapshot {
        state.withLock { s in
            Snapshot(
                pid: pid, startedAt: startedAt, updatedAt: now, workers: s.workers, queues: queues,
                nextFires: s.nextFires, lastFires: s.lastFires, timerLateness: s.timerLateness.isEmpty ? nil : s.timerLateness,
                lastReload: s.lastReload,
                degraded: degraded.isEmpty ? nil : degraded)
        }
    }
}
