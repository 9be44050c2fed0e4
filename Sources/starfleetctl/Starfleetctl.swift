import ArgumentParser

/// The operator CLI: validate configuration, preview fan-outs, inspect schedules.
@main
struct Starfleetctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starfleetctl",
        abstract: "Operate starfleetd: validate configuration, plan fan-outs, trigger, invoke, inspect.",
        subcommands: [Validate.self, Plan.self, ScheduleCommand.self, Trigger.self, Invoke.self])
}
