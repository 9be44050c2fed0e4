import ArgumentParser

/// `starfleetd`: Starfleet's Starbase and worker ships as one long-running daemon. systemd runs it
/// (Type=notify); it works the same in a terminal, logging to stderr.
@main
struct StarfleetdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starfleetd",
        abstract: "Run the Starfleet scheduler daemon: timers, template watcher, Starbase fan-out, worker queues.",
        discussion: """
            Signals: SIGHUP reloads the configuration (a broken one is reported and the running one kept);
            SIGTERM/SIGINT stop producers at once and let running workers finish.
            Exit status: 0 after a clean stop, 78 configuration errors, 74 state directory unusable,
            73 a state or runtime directory another user owns or may write, 69 an address
            (STARFLEET.MetricsAddress, InvokeAddress, ConsoleAddress) cannot be bound.
            """,
        version: DaemonCommandLine.version)

    @Option(
        help: ArgumentHelp(
            "The configuration directory (*.yaml files; default: $STARFLEETD_CONFIG, then /etc/starfleetd).",
            valueName: "dir"))
    var config: String?

    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "The state directory (default: $STATE_DIRECTORY, then STARFLEET.StateDirectory, then /var/lib/starfleetd).",
            valueName: "dir"))
    var stateDir: String?

    func run() async throws {
        let status = await DaemonCommandLine.run(config: config, stateDir: stateDir)
        if status != 0 { throw ExitCode(status) }
    }
}
