import ArgumentParser
import StarfleetControl

/// The selection `dlq redrive` and `dlq purge` share: IDs, `--worker W` (all of one worker's), or `--all`.
struct DeadLetterSelectionOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Dead-letter ids (file names without .json, as `dlq list` prints them).", valueName: "id"))
    var ids: [String] = []

    @Option(
        help: ArgumentHelp("Every dead letter of this worker (with IDs: look for them only in its folder).", valueName: "worker"))
    var worker: String?

    @Flag(help: "Every dead letter of every worker (required to take everything).")
    var all = false

    /// The selection as the application layer takes it.
    var request: DeadLetterSelectionArguments { DeadLetterSelectionArguments(ids: ids, worker: worker, all: all) }
}

extension DeadLetterCommand {
    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead letters back on their worker's queue (fresh receive count, new message id).",
            discussion: """
                Each message goes back with its exact body and attributes, a new id, receive count 0, and the id it \
                was dead-lettered under in the StarfleetOriginalMessageId attribute; its file is removed once the send \
                is durable. When the daemon holds the queue the messages go through <state>/inbox/<Worker>/ and the \
                daemon takes them within a second; otherwise they are written to the queue's journal directly.
                Exit status: 0, 64 no selection (IDs, --worker or --all) or a bad option, 65 unknown id or worker \
                (with a hint), 69 the queue is unavailable, 74 I/O error (files not redriven stay in place), \
                78 configuration errors.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: DeadLetterSelectionOptions

        @Option(help: ArgumentHelp("At most this many messages per second (0: no limit).", valueName: "n"))
        var rate: Double = 100

        func validate() throws {
            guard rate >= 0, rate.isFinite else {
                throw ValidationError("--rate must be 0 (no limit) or a positive number of messages per second")
            }
        }

        func run() async throws {
            try await runControl {
                try await DeadLetterRedriveCommand(control: global.control, selection: selection.request, rate: rate).run()
            }
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete dead letters for good.",
            discussion: """
                Exit status: 0, 64 no selection (IDs, --worker or --all), 65 unknown id or worker (with a hint; nothing \
                is deleted), 74 I/O error, 78 configuration errors.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: DeadLetterSelectionOptions

        func run() throws {
            try runControl { try DeadLetterPurgeCommand(control: global.control, selection: selection.request).run() }
        }
    }
}
