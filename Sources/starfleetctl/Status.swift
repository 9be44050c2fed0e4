import ArgumentParser
import StarfleetControl

/// `starfleetctl status`: the daemon, and per worker its queue, dead letters, last outcomes and next fire.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show whether the daemon runs and, per worker, queue counts, dead letters, last outcomes and next fire.",
        discussion: """
            Every worker section in the configuration is listed, enabled or not. While the daemon runs the counts \
            come from the status.json it writes every 2 seconds; otherwise each queue's journal is read (read-only), \
            or SQS is asked for an SQS-backed queue, and status.json only supplies the last outcomes it recorded. Dead letters are the files in \
            <state>/dead-letter/<Worker>/. Next fires are computed from the configuration's schedules. A queue whose \
            recovery lost messages (missing or quarantined journal segments) is shown DEGRADED, with the segment \
            numbers, until `starfleetctl queue acknowledge QUEUE`.
            Exit status: 0, 74 a journal or state file could not be read, 78 configuration errors.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(
        help:
            "One JSON object: {\"daemon\", \"source\", \"starbase\", \"workers\": […], \"degraded\": [{\"queue\", \"missingSegments\", \"quarantinedSegments\", …}]}."
    )
    var json = false

    func run() async throws {
        try await runControl { try await StatusCommand(control: global.control, json: json).run() }
    }
}
