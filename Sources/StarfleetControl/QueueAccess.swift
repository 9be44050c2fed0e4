import FoundationEssentials
import Glibc
import Logging
import StarfleetClock
import StarfleetCore
import StarfleetDaemon
import StarfleetFiles
import StarfleetQueue

/// What the operator commands share: the configuration, the state directory's layout, whether the daemon runs,
/// and the two ways to reach a queue — read-only inspection of its journal, or a send that goes straight into the
/// journal when its lock is free and through the daemon's inbox when the daemon holds it.
struct StateAccess {
    let configuration: Configuration
    let paths: StatePaths
    let deadLetters: DeadLetterDirectory
    let clock: any WallClock = SystemWallClock()

    /// status.json older than this is trusted for live counts only if the process that wrote it still runs (the
    /// daemon rewrites it within 2 s of any change, and not at all while nothing changes).
    static let freshness: Double = 10

    init(_ control: ControlContext) throws {
        configuration = try control.loadConfiguration(quietWarnings: true)
        paths = StatePaths(control.stateDirectory(for: configuration))
        deadLetters = DeadLetterDirectory(root: paths.deadLetters)
    }

    /// Warnings and worse from the queue library (e.g. a torn journal tail seen during inspection).
    var logger: Logger {
        var logger = Logger(label: "starfleetctl") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return logger
    }

    // MARK: The daemon

    /// Whether some process holds `queue`'s lock: a non-blocking shared flock on `<state>/queues/<queue>/lock`
    /// that fails with EWOULDBLOCK. A missing lock file means nobody has ever opened the queue.
    func isLocked(queue: String) -> Bool {
        let fd = open(paths.queue(queue) + "/lock", O_RDONLY | O_CLOEXEC)
        if fd < 0 { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) != 0 { return errno == EWOULDBLOCK }
        _ = flock(fd, LOCK_UN)
        return false
    }

    /// The daemon is running when it holds the Starbase queue (it opens that queue first and keeps it open).
    var daemonRunning: Bool { isLocked(queue: StatePaths.starbaseQueue) }

    /// The last status.json the daemon wrote, however old; nil when there is none or it does not decode.
    func snapshot() -> StatusBoard.Snapshot? {
        guard let data = try? Data(contentsOf: URL(filePath: paths.status)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(StatusBoard.Snapshot.self, from: data)
    }

    /// status.json when the daemon runs and either wrote it within the last few seconds or is the process that
    /// wrote it (it rewrites the file on every change, so an old file from the running daemon is still current).
    func liveSnapshot(running: Bool, now: Date) -> StatusBoard.Snapshot? {
        guard running, let s = snapshot() else { return nil }
        let fresh = abs(now.timeIntervalSince(s.updatedAt)) <= Self.freshness
        // kill(pid, 0): 0 or EPERM (another user's process) means the writer still runs.
        let writerRuns = s.pid > 0 && (kill(s.pid, 0) == 0 || errno == EPERM)
        return fresh || writerRuns ? s : nil
    }

    // MARK: Queues

    /// The queues whose recovery lost messages and that no operator has acknowledged (their `degraded.json`), read
    /// from the queue folders, so an acknowledgement shows at once, daemon running or not.
    func degradedQueues() -> [DegradedRecord] {
        queueNames().compactMap { DegradedRecord.read(queueDirectory: paths.queue($0), queue: $0) }
    }

    /// The Starbase queue, every configured worker's, then any other queue directory found on disk.
    func queueNames() -> [String] {
        var names = [StatePaths.starbaseQueue] + configuration.workers.map(\.name)
        let onDisk = ((try? PosixFileSystem().contents(ofDirectory: paths.root + "/queues")) ?? []).filter { !$0.hasPrefix(".") }
            .sorted()
        for name in onDisk where !names.contains(name) { names.append(name) }
        return names
    }

    /// The settings the daemon opens `queue` with (its worker's, or the Starbase's 300 s / 4).
    func options(for queue: String) -> QueueOptions {
        let worker = configuration.worker(named: queue)
        return QueueOptions(
            visibilityTimeout: Double(worker?.visibilityTimeoutSeconds ?? WorkerConfiguration.defaultVisibilityTimeout),
            maxReceiveCount: worker?.maxReceiveCount ?? WorkerConfiguration.defaultMaxReceiveCount,
            deadLetters: deadLetters)
    }

    /// A queue's counts and messages read from its journal without taking its lock (safe while the daemon runs);
    /// zeros when the queue was never created.
    func inspect(queue: String) throws -> (stats: QueueStats, messages: [QueuedMessageInfo]) {
        let directory = paths.queue(queue)
        guard PosixFileSystem().fileExists(directory + "/journal") else { return (QueueStats(), []) }
        let (stats, messages, _) = try JournalQueue.inspect(
            directory: directory, options: options(for: queue), clock: clock, logger: logger)
        return (stats, messages)
    }

    /// A queue to send to: a worker's SQS queue when its InvocationQueueUrl is one, else the journal itself when
    /// nobody holds its lock, else the daemon's inbox for it. Call `close` on the result when done.
    func sendingQueue(_ queue: String) throws -> SendingQueue {
        if queue != StatePaths.starbaseQueue, let sqs = sqsQueue(queue) {
            return SendingQueue(queue: sqs, journal: nil, onSQS: true)
        }
        do {
            let journal = try JournalQueue.open(
                directory: paths.queue(queue), name: queue, options: options(for: queue), clock: clock, logger: logger)
            return SendingQueue(queue: journal, journal: journal)
        } catch let error as QueueError where error.code == .locked {
            return SendingQueue(queue: InboxQueue(root: paths.inbox, queue: queue), journal: nil)
        }
    }

    /// Every worker folder in the dead-letter directory with its ids.
    func deadLetterInventory() throws -> [String: [String]] {
        var inventory: [String: [String]] = [:]
        // A stray file or an unlistable folder is skipped and reported on stderr, never a failed command.
        for stray in deadLetters.strays() { Terminal.error("warning: \(stray)") }
        for worker in try deadLetters.workers() { inventory[worker] = (try? deadLetters.ids(worker: worker)) ?? [] }
        return inventory
    }

    /// How many dead-letter files a worker has (0 when its folder does not exist or cannot be read).
    func deadLetterCount(_ worker: String) -> Int { (try? deadLetters.ids(worker: worker).count) ?? 0 }
}

/// A queue opened for sending by ``StateAccess/sendingQueue(_:)``.
struct SendingQueue {
    let queue: any MessageQueue
    /// Set when the journal was opened directly (the daemon is not using the queue); nil for the inbox.
    let journal: JournalQueue?
    /// True for a worker's SQS queue: sends go straight to SQS, whichever host consumes them.
    var onSQS = false

    var viaDaemon: Bool { journal == nil && !onSQS }

    func close() async { await journal?.close() }
}

/// Maps library errors to the documented exit statuses, printing the error first.
enum Failure {
    static func exit(_ error: any Error, _ context: String) -> ControlExit {
        if let error = error as? ControlExit { return error }
        Terminal.error("error: \(context): \(error)")
        if let q = error as? QueueError {
            switch q.code {
            case .corruptData, .unsupportedFormatVersion, .invalidParameterValue, .invalidMessageContents, .messageTooLarge:
                return ControlExit(ExitStatus.dataError)
            case .notFound: return ControlExit(ExitStatus.dataError)
            case .locked, .unavailable: return ControlExit(ExitStatus.unavailable)
            default: return ControlExit(ExitStatus.ioError)
            }
        }
        return ControlExit(ExitStatus.ioError)
    }
}
