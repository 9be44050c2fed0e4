import ArgumentParser

/// The operator CLI: validate configuration, preview fan-outs, inspect schedules, status, queues and dead letters, scaffold workers.
/// Async because `dlq redrive` awaits the queue.
@main
struct Starfleetctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starfleetctl",
        abstract: "Operate starfleetd: validate configuration, plan fan-outs, inspect schedules, queues and dead letters, scaffold workers.",
        subcommands: [
            Validate.self, Plan.self, ScheduleCommand.self,
            Status.self, QueueCommand.self, DeadLetterCommand.self, NewCommand.self,
        ])
}
