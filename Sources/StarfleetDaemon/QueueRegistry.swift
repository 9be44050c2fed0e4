public import Logging
public import StarfleetClock
public import StarfleetQueue
import Synchronization

/// Opens each queue once (taking its lock) and keeps it open across configuration reloads; closes all at shutdown.
public final class QueueRegistry: Sendable {
    private let paths: StatePaths
    private let clock: any WallClock
    private let logger: Logger
    private let open: Mutex<[String: JournalQueue]> = Mutex([:])

    public init(paths: StatePaths, clock: any WallClock, logger: Logger) {
        self.paths = paths
        self.clock = clock
        self.logger = logger
    }

    /// The queue `name`, opened with these settings on first use (later calls return the open queue; a changed
    /// visibility timeout or maxReceiveCount takes effect at the next start).
    public func queue(_ name: String, visibilityTimeout: Double, maxReceiveCount: Int) throws -> JournalQueue {
        if let queue = open.withLock({ $0[name] }) { return queue }
        let options = QueueOptions(visibilityTimeout: visibilityTimeout, maxReceiveCount: maxReceiveCount,
                                   deadLetters: DeadLetterDirectory(root: paths.deadLetters))
        let queue = try JournalQueue.open(directory: paths.queue(name), name: name, options: options, clock: clock, logger: logger)
        return open.withLock { queues in
            if let existing = queues[name] { return existing }
            queues[name] = queue
            return queue
        }
    }

    public var all: [String: JournalQueue] { open.withLock { $0 } }

    public func closeAll() async {
        for queue in open.withLock({ Array($0.values) }) { await queue.close() }
    }
}
