package import Logging
package import StarfleetClock
package import StarfleetFiles
import StarfleetQueue
import Synchronization

/// The daemon's run history: one ``RunHistoryWriter`` per worker under `<state>/history/`, opened at a worker's
/// first run. It never throws at its caller: a folder it cannot open or a write that fails is logged and the run
/// is left out, since the history must not stop a worker or touch its messages.
package final class RunHistoryStore: Sendable {
    private enum Slot {
        case open(RunHistoryWriter)
        /// Opening failed; said once in the log, not retried until the daemon restarts.
        case disabled
    }

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

    package init(root: String, clock: any WallClock, logger: Logger, fileSystem: any FileSystem = PosixFileSystem()) {
        self.root = root
        self.clock = clock
        self.logger = logger
        self.fileSystem = fileSystem
    }

    /// Records one run within `limits` (maxRuns 0: not recorded).
    package func record(_ run: RunRecord, limits: RunHistoryLimits) {
        guard limits.maxRuns > 0, let writer = writer(for: run.worker, limits: limits) else { return }
        do {
            try writer.append(run, limits: limits)
        } catch {
            let count = failures.withLock { counts -> Int in
                counts[run.worker, default: 0] += 1
                return counts[run.worker, default: 0]
            }
            if count % 1000 == 1 {
                logger.warning(
                    "a run was not recorded in the run history (the worker and its message are unaffected): \(error)",
                    metadata: ["worker": "\(run.worker)", "failures": "\(count)"])
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
