public import FoundationEssentials
public import StarfleetQueue
import Synchronization

/// What the daemon tells `starfleetctl status` and systemd's STATUS= line: per-worker outcomes and the next fires.
public final class StatusBoard: Sendable {
    public struct WorkerStatus: Codable, Sendable, Hashable {
        public var succeeded = 0
        public var failed = 0
        public var lastSuccess: Date?
        public var lastFailure: Date?
        public var lastError: String?
    }

    public struct QueueCounts: Codable, Sendable, Hashable {
        public var visible: Int
        public var inFlight: Int
        public var delayed: Int
        public var deadLetters: Int
    }

    /// The outcome of the last SIGHUP: applied, or refused with the reason while the running generation goes on.
    public struct ReloadStatus: Codable, Sendable, Hashable {
        public var time: Date
        public var applied: Bool
        public var message: String
    }

    /// The file `status.json` holds (version 1).
    public struct Snapshot: Codable, Sendable, Equatable {
        public var version = 1
        public var pid: Int32
        public var startedAt: Date
        public var updatedAt: Date
        public var workers: [String: WorkerStatus]
        public var queues: [String: QueueCounts]
        /// Next fire per schedule (its canonical text).
        public var nextFires: [String: Date]
        public var lastFires: [String: Date]
        /// The last reload's outcome (absent until the first SIGHUP).
        public var lastReload: ReloadStatus?
        /// Queues whose recovery lost messages (missing or quarantined journal segments), until an operator runs
        /// `starfleetctl queue acknowledge QUEUE`; absent when none is degraded.
        public var degraded: [String: DegradedRecord]?
    }

    private struct State {
        var workers: [String: WorkerStatus] = [:]
        var nextFires: [String: Date] = [:]
        var lastFires: [String: Date] = [:]
        var lastReload: ReloadStatus?
    }

    private let state = Mutex(State())
    private let observer = Mutex<ChangeObserver?>(nil)
    public let startedAt: Date
    public let pid: Int32

    public init(startedAt: Date, pid: Int32) {
        self.startedAt = startedAt
        self.pid = pid
    }

    /// Calls `observer` after every change (the status writer waits on it instead of polling).
    public func observeChanges(_ observer: (@Sendable () -> Void)?) {
        self.observer.withLock { $0 = observer.map(ChangeObserver.init) }
    }

    private func changed() {
        observer.withLock { $0 }?.call()
    }

    public func recordSuccess(_ worker: String, at time: Date) {
        state.withLock {
            $0.workers[worker, default: WorkerStatus()].succeeded += 1
            $0.workers[worker, default: WorkerStatus()].lastSuccess = time
        }
        changed()
    }

    public func recordFailure(_ worker: String, at time: Date, error: String) {
        state.withLock {
            $0.workers[worker, default: WorkerStatus()].failed += 1
            $0.workers[worker, default: WorkerStatus()].lastFailure = time
            $0.workers[worker, default: WorkerStatus()].lastError = String(error.prefix(500))
        }
        changed()
    }

    public func recordReload(applied: Bool, message: String, at time: Date) {
        state.withLock { $0.lastReload = ReloadStatus(time: time, applied: applied, message: String(message.prefix(500))) }
        changed()
    }

    /// The scheduler calls this after every wake; only a real change counts as one.
    public func setFires(next: [String: Date], last: [String: Date]) {
        let different = state.withLock { s -> Bool in
            guard s.nextFires != next || s.lastFires != last else { return false }
            s.nextFires = next
            s.lastFires = last
            return true
        }
        if different { changed() }
    }

    public func snapshot(now: Date, queues: [String: QueueCounts], degraded: [String: DegradedRecord] = [:]) -> Snapshot {
        state.withLock { s in
            Snapshot(pid: pid, startedAt: startedAt, updatedAt: now, workers: s.workers, queues: queues,
                     nextFires: s.nextFires, lastFires: s.lastFires, lastReload: s.lastReload,
                     degraded: degraded.isEmpty ? nil : degraded)
        }
    }
}
