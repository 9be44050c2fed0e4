import FoundationEssentials
import StarfleetCore
import StarfleetFiles
import StarfleetQueue

/// `starfleetctl queue acknowledge QUEUE`: clears a queue's degraded mark once the operator has seen the loss.
package struct QueueAcknowledgeCommand {
    package var control: ControlContext
    package var queue: String

    package init(control: ControlContext, queue: String) {
        self.control = control
        self.queue = queue
    }

    package func run() throws {
        let access = try StateAccess(control)
        let directory = access.paths.queue(queue)
        // Only a known queue name: never a path that leads out of <state>/queues.
        guard access.queueNames().contains(queue), PosixFileSystem().fileExists(directory) else {
            Terminal.error("error: no queue \(queue) under \(access.paths.root)/queues")
            throw ControlExit(ExitStatus.usage)
        }
        let removed: DegradedRecord?
        do {
            removed = try DegradedRecord.acknowledge(queueDirectory: directory, queue: queue)
        } catch {
            throw Failure.exit(error, "cannot acknowledge queue \(queue)")
        }
        guard let removed else {
            Terminal.out("queue \(queue) is not degraded; nothing to acknowledge")
            return
        }
        Terminal.out("acknowledged queue \(queue): \(removed.summary.isEmpty ? "degraded" : removed.summary)")
    }
}

/// `starfleetctl queue stats`: counts per queue.
package struct QueueStatsCommand {
    package var control: ControlContext
    package var json: Bool

    package init(control: ControlContext, json: Bool) {
        self.control = control
        self.json = json
    }

    struct Row: Encodable {
        var name: String
        var visible: Int
        var inFlight: Int
        var delayed: Int
        var deadLetters: Int
        var oldestMessageAgeSeconds: Double?
        var oldestMessageSent: Date?
    }

    struct Report: Encodable {
        var stateDirectory: String
        var daemonRunning: Bool
        var source: String
        var queues: [Row]
        /// Queues whose recovery lost messages, not yet acknowledged (`queue acknowledge`).
        var degraded: [DegradedRecord]
    }

    package func run() async throws {
        let access = try StateAccess(control)
        let now = Date()
        let running = access.daemonRunning
        let live = access.liveSnapshot(running: running, now: now)
        var rows: [Row] = []
        for name in access.queueNames() {
            let inspected: (stats: QueueStats, messages: [QueuedMessageInfo])
            do {
                inspected = try access.inspect(queue: name)
            } catch {
                throw Failure.exit(error, "cannot read queue \(name)")
            }
            let oldest = inspected.messages.filter { $0.state != .leaving }.map(\.sentTimestamp).min()
            let counts = try await access.counts(of: name, live: live, journal: inspected.stats)
            rows.append(
                Row(
                    name: name, visible: counts.visible, inFlight: counts.inFlight, delayed: counts.delayed,
                    deadLetters: access.deadLetterCount(name),
                    oldestMessageAgeSeconds: oldest.map { max(0, (now.timeIntervalSince($0) * 1000).rounded() / 1000) },
                    oldestMessageSent: oldest))
        }
        let report = Report(
            stateDirectory: access.paths.root, daemonRunning: running, source: live == nil ? "journal" : "daemon", queues: rows,
            degraded: access.degradedQueues())
        if json {
            try JSONOutput.print(report)
            return
        }
        var table = TextTable(["QUEUE", "VISIBLE", "IN FLIGHT", "DELAYED", "DEAD", "OLDEST"], rightAligned: [1, 2, 3, 4, 5])
        for r in rows {
            table.append([
                r.name, "\(r.visible)", "\(r.inFlight)", "\(r.delayed)", "\(r.deadLetters)",
                r.oldestMessageAgeSeconds.map { Format.age(seconds: $0) } ?? "-",
            ])
        }
        for line in table.render() { Terminal.out(line) }
        for d in report.degraded {
            Terminal.out(
                "DEGRADED queue \(d.queue): \(d.summary.isEmpty ? "unreadable degraded.json" : d.summary); acknowledge with `starfleetctl queue acknowledge \(d.queue)`"
            )
        }
        Terminal.out(
            "(\(running ? "daemon running" : "daemon not running"); counts from \(live == nil ? "the journals" : "status.json"))")
    }
}
