import FoundationEssentials
package import Logging
package import StarfleetClock
package import StarfleetCore
import StarfleetCrypto
package import StarfleetQueue
package import StarfleetWorkerKit
import StarfleetWorkers
import StarfleetYAML

/// Starfleet's Starbase: tasks workers for timed events and template changes (part 1: one fan-out message per
/// template onto its own queue), then fans each template out into worker payloads (part 2).
package struct Starbase: Sendable {
    package let configuration: Configuration
    let queues: QueueRouter
    let templates: any TemplateStore
    let index: AccountIndexCache
    let ships: [String: any WorkerShip]
    let clock: any WallClock
    let logger: Logger
    /// Counts the payloads each fan-out enqueues (the daemon's; nil for `starfleetctl`).
    let metrics: DaemonMetrics?
    /// Keeps each template's last acknowledged change and last fan-out for the console (the daemon's; nil elsewhere).
    let activity: TemplateActivity?

    /// The bucket name local template events carry (Starfleet checks it against TemplateBucket).
    var bucket: String { configuration.starfleet.templateBucket ?? "local" }

    package init(
        configuration: Configuration, queues: QueueRouter, templates: any TemplateStore, index: AccountIndexCache,
        ships: [String: any WorkerShip], clock: any WallClock, logger: Logger, metrics: DaemonMetrics? = nil,
        activity: TemplateActivity? = nil
    ) {
        self.configuration = configuration
        self.queues = queues
        self.templates = templates
        self.index = index
        self.ships = ships
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.activity = activity
    }

    func starbaseQueue() throws -> any MessageQueue { try queues.starbaseQueue(configuration) }

    func workerQueue(_ worker: WorkerConfiguration) throws -> any MessageQueue { try queues.workerQueue(worker) }

    /// A Starbase whose queues are all local (tests, tools): a ``QueueRouter`` over `queues`.
    package init(
        configuration: Configuration, queues: QueueSet, templates: any TemplateStore, index: AccountIndexCache,
        ships: [String: any WorkerShip], clock: any WallClock, logger: Logger, metrics: DaemonMetrics? = nil,
        activity: TemplateActivity? = nil
    ) {
        self.init(
            configuration: configuration, queues: QueueRouter(local: queues, clock: clock, logger: logger), templates: templates,
            index: index, ships: ships, clock: clock, logger: logger, metrics: metrics, activity: activity)
    }

    // MARK: Part 1

    /// A timed event: one fan-out message per template of every worker with exactly this schedule.
    /// - Returns: how many fan-out messages were enqueued.
    @discardableResult
    package func taskTimedEvent(_ schedule: Schedule, event: FanOutEvent) async throws -> Int {
        let messages = try await Self.timedMessages(
            configuration: configuration, templates: templates, schedule: schedule, event: event, logger: logger)
        if !messages.isEmpty { _ = try await starbaseQueue().send(messages) }
        return messages.count
    }

    /// Part 1 of a timed event as messages (Starfleet's `process_eventbridge_timed_event`), for the daemon's
    /// scheduler and for `starfleetctl trigger`.
    package static func timedMessages(
        configuration: Configuration, templates: any TemplateStore, schedule: Schedule,
        event: FanOutEvent, logger: Logger
    ) async throws -> [OutgoingMessage] {
        let workers = configuration.workers(taskedBy: schedule)
        guard !workers.isEmpty else {
            logger.info("[🌑] No ships to task for the timed event: \(schedule).")
            return []
        }
        var messages: [OutgoingMessage] = []
        for worker in workers {
            let keys = try await templates.templates(prefix: worker.templatePrefix)
            if keys.isEmpty {
                logger.warning(
                    "[⚠️] No templates found for worker ship: \(worker.name). Skipping it.", metadata: ["worker": "\(worker.name)"]
                )
            }
            for key in keys {
                messages.append(
                    OutgoingMessage(
                        body: StarbaseMessage.timed(worker: worker.name, templateKey: key).body,
                        attributes: [FanOutEvent.attribute: event.id],
                        deduplicationId: Digest.sha256Hex("\(event.id)|\(worker.name)|\(key)")))
            }
        }
        logger.info(
            "[🚀] All ships have been tasked for fan-out for this timed event: \(event.summary).",
            metadata: ["templates": "\(messages.count)"])
        return messages
    }

    /// A template created or changed: Starfleet's S3 ObjectCreated notification onto the fan-out queue.
    package func taskTemplateChange(key: String, event: FanOutEvent) async throws {
        let message = OutgoingMessage(
            body: StarbaseMessage.templateChanged(bucket: bucket, key: key).body,
            attributes: [FanOutEvent.attribute: event.id], deduplicationId: Digest.sha256Hex(event.id))
        _ = try await starbaseQueue().send([message])
        // Durable now: the change counts as acknowledged (both the directory watcher and the S3 poller come here).
        if let sha256 = event.templateSHA256 { activity?.recordChange(key: key, sha256: sha256, at: clock.now()) }
        logger.info("[🪣] Template change queued for the Starbase.", metadata: ["template": "\(key)"])
    }

    // MARK: Part 2

    /// Handles one fan-out message (Starfleet's `fan_out_payload`).
    package func handle(_ message: ReceivedMessage) async -> HandlingOutcome {
        let eventID = message.attributes[FanOutEvent.attribute] ?? "message|\(message.messageId)"
        // One Root per fan-out event, the same however often the event is delivered: every payload carries it.
        let trace =
            message.attributes[TraceHeader.attribute].flatMap(TraceHeader.parse)
            ?? MessageTrace.derived(from: eventID, at: message.sentTimestamp)
        switch StarbaseMessage.parse(message.body) {
        case .unsupported(let why):
            logger.error(
                "[👽] Received an event: `\(message.body.prefix(200))` we don't support! Dropping it.",
                metadata: ["reason": "\(why)"])
            return .done
        case .messages(let parsed):
            if parsed.count > 1 {
                logger.error(
                    "[🚨] Received \(parsed.count) nested events! Going to loop over them, but this should really be used to re-invoke the fan out!"
                )
            }
            var outcome = HandlingOutcome.done
            for item in parsed {
                let result = await handle(item, eventID: eventID, trace: trace)
                if result != .done { outcome = result }
            }
            return outcome
        }
    }

    func handle(_ message: StarbaseMessage, eventID: String, trace: TraceHeader? = nil) async -> HandlingOutcome {
        switch message {
        case .timed(let name, let key):
            guard let worker = configuration.worker(named: name), worker.enabled else {
                logger.error(
                    "No worker ship named \(name) is enabled: cannot fan out \(key).",
                    metadata: ["worker": "\(name)", "template": "\(key)"])
                return .permanent("NoShipPluginError: no enabled worker ship named \(name)")
            }
            return await fanOut(worker, key: key, eventID: eventID, trigger: .timedEvent, trace: trace)
        case .templateChanged(let bucket, let key):
            logger.info(
                "[🪣] Starbase received an S3 template modification event. Looking for the worker ship to task...",
                metadata: ["template": "\(key)"])
            guard bucket == self.bucket else {
                logger.error("The event's bucket \(bucket) is not the template bucket \(self.bucket).")
                return .permanent("InvalidBucketError: bucket \(bucket) is not the template bucket \(self.bucket)")
            }
            guard key.hasSuffix(".yaml") else {
                logger.warning(
                    "[⏭️] Received an object prefix that is not a recognized template: \(key). We only process files that end in `.yaml`. Skipping."
                )
                return .done
            }
            guard let worker = configuration.worker(forTemplateKey: key) else {
                logger.warning(
                    "[⏭️] Received S3 payload for object: \(key) that we can't find a ship to handle. Skipping.",
                    metadata: ["template": "\(key)"])
                return .done
            }
            logger.info(
                "[🧑‍🚀] Identified worker ship: \(worker.name) for S3 template: \(key).",
                metadata: ["worker": "\(worker.name)", "template": "\(key)"])
            return await fanOut(worker, key: key, eventID: eventID, trigger: .templateChange, trace: trace)
        }
    }

    /// Fetches, validates and plans the template, then sends every payload to the worker's queue, chunk by chunk
    /// (``FanOutSender``).
    func fanOut(
        _ worker: WorkerConfiguration, key: String, eventID: String, trigger: TemplateActivity.Trigger,
        trace: TraceHeader? = nil
    ) async -> HandlingOutcome {
        let outcome = await planAndSend(worker, key: key, eventID: eventID, trigger: trigger, trace: trace)
        // The last chunk's bodies and records are freed by now: give the pages back to the system.
        FreeMemory.release()
        return outcome
    }

    private func planAndSend(
        _ worker: WorkerConfiguration, key: String, eventID: String, trigger: TemplateActivity.Trigger,
        trace: TraceHeader?
    ) async -> HandlingOutcome {
        var meta: Logger.Metadata = ["worker": "\(worker.name)", "template": "\(key)"]
        if let trace { meta["trace_id"] = "\(trace.root)" }
        var sha256: String? = nil
        /// Every way out goes through here, so the console's record shows this attempt however it ended.
        func finish(_ outcome: HandlingOutcome, payloads: Int = 0, failure: String? = nil) -> HandlingOutcome {
            activity?.recordFanOut(
                key: key,
                .init(
                    at: clock.now(), worker: worker.name, payloads: payloads, trigger: trigger, sha256: sha256,
                    failure: failure.map(Self.short)))
            return outcome
        }
        guard let ship = ships[worker.name] else {
            return finish(
                .permanent("worker \(worker.name) has no implementation (no Command and no built-in Swift worker of that name)"),
                failure: "the worker has no implementation")
        }
        let bytes: [UInt8]
        do {
            bytes = try await templates.read(key: key)
        } catch let error as TemplateStoreError where error.kind == .noSuchBucket {
            // Not the key's fault and not fixed by retrying this message: dead-letter it with the reason.
            logger.error("[❌] Can't read the template \(key): \(error.message).", metadata: meta)
            return finish(.permanent(error.description), failure: "template unreadable: \(error.message)")
        } catch let error as TemplateStoreError where error.kind == .notFound {
            logger.error(
                "[❌] Can't find the template: \(key) in S3 (bucket \(self.bucket)). Please investigate why it's missing.",
                metadata: meta)
            return finish(.retry(error.description), failure: "template not found")
        } catch {
            logger.error("[❌] Can't read the template: \(key): \(error)", metadata: meta)
            return finish(.retry("\(error)"), failure: "template unreadable: \(error)")
        }
        if activity != nil { sha256 = Digest.sha256Hex(bytes) }
        let (parsed, diagnostics) = TemplateReader.read(bytes, file: key, strategy: ship.fanOutStrategy)
        let problems = diagnostics.filter { $0.severity == .error } + (parsed.map { ship.validate(template: $0.raw) } ?? [])
        guard let template = parsed, !problems.containsErrors else {
            let text = problems.map(\.description).joined(separator: "\n")
            logger.error("[❌] Errors in the payload template: \(key)\n\(text)", metadata: meta)
            return finish(.permanent("invalid template \(key):\n\(text)"), failure: "invalid template: \(text)")
        }
        let plan: FanOutTargets
        do {
            let accountIndex = ship.fanOutStrategy == .singleInvocation ? nil : try await index.current()
            plan = try FanOutPlanner.targets(
                worker: worker.name, strategy: ship.fanOutStrategy, template: template, index: accountIndex,
                scopeToRegions: Set(configuration.starfleet.scopeToRegions))
        } catch let error as AccountIndexError {
            logger.error("The account index cannot be read: \(error)", metadata: meta)
            return finish(.retry(error.description), failure: "account index unreadable: \(error.description)")
        } catch {
            return finish(.permanent("\(error)"), failure: "cannot plan: \(error)")
        }
        if let nothing = plan.nothingToTask {
            logger.error("[🤷‍♂️] \(nothing)", metadata: meta)
            return finish(.done)
        }
        var sender = FanOutSender(targets: plan, key: key, eventID: eventID)
        sender.trace = trace
        let queue: any MessageQueue
        do {
            queue = try workerQueue(worker)
        } catch {
            logger.error("Could not enqueue the payloads for \(worker.name): \(error)", metadata: meta)
            return finish(.retry("\(error)"), failure: "worker queue unavailable: \(error)")
        }
        if let (payload, error) = sender.firstInvalid(queue: queue.name) {
            // No retry can make it fit: dead-letter the event with the reason rather than retry it until it does.
            let reason =
                (error as? QueueError)?.code == .messageTooLarge
                ? "a payload of \(key) is \(payload.body.count) bytes; a queue message holds at most 1 MiB (1,048,576 bytes)"
                : "a payload of \(key) (\(payload.target)) cannot be sent: \(error)"
            logger.error("[❌] \(reason)", metadata: meta)
            return finish(.permanent(reason), failure: reason)
        }
        var progress = FanOutSender.Progress()
        do {
            try await sender.send(to: queue, progress: &progress)
            metrics?.payloadsSent(worker: worker.name, count: progress.sent)
            logger.info(
                "[🛸] Worker Ship: \(worker.name) tasked for the \(plan.strategy) fan out",
                metadata: meta.merging([
                    "payloads": "\(plan.count)", "duplicates": "\(progress.duplicates)",
                ]) { $1 })
            return finish(.done, payloads: plan.count)
        } catch {
            // The chunks already durable stay; the retry resends them as duplicates (their deduplication ids), not twice.
            metrics?.payloadsSent(worker: worker.name, count: progress.sent)
            logger.error(
                "Could not enqueue the payloads for \(worker.name): \(error)",
                metadata: meta.merging([
                    "payloads": "\(plan.count)", "enqueued_before_the_error": "\(progress.sent + progress.duplicates)",
                ]) { $1 })
            let enqueued = progress.sent + progress.duplicates
            let failure = "enqueued \(enqueued) of \(plan.count) payloads: \(error)"
            if let error = error as? QueueError, error.code == .messageTooLarge {
                return finish(.permanent("\(error)"), payloads: enqueued, failure: failure)
            }
            return finish(.retry("\(error)"), payloads: enqueued, failure: failure)
        }
    }

    /// A failure as the console shows it: its first lines, at most 300 characters (the dead letter has all of it).
    static func short(_ reason: String) -> String {
        let lines = reason.split(separator: "\n", omittingEmptySubsequences: true).prefix(3).joined(separator: "; ")
        return lines.count > 300 ? String(lines.prefix(299)) + "…" : lines
    }
}
