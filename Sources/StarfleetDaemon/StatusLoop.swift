import FoundationEssentials
import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetSystemd

/// Keeps `status.json` (for `starfleetctl status`) and systemd's one-line STATUS= current: reported when something
/// they show changes — a queue's contents (the queue's own notification), a worker's outcome or the next fires (the
/// status board's), the dead-letter folders (inotify) — at most once per `minimumInterval`, and written only when the
/// content differs from the last file. An idle daemon neither wakes here nor writes to the disk; the only timers are
/// the moment a delayed or in-flight message turns visible and, while messages are queued, a slow refresh of the
/// metrics' age gauge (and, with SQS queues, of their remote counts).
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
    /// Written to `template-activity.json` here, with the status and under its rate bound, rather than once per
    /// fan-out (a timed event can fan out thousands of templates); nil in tests that do not look at it.
    var activity: TemplateActivity? = nil

    /// The least time between two reports (the write rate's bound while things change).
    static let minimumInterval = 2.0
    /// While messages are queued: how often the counts are looked at anyway (the oldest message's age grows).
    static let queuedRefreshSeconds = 30.0

    /// What was last written, without its `updatedAt`, and the last STATUS= line.
    struct Written {
        var snapshot: StatusBoard.Snapshot?
        var line: String?
    }

    func run(stop: StopToken) async {
        let signal = ChangeSignal()
        status.observeChanges { signal.notify() }
        activity?.observeChanges { signal.notify() }
        let local = queues.all.values
        for queue in local { queue.observeChanges { signal.notify() } }
        let deadLetters = DirectoryWatch(root: paths.deadLetters, logger: logger, onChange: { signal.notify() })
        defer {
            status.observeChanges(nil)
            activity?.observeChanges(nil)
            for queue in local { queue.observeChanges(nil) }
            deadLetters.cancel()
        }
        var written = Written()
        while !stop.isStopped {
            let queued = await report(&written)
            // Bound the rate: changes during this pause are kept by the signal and reported together after it.
            await pause(Self.minimumInterval, stop: stop)
            if stop.isStopped { break }
            var wait: Double? = nil
            if queued { wait = Self.queuedRefreshSeconds }
            if !router.sqsQueues.isEmpty { wait = 0 }
            if !deadLetters.isWatching { wait = min(wait ?? Self.minimumInterval, Self.minimumInterval) }
            // `starfleetctl queue acknowledge` deletes a degraded record while the daemon runs: look again while any is.
            if local.contains(where: { $0.degraded != nil }) { wait = min(wait ?? Self.minimumInterval, Self.minimumInterval) }
            let now = clock.now()
            for queue in local {
                if let due = queue.nextTimedChange() { wait = min(wait ?? .infinity, max(0, due.timeIntervalSince(now) + 0.01)) }
            }
            if wait == 0 { continue }
            await signal.wait(stop: stop, clock: clock, atMost: wait)
        }
        var last = written
        _ = await report(&last)
    }

    /// Sleeps `seconds` unless stopped first.
    private func pause(_ seconds: Double, stop: StopToken) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(seconds: seconds) }
            group.addTask { await stop.wait() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Reports once: metrics always, status.json and STATUS= only when they differ from what `written` holds, and
    /// template-activity.json when something was recorded since its last write. Returns whether any queue holds
    /// messages.
    @discardableResult
    func report(_ written: inout Written) async -> Bool {
        var counts: [String: StatusBoard.QueueCounts] = [:]
        var gauges: [DaemonMetrics.QueueGauge] = []
        var degraded: [String: DegradedRecord] = [:]
        let letters = DeadLetterDirectory(root: paths.deadLetters)
        let local = queues.all
        let remote = router.sqsQueues
        // Read each time: `starfleetctl queue acknowledge` deletes the record while the daemon runs.
        for (name, queue) in local { degraded[name] = queue.degraded }
        for name in Set(local.keys).union(remote.keys).sorted() {
            // The Starbase has a local queue beside its SQS one: the merge reports both together; an unreachable SQS
            // leaves its part out of this report rather than stall it.
            guard
                let merged = await MergedQueueCounts.read(
                    local: local[name], sqs: remote[name], deadLetters: letters, name: name)
            else { continue }
            counts[name] = merged.board
            gauges.append(
                .init(
                    name: name, visible: merged.visible, inFlight: merged.inFlight, delayed: merged.delayed,
                    oldestAgeSeconds: merged.oldestAgeSeconds, deadLettered: merged.deadLettered,
                    deadLetterFiles: merged.deadLetterFiles))
        }
        metrics?.setQueues(gauges)
        metrics?.setDegraded(queues: queues.all.keys.sorted(), degraded: degraded)
        let now = clock.now()
        let snapshot = status.snapshot(now: now, queues: counts, degraded: degraded)
        var comparable = snapshot
        comparable.updatedAt = snapshot.startedAt
        if written.snapshot != comparable {
            do {
                try JSONStateFile.write(snapshot, to: paths.status)
                written.snapshot = comparable
            } catch {
                logger.warning("could not write status.json", metadata: ["error": "\(error)"])
            }
        }
        do {
            try activity?.persistIfChanged(to: paths.templateActivity)
        } catch {
            logger.warning("could not write template-activity.json", metadata: ["error": "\(error)"])
        }
        let line = Self.line(snapshot, workers: configuration.enabledWorkers.count, now: now)
        if written.line != line {
            try? notifier.status(line)
            written.line = line
        }
        return gauges.contains { $0.visible + $0.inFlight + $0.delayed > 0 }
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
            let span =
                seconds >= 3600
                ? "\(seconds / 3600)h\((seconds % 3600) / 60)m" : seconds >= 60 ? "\(seconds / 60)m" : "\(seconds)s"
            text += ", next \(schedule) in \(span)"
        }
        return text
    }
}
