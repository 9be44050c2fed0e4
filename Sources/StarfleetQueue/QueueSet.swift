import FoundationEssentials
package import Logging
package import StarfleetClock
import StarfleetFiles
import Synchronization

/// The daemon's queues under one state directory:
/// ```
/// <state>/queues/<name>/{lock, journal/, quarantine/}   one per worker, plus the Starbase fan-out queue
/// <state>/dead-letter/<Worker>/<MessageId>.json
/// <state>/inbox/<queue>/*.request.json                   operator requests while the daemon runs
/// ```
package final class QueueSet: Sendable {
    /// The Starbase's own queue, onto which timed events and template changes are fanned out.
    package static let fanOutQueueName = "StarbaseFanOut"  // = StarfleetCore Configuration.starbaseQueueName

    package let stateDirectory: String
    package let deadLetters: DeadLetterDirectory
    package let inbox: QueueInbox
    private let clock: any WallClock
    private let logger: Logger
    private let fileSystem: any JournalFileSystem
    private let open: Mutex<[String: JournalQueue]> = Mutex([:])
    /// Held while a queue is opened (recovered).
    private let opening = Mutex<Void>(())

    package init(
        stateDirectory: String, clock: any WallClock, logger: Logger, fileSystem: any JournalFileSystem = PosixFileSystem()
    ) {
        self.stateDirectory = stateDirectory
        self.clock = clock
        self.logger = logger
        self.fileSystem = fileSystem
        deadLetters = DeadLetterDirectory(root: stateDirectory + "/dead-letter", fileSystem: fileSystem)
        inbox = QueueInbox(root: stateDirectory + "/inbox", fileSystem: fileSystem)
    }

    /// `<state>/queues/<name>`.
    package func directory(of name: String) -> String { stateDirectory + "/queues/" + name }

    /// Opens (recovering) the queue `name`, or returns it if this set already has it open, with its visibility
    /// timeout and receive limit set to these (a reload's new values).
    package func queue(
        _ name: String, visibilityTimeout: Double = 300, maxReceiveCount: Int = 4, retention: Double = 4 * 86_400
    ) throws -> JournalQueue {
        if let existing = open.withLock({ $0[name] }) {
            try existing.retune(visibilityTimeout: visibilityTimeout, maxReceiveCount: maxReceiveCount)
            return existing
        }
        let options = QueueOptions(
            visibilityTimeout: visibilityTimeout, maxReceiveCount: maxReceiveCount, retention: retention,
            deadLetters: deadLetters, fileSystem: fileSystem)
        // One opener at a time: two first opens of one queue at once (two console redrives of a worker the running
        // configuration does not consume, say) would race for its lock file, and the loser would fail as if another
        // process held the queue.
        return try opening.withLock { _ in
            if let raced = open.withLock({ $0[name] }) {
                try raced.retune(visibilityTimeout: visibilityTimeout, maxReceiveCount: maxReceiveCount)
                return raced
            }
            let queue = try JournalQueue.open(
                directory: directory(of: name), name: name, options: options, clock: clock, logger: logger)
            open.withLock { $0[name] = queue }
            return queue
        }
    }

    /// The queues open now, by name.
    package var all: [String: JournalQueue] { open.withLock { $0 } }

    /// Names of the queues that exist on disk (open or not).
    package func existingQueueNames() throws -> [String] {
        let root = stateDirectory + "/queues"
        guard fileSystem.fileExists(root) else { return [] }
        return try fileSystem.contents(ofDirectory: root).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// True when some process (normally the daemon) has the queue open.
    package func isOpenElsewhere(_ name: String) -> Bool { QueueLock.isHeld(directory: directory(of: name)) }

    /// Carries out waiting operator requests on every open queue.
    package func processInboxes(redrive: InboxRedrive? = nil) async {
        for queue in open.withLock({ Array($0.values) }) { await queue.processInbox(inbox, redrive: redrive) }
    }

    /// Closes every queue (flushing), the last step of the daemon's shutdown.
    package func closeAll() async {
        let queues = open.withLock { queues in
            defer { queues.removeAll() }
            return Array(queues.values)
        }
        for queue in queues { await queue.close() }
    }
}
