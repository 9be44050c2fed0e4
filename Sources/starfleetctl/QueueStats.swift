import ArgumentParser
import StarfleetControl

/// `starfleetctl queue stats`: counts per queue.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Inspect the local queues; acknowledge a degraded one.",
        subcommands: [Stats.self, Acknowledge.self])

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
            try runControl { try QueueAcknowledgeCommand(control: global.control, queue: queue).run() }
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

        @Flag(
            help:
                "One JSON object: {\"source\", \"daemonRunning\", \"queues\": [{\"name\", \"visible\", \"inFlight\", \"delayed\", \"deadLetters\", \"oldestMessageAgeSeconds\"}], \"degraded\": [{\"queue\", \"missingSegments\", …}]}."
        )
        var json = false

        func run() async throws {
            try await runControl { try await QueueStatsCommand(control: global.control, json: json).run() }
        }
    }
}
