import ArgumentParser
import StarfleetControl

/// `starfleetctl invoke WORKER --payload FILE`: run a worker once, in this process, and print its result
/// (Starfleet's worker CLI commands, Bedrock's `invoke`); or `--async` to put the payload on its queue.
struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a worker once with a payload template and print its result (or enqueue it with --async).",
        discussion: """
            The template is validated against the worker's schema and, like Starfleet's CLI, the account (and region)
            must be ones the template applies to: --account-id for ACCOUNT and ACCOUNT_REGION workers, --region for
            ACCOUNT_REGION workers. Without --commit the worker must not change anything.
            Exit status: 0 success, 1 the worker failed, 64 usage, 65 invalid template or not applicable,
            69 no account index, 78 configuration errors.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The worker's name (its configuration section).")
    var worker: String

    @Option(help: ArgumentHelp("The payload template (YAML).", valueName: "file"))
    var payload: String

    @Option(name: .customLong("account-id"), help: "The account to run for (ACCOUNT, ACCOUNT_REGION).")
    var accountID: String?

    @Option(help: "The region to run in (ACCOUNT_REGION).")
    var region: String?

    @Option(
        name: .customLong("account-index"),
        help: ArgumentHelp("An account index JSON file (default: the configured one).", valueName: "file"))
    var accountIndex: String?

    @Flag(help: "Let the worker change things (STARFLEET_COMMIT=true).")
    var commit = false

    @Flag(name: .customLong("async"), help: "Enqueue the payload on the worker's queue instead of running it here.")
    var async = false

    func run() async throws {
        try await runControl {
            try await InvokeCommand(
                control: global.control, worker: worker, payload: payload, accountID: accountID, region: region,
                accountIndex: accountIndex, commit: commit, async: async
            ).run()
        }
    }
}
