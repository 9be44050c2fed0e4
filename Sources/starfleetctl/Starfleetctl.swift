import ArgumentParser

/// The operator CLI: validate configuration, preview fan-outs, inspect schedules.
@main
struct Starfleetctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starfleetctl",
        abstract: "Operate starfleetd: validate configuration, plan fan-outs, inspect schedules.",
        subcommands: [Validate.self, Plan.self, ScheduleCommand.self])
}
