import ArgumentParser
import StarfleetControl

/// `starfleetctl dlq …`: the dead-letter directory, `<state>/dead-letter/<Worker>/<MessageId>.json`.
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "List, show, redrive or purge dead letters.",
        discussion: """
            A dead letter is a message that failed MaxReceiveCount times: one JSON file per message under \
            <state>/dead-letter/<Worker>/, readable with ls and jq. Every subcommand is safe while the daemon runs.
            """,
        subcommands: [List.self, Show.self, Redrive.self, Purge.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List dead letters, newest first.",
            discussion: "Exit status: 0 (also when there are none), 65 unknown worker, 74 I/O error, 78 configuration errors.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("Only this worker's dead letters (default: every worker's).", valueName: "worker"))
        var worker: String?

        @Flag(
            help:
                "One JSON object per dead letter: {\"worker\", \"messageId\", \"reason\", \"receiveCount\", \"deadLetteredTimestamp\", \"lastError\", \"path\"}."
        )
        var json = false

        func run() throws {
            try runControl { try DeadLetterListCommand(control: global.control, worker: worker, json: json).run() }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one dead letter's JSON file (its path goes to stderr).",
            discussion:
                "Exit status: 0, 65 no such dead letter (with a hint when an id is close), 74 I/O error, 78 configuration errors."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The dead letter's id (its file name without .json).", valueName: "id"))
        var id: String

        @Option(help: ArgumentHelp("Look only in this worker's folder.", valueName: "worker"))
        var worker: String?

        func run() throws {
            try runControl { try DeadLetterShowCommand(control: global.control, id: id, worker: worker).run() }
        }
    }
}
