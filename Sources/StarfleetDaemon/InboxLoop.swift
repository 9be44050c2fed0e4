import Logging
import StarfleetQueue
import StarfleetSystemd

/// Queue upkeep, a few times a second: carries out what `starfleetctl` handed to the running daemon
/// (`<state>/inbox/<queue>/`: sends from trigger and invoke --async, redrives, purges); every minute, drops
/// messages past their retention and unlinks journal segments that hold nothing live.
struct InboxLoop: Sendable {
    let paths: StatePaths
    let queues: QueueSet
    let logger: Logger
    let heartbeat: WatchdogHeartbeat?

    static let name = "inbox"

    func run(stop: StopToken) async {
        let slot = HeartbeatSlot(heartbeat, name: Self.name)
        defer { slot.end() }
        let inbox = QueueInbox(root: paths.inbox)
        var ticks = 0
        while !stop.isStopped {
            slot.beat()
            for queue in queues.all.values {
                await queue.processInbox(inbox)
            }
            ticks += 1
            if ticks % 240 == 0 {
                for queue in queues.all.values {
                    let expired = queue.expireOldMessages()
                    if expired > 0 { logger.notice("messages past their retention dropped", metadata: ["queue": "\(queue.name)", "expired": "\(expired)"]) }
                    await queue.compact()
                }
            }
            try? await Task.sleep(nanoseconds: 250_000_000)
        }
    }
}
