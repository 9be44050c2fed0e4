import CStarfleetQueueSupport
import Dispatch
import FoundationEssentials
import Glibc
package import Logging
package import StarfleetClock
import StarfleetFiles
import Synchronization

/// The durable local queue: a segmented append-only journal per queue with group commit, an in-memory index
/// rebuilt on open, and compaction of dead segments (beanstalkd's binlog is the model; docs/queue-format.md).
///
/// Thread-safety: all state sits behind one mutex; operations never block the Swift cooperative pool on disk
/// flushes — writes and fdatasync run on a dedicated serial dispatch queue (group commit), dead-letter files on
/// another, and callers wait on continuations.
///
/// Durability: a send returns only after its record is fdatasync'ed; so does a receive (the receive count);
/// a change of visibility with a failure waits for the failure record. A delete is written with the next
/// commit but not waited for: a crash may lose it, and the message is then delivered again (at-least-once).
///
/// Dead letters, two paths: (1) SQS's rule — a receive that would take a message's receive count past
/// `maxReceiveCount` moves it to the dead-letter directory instead of delivering it; (2) the dispatcher's
/// shortcut — `changeVisibility(_:timeout:failure:)` with a failure on the attempt whose receive count equals
/// `maxReceiveCount` moves it at once, without waiting out the backoff. Either way the journal records the
/// move only after the dead-letter file is durable.
package final class JournalQueue: MessageQueue {
    package let name: String
    /// `<state>/queues/<name>`.
    package let directory: String
    /// Fixed at open, except the two settings ``retune(visibilityTimeout:maxReceiveCount:)`` changes (read those
    /// through ``visibilityTimeout`` and ``maxReceiveCount``).
    package let options: QueueOptions
    private let settings: Mutex<(visibilityTimeout: Double, maxReceiveCount: Int)>
    /// What opening the queue found in the journal.
    package let recoveryReport: RecoveryReport

    let clock: any WallClock
    let logger: Logger
    let fileSystem: any JournalFileSystem
    let state: LockedState
    let commitQueue: DispatchQueue
    let deadLetterQueue: DispatchQueue
    private let lock: QueueLock
    private let changeObserver = Mutex<ChangeObserver?>(nil)

    var journalDirectory: String { directory + "/journal" }

    private init(
        name: String, directory: String, options: QueueOptions, clock: any WallClock, logger: Logger,
        lock: QueueLock, state: QueueState, report: RecoveryReport
    ) {
        self.name = name
        self.directory = directory
        self.options = options
        settings = Mutex((options.visibilityTimeout, options.maxReceiveCount))
        self.clock = clock
        self.logger = logger
        self.fileSystem = options.fileSystem
        self.lock = lock
        self.state = LockedState(state)
        self.recoveryReport = report
        commitQueue = DispatchQueue(label: "starfleet.queue.\(name).commit", qos: .userInitiated)
        deadLetterQueue = DispatchQueue(label: "starfleet.queue.\(name).dead-letter")
    }

    /// The default visibility timeout of a receive, as last set (the worker's VisibilityTimeoutSeconds).
    package var visibilityTimeout: Double { settings.withLock { $0.visibilityTimeout } }
    /// Receives past this dead-letter a message, as last set (the worker's MaxReceiveCount).
    package var maxReceiveCount: Int { settings.withLock { $0.maxReceiveCount } }

    /// Applies a reloaded worker's VisibilityTimeoutSeconds and MaxReceiveCount to the open queue: a run's timeout
    /// follows the new configuration at once, so its message must stay hidden as long, or a second copy would start.
    /// Messages in flight keep the visibility they were received with.
    package func retune(visibilityTimeout: Double, maxReceiveCount: Int) throws {
        var candidate = options
        candidate.visibilityTimeout = visibilityTimeout
        candidate.maxReceiveCount = maxReceiveCount
        try candidate.validate(queue: name)
        settings.withLock { $0 = (visibilityTimeout, maxReceiveCount) }
    }

    /// Opens (creating when needed) the queue in `directory` (normally `<state>/queues/<name>`): takes its lock,
    /// recovers the journal, and starts a new journal segment. Throws `.locked` when another process has it open.
    package static func open(
        directory: String, name: String, options: QueueOptions, clock: any WallClock, logger: Logger
    ) throws -> JournalQueue {
        try QueueNames.validate(name)
        try options.validate(queue: name)
        let fileSystem = options.fileSystem
        do {
            try fileSystem.makeDirectories(directory + "/journal", mode: 0o700)
            let lock = try QueueLock.acquire(directory: directory, queue: name)
            let started = ContinuousClock.now
            let nowMs = Milliseconds.from(clock.now())
            var recovered = try JournalRecovery(
                queueDirectory: directory, fileSystem: fileSystem, logger: logger, readOnly: false, nowMs: nowMs,
                retentionMs: Milliseconds.duration(options.retention)
            ).run()
            let head = try SegmentFile.create(
                number: recovered.newestSegment + 1, directory: directory + "/journal", lowWater: recovered.lowWater,
                fileSystem: fileSystem)
            var initial = QueueState(head: head, headSize: Int64(SegmentFile.headerBytes), lowWater: recovered.lowWater)
            recovered.segments[head.number] = head
            initial.segments = recovered.segments
            initial.segmentMaxDedupMs = recovered.segmentMaxDedupMs
            initial.deduplication = recovered.deduplication
            initial.expired = recovered.report.expiredOnOpen
            // The lock makes this process the queue's only consumer, so a message still in flight at open was taken
            // by a process that died: it is visible again at once (Postfix moves active/ back to incoming/ at start)
            // rather than after its visibility timeout or backoff. Receive counts are untouched.
            var released = 0
            if options.releaseInFlightOnOpen {
                for i in recovered.entries.indices
                where recovered.entries[i].1.receiveCount > 0 && recovered.entries[i].1.visibleAtMs > nowMs {
                    recovered.entries[i].1.visibleAtMs = nowMs
                    released += 1
                }
            }
            let messageCount = recovered.entries.count
            initial.index.insertBatch(recovered.entries, nowMs: nowMs, countLive: true)
            recovered.entries = []
            let queue = JournalQueue(
                name: name, directory: directory, options: options, clock: clock, logger: logger, lock: lock,
                state: initial, report: recovered.report)
            logger.info(
                "queue recovered",
                metadata: [
                    "queue": "\(name)", "messages": "\(messageCount)", "released_in_flight": "\(released)",
                    "segments": "\(recovered.report.segmentsRead)",
                    "records": "\(recovered.report.recordsRead)", "expired": "\(recovered.report.expiredOnOpen)",
                    "elapsed": "\(ContinuousClock.now - started)",
                ])
            if let record = DegradedRecord(queue: name, queueDirectory: directory, report: recovered.report, at: clock.now()) {
                // The queue keeps working with what exists; the loss is kept in view until an operator acknowledges it.
                do {
                    try DegradedRecord.record(record, queueDirectory: directory, fileSystem: fileSystem)
                } catch {
                    logger.error(
                        "could not write the queue's degraded record", metadata: ["queue": "\(name)", "error": "\(error)"])
                }
                logger.critical(
                    "queue is degraded: recovery lost messages; acknowledge with `starfleetctl queue acknowledge \(name)`",
                    metadata: ["queue": "\(name)", "loss": "\(record.summary)"])
            }
            queue.unlinkSegmentsBelowLowWater()
            // Recovery's scratch (segment buffer, the rebuilding maps) is freed now; hand it back to the system
            // instead of leaving it in malloc's arenas, so the daemon's resident size reflects the index only.
            sfq_release_free_memory()
            return queue
        } catch let error as QueueError {
            throw error.on(queue: name)
        } catch let error as FileSystemError {
            throw QueueError(error).on(queue: name)
        }
    }

    /// The loss recovery recorded and no operator has acknowledged yet (`<queue>/degraded.json`), read now: an
    /// acknowledgement (`starfleetctl queue acknowledge`) shows at the next call.
    package var degraded: DegradedRecord? { DegradedRecord.read(queueDirectory: directory, queue: name) }

    /// Flushes what is pending, wakes long-poll receivers (they return empty), and releases the lock.
    /// Later calls throw `.unavailable`.
    package func close() async {
        _ = try? await waitForPendingRecords()
        let wake = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.closed = true
            return s.signalReceivers()
        }
        for c in wake { c.resume() }
        // Let the commit queue finish anything it had taken before the lock goes.
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in commitQueue.async { c.resume() } }
        lock.release()
    }

    /// Calls `observer` (on any thread, keep it cheap) after the queue's contents change: once per group commit and
    /// after a send is indexed or messages expire. The daemon's status writer waits on it instead of polling.
    package func observeChanges(_ observer: (@Sendable () -> Void)?) {
        changeObserver.withLock { $0 = observer.map(ChangeObserver.init) }
    }

    func notifyChanged() {
        changeObserver.withLock { $0 }?.call()
    }

    /// Throws unless the queue can take operations.
    func checkUsable(_ s: QueueState) throws {
        if s.closed {
            throw QueueError(.unavailable, "the queue is closed", hint: "Reopen it with JournalQueue.open.", queue: name)
        }
        if let broken = s.broken { throw broken }
    }

    func nowMs() -> Int64 { Milliseconds.from(clock.now()) }
}

