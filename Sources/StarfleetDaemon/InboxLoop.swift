import Logging
import StarfleetQueue
import StarfleetSystemd

/// Ingests what `starfleetctl` hands to the running daemon (`<state>/inbox/<queue>/*.json`: triggers, async
/// invocations, redrives) into the queues, once a second.
struct InboxLoop: Sendable {
    let paths: StatePaths
    /// The queues requests may target, by name, with how to open them.
    let queue: @Sendable (String) throws -> (any MessageQueue)?
    let logger: Logger
    let heartbeat: WatchdogHeartbeat?

    static let name = "inbox"

    func run(stop: StopToken) async {
        let slot = HeartbeatSlot(heartbeat, name: Self.name)
        defer { slot.end() }
        var warned: Set<String> = []
        while !stop.isStopped {
            slot.beat()
            let names = (try? PosixFileSystem().contents(ofDirectory: paths.inbox)) ?? []
            for name in names.sorted() {
                do {
                    guard let target = try queue(name) else {
                        if warned.insert(name).inserted {
                            logger.warning("inbox requests for an unknown queue are left in place", metadata: ["queue": "\(name)"])
                        }
                        continue
                    }
                    let (sent, bad) = try await QueueInbox(stateDirectory: paths.root, queue: name).ingest(into: target)
                    if sent > 0 { logger.info("inbox requests taken", metadata: ["queue": "\(name)", "messages": "\(sent)"]) }
                    for file in bad { logger.error("unreadable inbox request set aside", metadata: ["path": "\(file)"]) }
                } catch {
                    logger.error("inbox ingest failed; retrying", metadata: ["queue": "\(name)", "error": "\(error)"])
                }
            }
            try? await Task.sleep(nanoseconds: 250_000_000)
        }
    }
}
