import StarfleetCore
package import StarfleetMetrics
import StarfleetQueue

/// The daemon's metric families (docs/operations.md, "Metrics") and one method per event, called where it happens:
/// Starbase fan-out, WorkerExecutor, SchedulerLoop, TemplateWatchLoop, S3TemplatePollLoop; StatusLoop sets the queue gauges.
package struct DaemonMetrics: Sendable {
    package let registry: MetricsRegistry

    /// Execution durations: 10 ms to an hour (TimeoutSeconds can be long; most workers take seconds).
    static let durationBuckets: [Double] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]
    /// How late a timer fired after its boundary.
    static let latenessBuckets: [Double] = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300]

    package init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        let r = registry
        r.declare("starfleet_build_info", .gauge, help: "Always 1; the labels say which build runs.")
        r.set("starfleet_build_info", ["version": StarfleetVersion.current, "swift_version": StarfleetVersion.swift], to: 1)
        r.declare(
            "starfleet_worker_messages_sent_total", .counter,
            help: "Fan-out payloads enqueued for the worker (duplicates within the deduplication window not counted).")
        r.declare(
            "starfleet_worker_messages_received_total", .counter,
            help: "Payloads the worker's dispatcher received (every attempt).")
        r.declare("starfleet_worker_executions_succeeded_total", .counter, help: "Worker executions that succeeded.")
        r.declare(
            "starfleet_worker_messages_filtered_total", .counter,
            help: "Messages the worker's FilterCriteria did not match: deleted unseen, as Lambda's SQS trigger does.")
        r.declare("starfleet_worker_executions_failed_total", .counter, help: "Worker executions that failed (each attempt).")
        r.declare(
            "starfleet_worker_execution_duration_seconds", .histogram, help: "Worker execution time, success or failure.",
            buckets: Self.durationBuckets)
        r.declare("starfleet_queue_messages", .gauge, help: "Messages in the queue by state (visible, in_flight, delayed).")
        r.declare(
            "starfleet_queue_oldest_message_age_seconds", .gauge, help: "Age of the oldest message in the queue; 0 when empty.")
        r.declare(
            "starfleet_queue_messages_dead_lettered_total", .counter,
            help:
                "Messages the queue moved to the dead-letter folder since the daemon started (worker queues are named after their worker)."
        )
        r.declare("starfleet_dead_letter_files", .gauge, help: "Files in the queue's dead-letter folder now.")
        r.declare(
            "starfleet_queue_degraded", .gauge,
            help:
                "1 while the queue's recovery lost messages (missing or quarantined journal segments) and no operator has acknowledged it."
        )
        r.declare(
            "starfleet_queue_missing_segments", .gauge,
            help: "Journal segments recovery found missing, not yet acknowledged (starfleetctl queue acknowledge).")
        r.declare(
            "starfleet_queue_quarantined_segments", .gauge,
            help: "Journal segments with damage moved to quarantine, not yet acknowledged.")
        r.declare("starfleet_timer_fires_total", .counter, help: "Timed events fired, per schedule.")
        r.declare(
            "starfleet_timer_lateness_seconds", .histogram, help: "How long after its UTC boundary each timed event fired.",
            buckets: Self.latenessBuckets)
        r.declare(
            "starfleet_template_events_total", .counter,
            help: "Template directory events: queued (a change sent to the Starbase) or rejected (not a usable template file).")
        r.declare(
            "starfleet_lambda_cold_starts_total", .counter,
            help: "Warm processes a Lambda-runtime worker started (each loads its runtime client and handler first).")
        r.declare("starfleet_lambda_warm_processes", .gauge, help: "A Lambda-runtime worker's warm processes now.")
        r.declare(
            "starfleet_s3_poll_errors_total", .counter,
            help:
                "Failed calls of the template bucket poller by operation (list, get, enqueue); each is retried by the next poll.")
    }

    func payloadsSent(worker: String, count: Int) {
        registry.increment("starfleet_worker_messages_sent_total", ["worker": worker], by: Double(count))
    }

    func received(worker: String) {
        registry.increment("starfleet_worker_messages_received_total", ["worker": worker])
    }

    func executed(worker: String, succeeded: Bool, seconds: Double) {
        registry.increment(
            succeeded ? "starfleet_worker_executions_succeeded_total" : "starfleet_worker_executions_failed_total",
            ["worker": worker])
        registry.observe("starfleet_worker_execution_duration_seconds", ["worker": worker], seconds)
    }

    func coldStart(worker: String, processes: Int) {
        registry.increment("starfleet_lambda_cold_starts_total", ["worker": worker])
        warmProcesses(worker: worker, processes: processes)
    }

    func warmProcesses(worker: String, processes: Int) {
        registry.set("starfleet_lambda_warm_processes", ["worker": worker], to: Double(processes))
    }

    func timerFired(schedule: String, latenessSeconds: Double) {
        registry.increment("starfleet_timer_fires_total", ["schedule": schedule])
        registry.observe("starfleet_timer_lateness_seconds", ["schedule": schedule], max(0, latenessSeconds))
    }

    func templateEvents(queued: Int, rejected: Int) {
        if queued > 0 { registry.increment("starfleet_template_events_total", ["result": "queued"], by: Double(queued)) }
        if rejected > 0 { registry.increment("starfleet_template_events_total", ["result": "rejected"], by: Double(rejected)) }
    }

    func s3PollFailed(operation: String, count: Int) {
        registry.increment("starfleet_s3_poll_errors_total", ["operation": operation], by: Double(count))
    }

    /// The degraded gauges of every open local queue (0 for a healthy one, so an alert rule sees it clear).
    func setDegraded(queues: [String], degraded: [String: DegradedRecord]) {
        var flags: [(labels: MetricsRegistry.Labels, value: Double)] = []
        var missing: [(labels: MetricsRegistry.Labels, value: Double)] = []
        var quarantined: [(labels: MetricsRegistry.Labels, value: Double)] = []
        for q in queues {
            let record = degraded[q]
            flags.append((["queue": q], record == nil ? 0 : 1))
            missing.append((["queue": q], Double(record?.missingSegments.count ?? 0)))
            quarantined.append((["queue": q], Double(record?.quarantinedSegments.count ?? 0)))
        }
        registry.replace("starfleet_queue_degraded", with: flags)
        registry.replace("starfleet_queue_missing_segments", with: missing)
        registry.replace("starfleet_queue_quarantined_segments", with: quarantined)
    }

    struct QueueGauge {
        var name: String
        var visible: Int
        var inFlight: Int
        var delayed: Int
        var oldestAgeSeconds: Double
        var deadLettered: Int
        var deadLetterFiles: Int
    }

    /// Replaces every queue gauge (a reload may drop queues); the dead-letter totals are the queues' own counts.
    func setQueues(_ queues: [QueueGauge]) {
        var messages: [(labels: MetricsRegistry.Labels, value: Double)] = []
        var ages: [(labels: MetricsRegistry.Labels, value: Double)] = []
        var files: [(labels: MetricsRegistry.Labels, value: Double)] = []
        for q in queues {
            messages.append((["queue": q.name, "state": "visible"], Double(q.visible)))
            messages.append((["queue": q.name, "state": "in_flight"], Double(q.inFlight)))
            messages.append((["queue": q.name, "state": "delayed"], Double(q.delayed)))
            ages.append((["queue": q.name], q.oldestAgeSeconds))
            files.append((["queue": q.name], Double(q.deadLetterFiles)))
            registry.set("starfleet_queue_messages_dead_lettered_total", ["queue": q.name], to: Double(q.deadLettered))
        }
        registry.replace("starfleet_queue_messages", with: messages)
        registry.replace("starfleet_queue_oldest_message_age_seconds", with: ages)
        registry.replace("starfleet_dead_letter_files", with: files)
    }

    /// A message the worker's FilterCriteria did not match (deleted unseen, as Lambda's SQS trigger does).
    func filtered(worker: String) {
        registry.increment("starfleet_worker_messages_filtered_total", ["worker": worker])
    }
}
