import Dispatch
package import Logging
package import StarfleetClock
package import StarfleetFiles
import StarfleetQueue
import Synchronization

/// The daemon's run history: one ``RunHistoryWriter`` per worker under `<state>/history/`, opened at a worker's
/// first run. It never throws at its caller: a folder it cannot open or a write that fails is logged and the run
/// is left out, since the history must not stop a worker or touch its messages.
///
/// ``record(_:limits:)`` only queues the run: a thread of the store's own writes everything queued, in order, 2 ms
/// after the first of them, so runs that finish together share one `pwrite` and the dispatcher's threads never wait
/// on the disk. The queue is bounded (a stalled disk drops runs, counted and logged, rather than grow memory); a
/// SIGKILL loses only the runs still queued — those that finished in the 2 ms before it.
package final class RunHistoryStore: Sendable {
    private enum Slot {
        case open(RunHistoryWriter)
        /// Opening failed; said once in the log, not retried until the daemon restarts.
        case disabled
    }

    private struct Queued {
        var runs: [(run: RunRecord, limits: RunHistoryLimits)] = []
        /// A drain is scheduled or running, which will take what is queued.
        var draining = false
        /// Runs refused because the queue was full, since the last drain.
        var dropped = 0
    }

    /// At most this many runs wait to be written.
    package static let maxQueued = 10_000
    /// How long the first run queued waits for others before the writer takes them all.
    static let gatherSeconds = 0.002

    package let root: String
    /// Stamps the runs' start times and the age bound.
    package let clock: any WallClock
    private let fileSystem: any FileSystem
    private let logger: Logger
    private let slots = Mutex<[String: Slot]>([:])
    /// Held while a worker's folder is opened (recovered), so two first runs never recover it twice.
    private let opening = Mutex<Void>(())
    /// Failed appends per worker, so a full disk is logged on the first failure and every 1000th, not per run.
    private let failures = Mutex<[String: Int]>([:])
    private let queued = Mutex(Queued())
    private let writes = DispatchQueue(label: "starfleet.run-history.writes")

    package init(root: String, clock: any WallClock, logger: Logger, fileSystem: any FileSystem = PosixFileSystem()) {
        self.root = root
        self.clock = clock
        self.logger = logger
        self.fileSystem = fileSystem
    }

    /// Queues one run, recorded within `limits` (maxRuns 0: not recorded).
    package func record(_ run: RunRecord, limits: RunHistoryLimits) {
        guard limits.maxRuns > 0 else { return }
        let schedule = queued.withLock { q -> Bool in
            guard q.runs.count < Self.maxQueued else {
                q.dropped += 1
                return false
            }
            q.runs.append((run, limits))
            if q.draining { return false }
            q.draining = true
            return true
        }
        // A moment's wait lets the runs finishing meanwhile share the write (at 20,000 runs a second, ~40 of them).
        if schedule { writes.asyncAfter(deadline: .now() + Self.gatherSeconds) { self.drain() } }
    }

    /// Writes every run queued so far before it returns (the daemon at its stop; tests before they read).
    package func flush() {
        writes.sync { drain() }
    }

    /// Writes what is queued, worker by worker in arrival order, until nothing is.
    private func drain() {
        while true {
            let (batch, dropped) = queued.withLock { q in
                let taken = (q.runs, q.dropped)
                q.runs = []
                q.dropped = 0
                if taken.0.isEmpty { q.draining = false }
                return taken
            }
            if dropped > 0 {
                logger.warning(
                    "runs were not recorded in the run history: its writes fell behind (a slow or stalled disk); the workers and their messages are unaffected",
                    metadata: ["runs": "\(dropped)"])
            }
            if batch.isEmpty { return }
            var order: [String] = []
            var byWorker: [String: (runs: [RunRecord], limits: RunHistoryLimits)] = [:]
            for (run, limits) in batch {
                if byWorker[run.worker] == nil { order.append(run.worker) }
                byWorker[run.worker, default: ([], limits)].runs.append(run)
                byWorker[run.worker]?.limits = limits
            }
            for worker in order {
                guard let (runs, limits) = byWorker[worker] else { continue }
                write(runs, worker: worker, limits: limits)
            }
        }
    }

    private func write(_ runs: [RunRecord], worker: String, limits: RunHistoryLimits) {
        guard let writer = writer(for: worker, limits: limits) else { return }
        do {
            try writer.append(runs, limits: limits)
        } catch {
            let (before, after) = failures.withLock { counts -> (Int, Int) in
                let before = counts[worker, default: 0]
                counts[worker, default: 0] += runs.count
                return (before, counts[worker, default: 0])
            }
            if before == 0 || before / 1000 != after / 1000 {
                logger.warning(
                    "runs were not recorded in the run history (the worker and its messages are unaffected): \(error)",
                    metadata: ["worker": "\(worker)", "failures": "\(after)"])
            }
        }
    }

    /// The worker's writer, opening (recovering) its folder on first use.
    private func writer(for worker: String, limits: RunHistoryLimits) -> RunHistoryWriter? {
        let slot =
            slots.withLock { $0[worker] }
            ?? opening.withLock { _ -> Slot in
                // One opener at a time, and only if no writer exists yet: recovery truncates torn tails and removes
                // headerless segments, which would destroy what a live writer of the same folder is appending.
                if let existing = slots.withLock({ $0[worker] }) { return existing }
                let opened = open(worker, limits: limits)
                slots.withLock { $0[worker] = opened }
                return opened
            }
        if case .open(let writer) = slot { return writer }
        return nil
    }

    private func open(_ worker: String, limits: RunHistoryLimits) -> Slot {
        do {
            let directory = try RunHistoryFiles.directory(root: root, worker: worker)
            let (writer, recovery) = try RunHistoryWriter.open(directory: directory, clock: clock, fileSystem: fileSystem)
            for note in recovery.notes {
                logger.warning("run history: \(note)", metadata: ["worker": "\(worker)"])
            }
            writer.prune(limits: limits)
            return .open(writer)
        } catch {
            logger.error(
                "the run history of this worker cannot be opened; its runs are not recorded (the worker runs as usual): \(error)",
                metadata: ["worker": "\(worker)"])
            return .disabled
        }
    }
}
