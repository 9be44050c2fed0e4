import ArgumentParser
import FoundationEssentials
import Logging
import StarfleetCore
import StarfleetApp
import StarfleetQueue

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
        let access = try StateAccess(global)
        let configuration = access.configuration
        let schedule: Schedule
        do {
            schedule = try Schedule(parsing: frequency)
        } catch {
            Console.error("error: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        let event = FanOutEvent.manualTrigger(schedule: schedule.description, requestedAt: Date(), nonce: String(UInt64.random(in: 0...UInt64.max), radix: 36))
        var logger = Logger(label: "starfleetctl")
        logger.logLevel = .warning
        // With STARFLEET.TemplateBucket the templates are listed in S3, as the daemon's timed events do.
        let templates = AWSResources(logger: logger).templateStore(for: configuration)
        let messages: [OutgoingMessage]
        do {
            messages = try await Starbase.timedMessages(configuration: configuration, templates: templates, schedule: schedule, event: event, logger: logger)
        } catch {
            Console.error("error: cannot list the templates: \(error)")
            throw ExitCode(ExitStatus.unavailable)
        }
        let workers = configuration.workers(taskedBy: schedule).map(\.name)
        guard !messages.isEmpty else {
            Console.out(workers.isEmpty ? "No ships to task for the timed event: \(schedule)." : "No templates found for \(workers.joined(separator: ", ")).")
            return
        }
        let sender = try access.sendingQueue(StatePaths.starbaseQueue)
        _ = try await sender.queue.send(messages)
        await sender.close()
        Console.out("\(schedule): tasked \(workers.joined(separator: ", ")) with \(messages.count) template(s)"
            + (sender.viaDaemon ? " (handed to the running daemon)" : " (queued; they run when the daemon starts)"))
    }
}
