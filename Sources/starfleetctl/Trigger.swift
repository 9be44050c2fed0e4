import ArgumentParser
import StarfleetControl

/// `starfleetctl trigger FREQUENCY`: emit a timed event now, as if EventBridge fired it.
struct Trigger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emit a timed event now: every enabled worker with exactly this frequency is tasked.",
        discussion: """
            FREQUENCY is a worker's EventBridgeTimedFrequency as written (FIVE_MIN … DAILY, or a rate()/cron() expression).
            With the daemon running the event goes through its inbox and runs within a second; otherwise it waits on
            the Starbase queue until the daemon starts. Each trigger is a new event: it always runs.
            Exit status: 0, 64 not a frequency, 69 the template bucket cannot be listed, 78 configuration errors.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The frequency, e.g. HOURLY.")
    var frequency: String

    func run() async throws {
        try await runControl { try await TriggerCommand(control: global.control, frequency: frequency).run() }
    }
}
