import Logging
import StarfleetClock
import StarfleetQueue
import StarfleetSystemd

/// Queue upkeep: carries out what `starfleetctl` hands to the running daemon (`<state>/inbox/<queue>/`: sends from
/// trigger and invoke --async, redrives, purges) as soon as inotify reports the request file; every minute, drops
/// messages past their retention and unlinks journal segments that hold nothing live. Between the two it sleeps:
/// an idle daemon has no wake-up here but the minute's upkeep.
struct InboxLoop: Sendable {
    let paths: StatePaths
    let queues: QueueSet
    let logger: Logger
    let heartbeat: WatchdogHeartbeat?
    let clock: any WallClock

    static let name = "inbox"
    /// Retention and compaction run this often.
    static let upkeepSeconds = 60.0
    /// How often the inbox is looked at when inotify is not available.
    static let fallbackSeconds = 1.0

    func run(stop: StopToken) async {
        let inbox = QueueInbox(root: paths.inbox)
        // A redrive request is paced like the console's and starfleetctl's: the same DeadLetterOperations.
        let operations = DeadLetterOperations(letters: DeadLetterDirectory(root: paths.deadLetters), clock: clock)
        let redrive: InboxRedrive = { worker, selection, queue, rate in
            try await operations.inboxRedrive(worker: worker, selection, into: queue, ratePerSecond: rate)
        }
        let signal = ChangeSignal()
        let watch = DirectoryWatch(root: paths.inbox, logger: logger, onChange: { signal.notify() })
        defer { watch.cancel() }
        var nextUpkeep = clock.now().addingTimeInterval(Self.upkeepSeconds)
        while !stop.isStopped {
            // Registered with the watchdog only while working: waiting for a request is not a hang.
            let slot = HeartbeatSlot(heartbeat, name: Self.name)
            for queue in queues.all.values {
                await queue.processInbox(inbox, redrive: redrive)
            }
            let now = clock.now()
            if now >= nextUpkeep {
                for queue in queues.all.values {
                    let expired = queue.expireOldMessages()
                    if expired > 0 {
                        logger.notice(
                            "messages past their retention dropped",
                            metadata: ["queue": "\(queue.name)", "expired": "\(expired)"])
                    }
                    await queue.compact()
                }
                nextUpkeep = now.addingTimeInterval(Self.upkeepSeconds)
            }
            slot.end()
            let untilUpkeep = max(0, nextUpkeep.timeIntervalSince(clock.now()))
            await signal.wait(
                stop: stop, clock: clock, atMost: watch.isWatching ? untilUpkeep : min(untilUpkeep, Self.fallbackSeconds))
        }
    }
}
