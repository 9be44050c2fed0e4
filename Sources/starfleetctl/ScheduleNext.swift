import ArgumentParser
import StarfleetControl

/// `starfleetctl schedule next`: when each timed worker fires next.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Inspect timed schedules.", subcommands: [Next.self])

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the next fire times (UTC) of every enabled timed worker.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "How many fire times per worker.")
        var count = 1

        @Flag(help: "One JSON object per worker: {\"worker\", \"schedule\", \"next\": [ISO 8601…]}.")
        var json = false

        func validate() throws {
            guard (1...1000).contains(count) else { throw ValidationError("--count must be between 1 and 1000") }
        }

        func run() throws {
            try runControl { try ScheduleNextCommand(control: global.control, count: count, json: json).run() }
        }
    }
}
