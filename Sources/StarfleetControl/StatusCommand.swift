import FoundationEssentials
import StarfleetCore
import StarfleetDaemon
import StarfleetQueue

/// `starfleetctl status`: the daemon, and per worker its queue, dead letters, last outcomes and next fire.
package struct StatusCommand {
    package var control: ControlContext
    package var json: Bool

    package init(control: ControlContext, json: Bool) {
        self.control = control
        self.json = json
    }

    struct Counts: Encodable {
        var visible: Int
        var inFlight: Int
        var delayed: Int
    }

    struct WorkerRow: Encodable {
        var name: String
        var enabled: Bool
        var queue: Counts
        var deadLetters: Int
        var succeeded: Int?
        var failed: Int?
        var lastSuccess: Date?
        var lastFailure: Date?
        var lastError: String?
        var schedule: String?
        var nextFire: Date?
    }

    struct Daemon: Encodable {
        var running: Bool
        var pid: Int32?
        var startedAt: Date?
        var statusUpdatedAt: Date?
        /// The last SIGHUP's outcome, from status.json.
        var lastReload: StatusBoard.ReloadStatus?
    }

    struct Report: Encodable {
        var stateDirectory: String
        var daemon: Daemon
        /// "daemon" (live status.json) or "journal" (read from the queues' files).
        var source: String
        var starbase: Counts
        var workers: [WorkerRow]
        /// Queues whose recovery lost messages (missing or quarantined journal segments), not yet acknowledged.
        var degraded: [DegradedRecord]
    }

    package func run() async throws {
        let access = try StateAccess(control)
        let now = Date()
        let running = access.daemonRunning
        let live = access.liveSnapshot(running: running, now: now)
        let recorded = live ?? access.snapshot()

        func counts(_ queue: String) async throws -> Counts {
            let c = try await access.counts(of: queue, live: live)
            return Counts(visible: c.visible, inFlight: c.inFlight, delayed: c.delayed)
        }

        var rows: [WorkerRow] = []
        for worker in access.configuration.workers {
            let outcome = recorded?.workers[worker.name]
            let timed = worker.enabled && worker.invocationSources.contains(.eventBridgeTimedEvent)
            rows.append(
                WorkerRow(
                    name: worker.name, enabled: worker.enabled, queue: try await counts(worker.name),
                    deadLetters: access.deadLetterCount(worker.name),
                    succeeded: outcome?.succeeded, failed: outcome?.failed,
                    lastSuccess: outcome?.lastSuccess, lastFailure: outcome?.lastFailure, lastError: outcome?.lastError,
                    schedule: timed ? worker.schedule?.description : nil,
                    nextFire: timed ? worker.schedule?.nextFire(after: now) : nil))
        }
        let daemon = Daemon(
            running: running, pid: running ? live?.pid : nil, startedAt: running ? live?.startedAt : nil,
            statusUpdatedAt: recorded?.updatedAt, lastReload: running ? live?.lastReload : nil)
        let report = Report(
            stateDirectory: access.paths.root, daemon: daemon, source: live == nil ? "journal" : "daemon",
            starbase: try await counts(StatePaths.starbaseQueue), workers: rows,
            degraded: access.degradedQueues())
        if json {
            try JSONOutput.print(report)
        } else {
            for line in Self.render(report, now: now) { Terminal.out(line) }
        }
    }

    /// The human form: a daemon line, the table, then each worker's last error on its own line.
    static func render(_ report: Report, now: Date) -> [String] {
        var lines: [String] = []
        let d = report.daemon
        if d.running {
            var text = "daemon: running"
            var facts: [String] = []
            if let pid = d.pid { facts.append("pid \(pid)") }
            if let started = d.startedAt {
                facts.append("started \(Format.time(started)), up \(Format.age(seconds: now.timeIntervalSince(started)))")
            }
            if facts.isEmpty { facts.append("no fresh status.json yet; counts read from the journals") }
            text += " (" + facts.joined(separator: ", ") + ")"
            lines.append(text)
        } else {
            lines.append("daemon: not running" + (d.statusUpdatedAt.map { " (last status \(Format.time($0)))" } ?? ""))
        }
        if let reload = d.lastReload {
            lines.append(
                reload.applied
                    ? "last reload: applied \(Format.time(reload.time))"
                    : "last reload: REFUSED \(Format.time(reload.time)): \(Format.oneLine(reload.message, limit: 200))")
        }
        lines.append("state: \(report.stateDirectory)")
        for d in report.degraded {
            lines.append(
                "DEGRADED queue \(d.queue): \(d.summary.isEmpty ? "unreadable degraded.json" : d.summary) (since \(Format.time(d.detectedAt))); "
                    + "messages were lost; acknowledge with `starfleetctl queue acknowledge \(d.queue)`")
        }
        let s = report.starbase
        lines.append("Starbase queue: \(s.visible) visible, \(s.inFlight) in flight, \(s.delayed) delayed")
        lines.append("")
        var table = TextTable(
            ["WORKER", "ENABLED", "VISIBLE", "IN FLIGHT", "DELAYED", "DEAD", "LAST SUCCESS", "LAST FAILURE", "NEXT FIRE"],
            rightAligned: [2, 3, 4, 5])
        for w in report.workers {
            table.append([
                w.name, w.enabled ? "yes" : "no", "\(w.queue.visible)", "\(w.queue.inFlight)", "\(w.queue.delayed)",
                "\(w.deadLetters)", Format.time(w.lastSuccess), Format.time(w.lastFailure), Format.time(w.nextFire),
            ])
        }
        if report.workers.isEmpty { lines.append("no worker sections in the configuration") } else { lines += table.render() }
        let errors = report.workers.filter { $0.lastError != nil }
        if !errors.isEmpty {
            lines.append("")
            lines.append("last errors:")
            for w in errors { lines.append("  \(w.name): \(Format.oneLine(w.lastError, limit: 160))") }
        }
        return lines
    }
}
