import FoundationEssentials
import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetSystemd

/// Every two seconds: writes `status.json` for `starfleetctl status` and tells systemd a one-line STATUS=.
struct StatusLoop: Sendable {
    let configuration: Configuration
    let paths: StatePaths
    let queues: QueueSet
    let router: QueueRouter
    let status: StatusBoard
    let notifier: SystemdNotifier
    let clock: any WallClock
    let logger: Logger
    let metrics: DaemonMetrics?

    func run(stop: StopToken) async {
        while !stop.isStopped {
            await report()
            for _ in 0..<8 where !stop.isStopped { try? await Task.sleep(nanoseconds: 250_000_000) }
        }
        await report()
    }

    func report() async {
        var counts: [String: StatusBoard.QueueCounts] = [:]
        var gauges: [DaemonMetrics.QueueGauge] = []
        var degraded: [String: DegradedRecord] = [:]
        let letters = DeadLetterDirectory(root: paths.deadLetters)
        for (name, queue) in queues.all {
            // Read each time: `starfleetctl queue acknowledge` deletes the record while the daemon runs.
            degraded[name] = queue.degraded
            guard let stats = try? await queue.stats() else { continue }
            let dead = (try? letters.ids(worker: name).count) ?? 0
            counts[name] = .init(visible: stats.visible, inFlight: stats.inFlight, delayed: stats.delayed, deadLetters: dead)
            gauges.append(.init(name: name, visible: stats.visible, inFlight: stats.inFlight, delayed: stats.delayed,
                                oldestAgeSeconds: (try? queue.oldestMessageAgeSeconds()) ?? 0, deadLettered: stats.deadLettered,
                                deadLetterFiles: dead))
        }
        for (name, queue) in router.sqsQueues {
            // SQS's approximate counts; an unreachable SQS leaves the queue out of this report rather than stall it.
            guard let stats = try? await queue.stats() else { continue }
            let dead = (try? letters.ids(worker: name).count) ?? 0
            // The Starbase has a local queue beside its SQS one: report both together.
            let local = gauges.firstIndex { $0.name == name }.map { gauges.remove(at: $0) }
            let gauge = DaemonMetrics.QueueGauge(
                name: name, visible: stats.visible + (local?.visible ?? 0), inFlight: stats.inFlight + (local?.inFlight ?? 0),
                delayed: stats.delayed + (local?.delayed ?? 0), oldestAgeSeconds: local?.oldestAgeSeconds ?? 0,
                deadLettered: stats.deadLettered + (local?.deadLettered ?? 0), deadLetterFiles: dead)
            gauges.append(gauge)
            counts[name] = .init(visible: gauge.visible, inFlight: gauge.inFlight, delayed: gauge.delayed, deadLetters: dead)
        }
        metrics?.setQueues(gauges)
        metrics?.setDegraded(queues: queues.all.keys.sorted(), degraded: degraded)
        let now = clock.now()
        let snapshot = status.snapshot(now: now, queues: counts, degraded: degraded)
        do {
            try JSONStateFile.write(snapshot, to: paths.status)
        } catch {
            logger.warning("could not write status.json", metadata: ["error": "\(error)"])
        }
        try? notifier.status(Self.line(snapshot, workers: configuration.enabledWorkers.count, now: now))
    }

    /// e.g. "3 workers, 12 queued, 2 in flight, next HOURLY in 14m".
    static func line(_ s: StatusBoard.Snapshot, workers: Int, now: Date) -> String {
        let queued = s.queues.values.reduce(0) { $0 + $1.visible + $1.delayed }
        let inFlight = s.queues.values.reduce(0) { $0 + $1.inFlight }
        var text = "\(workers) worker\(workers == 1 ? "" : "s"), \(queued) queued, \(inFlight) in flight"
        if let degraded = s.degraded, !degraded.isEmpty {
            text = "DEGRADED queue\(degraded.count == 1 ? "" : "s") \(degraded.keys.sorted().joined(separator: ", ")); " + text
        }
        if let (schedule, at) = s.nextFires.min(by: { $0.value < $1.value }) {
            let seconds = max(0, Int(at.timeIntervalSince(now)))
            let span = seconds >= 3600 ? "\(seconds / 3600)h\((seconds % 3600) / 60)m" : seconds >= 60 ? "\(seconds / 60)m" : "\(seconds)s"
            text += ", next \(schedule) in \(span)"
        }
        return text
    }
}
