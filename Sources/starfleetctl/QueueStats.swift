import StarfleetFiles
import ArgumentParser
import FoundationEssentials
import StarfleetCore
import StarfleetApp
import StarfleetQueue

/// `starfleetctl queue stats`: counts per queue.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Inspect the local queues; acknowledge a degraded one.", subcommands: [Stats.self, Acknowledge.self])

    /// `starfleetctl queue acknowledge QUEUE`: clears a queue's degraded mark once the operator has seen the loss.
    struct Acknowledge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Acknowledge a degraded queue: clear the mark recovery left for missing or quarantined journal segments.",
            discussion: """
                When the daemon opens a queue and finds journal segments missing (deleted, or lost with a disk) or \
                damaged (moved to <state>/queues/<queue>/quarantine/), it keeps running with what exists and writes \
                <state>/queues/<queue>/degraded.json. Until this command deletes that file the queue is DEGRADED in \
                `starfleetctl status` (and --json), status.json and the metric starfleet_queue_degraded. Safe while \
                the daemon runs: it shows the queue cleared at its next status report (within 2 s). The quarantine \
                folder is left as it is. A queue that is not degraded is left alone (exit 0).
                Exit status: 0, 64 no such queue, 74 the file could not be removed.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The queue: a worker's name or StarbaseFanOut.")
        var queue: String

        func run() throws {
            let access = try StateAccess(global)
            let directory = access.paths.queue(queue)
            // Only a known queue name: never a path that leads out of <state>/queues.
            guard access.queueNames().contains(queue), PosixFileSystem().fileExists(directory) else {
                Console.error("error: no queue \(queue) under \(access.paths.root)/queues")
                throw ExitCode(ExitStatus.usage)
            }
            let removed: DegradedRecord?
            do {
                removed = try DegradedRecord.acknowledge(queueDirectory: directory, queue: queue)
            } catch {
                throw Failure.exit(error, "cannot acknowledge queue \(queue)")
            }
            guard let removed else {
                Console.out("queue \(queue) is not degraded; nothing to acknowledge")
                return
            }
            Console.out("acknowledged queue \(queue): \(removed.summary.isEmpty ? "degraded" : removed.summary)")
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show visible, in-flight and delayed messages, dead letters and the oldest message's age per queue.",
            discussion: """
                Queues: the Starbase's, each configured worker's, and any other queue directory under <state>/queues. \
                While the daemon runs the counts come from its status.json (written every 2 s); otherwise from each \
                queue's journal, read without taking its lock, or for an SQS-backed queue from SQS (GetQueueAttributes). The oldest message's age is always read from the \
                journal. Dead letters are the files in <state>/dead-letter/<queue>/.
                Exit status: 0, 74 a journal could not be read, 78 configuration errors.
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "One JSON object: {\"source\", \"daemonRunning\", \"queues\": [{\"name\", \"visible\", \"inFlight\", \"delayed\", \"deadLetters\", \"oldestMessageAgeSeconds\"}], \"degraded\": [{\"queue\", \"missingSegments\", …}]}.")
        var json = false

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

        func run() async throws {
            let access = try StateAccess(global)
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
                rows.append(Row(name: name, visible: counts.visible, inFlight: counts.inFlight, delayed: counts.delayed,
                                deadLetters: access.deadLetterCount(name),
                                oldestMessageAgeSeconds: oldest.map { max(0, (now.timeIntervalSince($0) * 1000).rounded() / 1000) },
                                oldestMessageSent: oldest))
            }
            let report = Report(stateDirectory: access.paths.root, daemonRunning: running, source: live == nil ? "journal" : "daemon", queues: rows,
                                degraded: access.degradedQueues())
            if json {
                try JSONOutput.print(report)
                return
            }
            var table = TextTable(["QUEUE", "VISIBLE", "IN FLIGHT", "DELAYED", "DEAD", "OLDEST"], rightAligned: [1, 2, 3, 4, 5])
            for r in rows {
                table.append([r.name, "\(r.visible)", "\(r.inFlight)", "\(r.delayed)", "\(r.deadLetters)",
                              r.oldestMessageAgeSeconds.map { Format.age(seconds: $0) } ?? "-"])
            }
            for line in table.render() { Console.out(line) }
            for d in report.degraded {
                Console.out("DEGRADED queue \(d.queue): \(d.summary.isEmpty ? "unreadable degraded.json" : d.summary); acknowledge with `starfleetctl queue acknowledge \(d.queue)`")
            }
            Console.out("(\(running ? "daemon running" : "daemon not running"); counts from \(live == nil ? "the journals" : "status.json"))")
        }
    }
}
