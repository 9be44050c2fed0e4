import ArgumentParser
import StarfleetControl

/// `starfleetctl runs`: the run history, `<state>/history/<Worker>/`, read directly (safe while the daemon runs).
struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what ran: each execution's worker, account, region, start, duration and outcome, newest first.",
        discussion: """
            Reads the run history under <state>/history/ (docs/run-history-format.md) without changing it, so it is \
            safe while the daemon runs. Each worker keeps RunHistoryMaxRuns runs for RunHistoryMaxAgeDays days \
            (docs/configuration.md). Exit status: 0 (also when nothing matches), 64 bad --since, 65 unknown worker, \
            74 I/O error, 78 configuration errors.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Only this worker's runs (default: every worker's).", valueName: "worker"))
    var worker: String?

    @Option(name: .customLong("account-id"), help: ArgumentHelp("Only runs for this AWS account.", valueName: "id"))
    var accountId: String?

    @Option(help: ArgumentHelp("Only runs in this region.", valueName: "region"))
    var region: String?

    @Option(help: ArgumentHelp("Only runs of this template key (e.g. AuditWorker/all.yaml).", valueName: "key"))
    var template: String?

    @Option(
        name: .customLong("trace"),
        help: ArgumentHelp(
            "Only runs under this X-Ray trace Root (1-<8 hex>-<24 hex>): one fan-out's payloads, across workers.",
            valueName: "root"))
    var traceId: String?

    @Flag(help: "Only runs that did not succeed (failed-will-retry, timed-out, dead-lettered, failed).")
    var failed = false

    @Option(
        help: ArgumentHelp(
            "Only runs that started since then: a span back from now (30m, 6h, 7d, 1h30m) or an ISO 8601 time.",
            valueName: "when"))
    var since: String?

    @Option(
        help: ArgumentHelp(
            "Only runs made on this host (STARFLEET.HostName, else the hostname; the HOST column).", valueName: "name"))
    var host: String?

    @Option(help: ArgumentHelp("At most this many runs (0: all).", valueName: "n"))
    var limit: Int = 100

    @Flag(
        help: """
            One JSON object per run, newest first: {"worker", "template", "accountId", "region", "messageId", "attempt", \
            "startedAt", "durationSeconds", "outcome", "exitStatus", "errorType", "error", "resultBytes", "resultExcerpt", \
            "stderrExcerpt", "traceId", "host"} (absent fields omitted).
            """)
    var json = false

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (all) or more") }
    }

    func run() throws {
        try runControl {
            var command = RunsCommand(
                control: global.control, worker: worker, accountId: accountId, region: region, template: template,
                failed: failed, since: since, limit: limit,
                json: json
            )
            command.traceId = traceId
            command.host = host
            try command.run()
        }
    }
}
