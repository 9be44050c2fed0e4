import FoundationEssentials
import Logging
import StarfleetCore
import StarfleetDaemon
import StarfleetQueue

/// `starfleetctl trigger FREQUENCY`: emit a timed event now, as if EventBridge fired it.
package struct TriggerCommand {
    package var control: ControlContext
    package var frequency: String

    package init(control: ControlContext, frequency: String) {
        self.control = control
        self.frequency = frequency
    }

    package func run() async throws {
        let access = try StateAccess(control)
        let configuration = access.configuration
        let schedule: Schedule
        do {
            schedule = try Schedule(parsing: frequency)
        } catch {
            Terminal.error("error: \(error)")
            throw ControlExit(ExitStatus.usage)
        }
        let event = FanOutEvent.manualTrigger(
            schedule: schedule.description, requestedAt: Date(), nonce: String(UInt64.random(in: 0...UInt64.max), radix: 36))
        var logger = Logger(label: "starfleetctl")
        logger.logLevel = .warning
        // With STARFLEET.TemplateBucket the templates are listed in S3, as the daemon's timed events do.
        let templates = AWSResources(logger: logger).templateStore(for: configuration)
        let messages: [OutgoingMessage]
        do {
            messages = try await Starbase.timedMessages(
                configuration: configuration, templates: templates, schedule: schedule, event: event, logger: logger)
        } catch {
            Terminal.error("error: cannot list the templates: \(error)")
            throw ControlExit(ExitStatus.unavailable)
        }
        let workers = configuration.workers(taskedBy: schedule).map(\.name)
        guard !messages.isEmpty else {
            Terminal.out(
                workers.isEmpty
                    ? "No ships to task for the timed event: \(schedule)."
                    : "No templates found for \(workers.joined(separator: ", ")).")
            return
        }
        let sender = try access.sendingQueue(StatePaths.starbaseQueue)
        _ = try await sender.queue.send(messages)
        await sender.close()
        Terminal.out(
            "\(schedule): tasked \(workers.joined(separator: ", ")) with \(messages.count) template(s)"
                + (sender.viaDaemon ? " (handed to the running daemon)" : " (queued; they run when the daemon starts)"))
    }
}
