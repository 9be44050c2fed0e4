import ArgumentParser
import StarfleetControl

/// The operator CLI: validate configuration, preview fan-outs, trigger and invoke, inspect queues and dead letters.
@main
struct Starfleetctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starfleetctl",
        abstract: "Operate starfleetd: validate, plan, trigger, invoke, status, run history, queues, dead letters, scaffolding.",
        version: ControlContext.version,
        subcommands: [
            Validate.self, Plan.self, ScheduleCommand.self, Trigger.self, Invoke.self,
            Status.self, Runs.self, QueueCommand.self, DeadLetterCommand.self, NewCommand.self, WorkerCommand.self,
        ])
}
