import Logging
import StarfleetClock
import StarfleetCore
import StarfleetDaemon
import StarfleetQueue

/// How the CLI sends to a queue: directly when no daemon holds it, else through the daemon's inbox.
enum QueueAccess {
    /// A queue to send to, whether the daemon holds it (`running` true), and a closer for the direct case.
    static func sender(for name: String, paths: StatePaths, visibilityTimeout: Double = 300, maxReceiveCount: Int = 4)
        throws -> (queue: any MessageQueue, daemonRunning: Bool, close: @Sendable () async -> Void)
    {
        let options = QueueOptions(visibilityTimeout: visibilityTimeout, maxReceiveCount: maxReceiveCount,
                                   deadLetters: DeadLetterDirectory(root: paths.deadLetters))
        var logger = Logger(label: "starfleetctl")
        logger.logLevel = .warning
        do {
            let queue = try JournalQueue.open(directory: paths.queue(name), name: name, options: options, clock: SystemWallClock(), logger: logger)
            return (queue, false, { await queue.close() })
        } catch let error as QueueError where error.code == .locked {
            return (InboxQueue(root: paths.inbox, queue: name), true, {})
        }
    }
}