/// Queue names double as directory and dead-letter folder names: SQS's rule, `[A-Za-z0-9_-]{1,80}`. The one rule for
/// a name that becomes a path component: none that passes it is empty, `.`, `..`, or holds a slash or NUL.
/// It is also `WorkerName`'s rule (StarfleetCore), which this target cannot import: the two copies must say the same,
/// and `WorkerNameRuleTests` holds them to one table. Never loosen this one: it keeps a path out of the state folder.
enum QueueNames {
    /// `what` names the name in the error ("queue name", "worker name"); the rule is the same.
    static func validate(_ name: String, as what: String = "queue name") throws {
        let ok =
            !name.isEmpty && name.utf8.count <= 80
            && name.unicodeScalars.allSatisfy {
                ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-"
            }
        guard ok else {
            throw QueueError(
                .invalidParameterValue, "\(quoted(name)) is not a valid \(what)",
                hint: "Use 1 to 80 letters, digits, '_' or '-' (SQS's rule).")
        }
    }

    /// A rejected name as an error shows it: quoted, control characters escaped, cut at 100 characters, so a hostile
    /// one cannot fill a log line or a page, or hide itself.
    static func quoted(_ name: String) -> String {
        let shown = String(name.prefix(100)).debugDescription
        return name.count > 100 ? shown + "…" : shown
    }
}

extension QueueOptions {
    func validate(queue: String) throws {
        func bad(_ what: String) -> QueueError {
            QueueError(.invalidParameterValue, what, hint: "Fix the worker's queue settings.", queue: queue)
        }
        guard (0...QueueLimits.maxVisibilityTimeout).contains(visibilityTimeout) else {
            throw bad("VisibilityTimeoutSeconds \(visibilityTimeout) is outside 0...43200")
        }
        guard (1...1000).contains(maxReceiveCount) else { throw bad("MaxReceiveCount \(maxReceiveCount) is outside 1...1000") }
        guard retention >= 1, retention <= 1_209_600 else { throw bad("retention \(retention) s is outside 1...1209600") }
        guard segmentBytes >= 4096 else { throw bad("segmentBytes \(segmentBytes) is below 4096") }
    }
}
