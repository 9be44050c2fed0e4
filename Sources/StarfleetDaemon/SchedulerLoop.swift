import FoundationEssentials
import Glibc
import Logging
import StarfleetClock
import StarfleetCore
import StarfleetSystemd

/// Fires each configured schedule at its UTC boundary (Starfleet's EventBridge rules), on the injected wall clock.
/// The last fire per schedule is persisted after its fan-out messages are durable, so a crash re-fires (deduplicated)
/// rather than loses a boundary, and a boundary missed while stopped fires once at start (CatchUpMissedRuns).
struct SchedulerLoop: Sendable {
    struct State: Codable {
        var version = 1
        var lastFired: [String: Date]
    }

    let configuration: Configuration
    let starbase: Starbase
    let statePath: String
    let clock: any WallClock
    let logger: Logger
    let heartbeat: WatchdogHeartbeat?
    let status: StatusBoard
    let metrics: DaemonMetrics?

    static let name = "scheduler"

    func run(stop: StopToken) async {
        let schedules = configuration.schedules
        guard !schedules.isEmpty else { return }
        let slot = HeartbeatSlot(heartbeat, name: Self.name)
        defer { slot.end() }
        let persisted = JSONStateFile.read(State.self, from: statePath)?.lastFired ?? [:]
        var last = TimerPlanner.startingState(
            schedules, persisted: persisted, now: clock.now(),
            catchUp: configuration.starfleet.catchUpMissedRuns)
        save(last)
        let offsets = Dictionary(
            uniqueKeysWithValues: schedules.map {
                (
                    $0.description,
                    TimerJitter.offset(for: $0, host: Self.hostName(), maxSeconds: configuration.starfleet.timerJitterSeconds)
                )
            })
        while !stop.isStopped {
            slot.beat()
            let now = clock.now()
            for (schedule, boundary) in TimerPlanner.due(schedules, lastFired: last, now: now, offsets: offsets) {
                let lateness = now.timeIntervalSince(boundary)
                do {
                    try await starbase.taskTimedEvent(schedule, event: .timed(schedule: schedule.description, boundary: boundary))
                    last[schedule.description] = boundary
                    save(last)
                    metrics?.timerFired(schedule: schedule.description, latenessSeconds: lateness)
                    status.recordTimerLateness(schedule.description, seconds: lateness)
                    logger.info(
                        "timed event fired",
                        metadata: [
                            "schedule": "\(schedule)", "boundary": "\(boundary.formatted(.iso8601))",
                            "lateness_ms": "\(Int(lateness * 1000))",
                        ])
                } catch {
                    logger.error(
                        "timed event could not be tasked; retrying", metadata: ["schedule": "\(schedule)", "error": "\(error)"])
                }
            }
            let next = Dictionary(
                schedules.compactMap { s -> (String, Date)? in
                    let offset = TimeInterval(offsets[s.description] ?? 0)
                    let shifted = now.addingTimeInterval(-offset)
                    return s.nextFire(after: max(shifted, last[s.description] ?? shifted)).map {
                        (s.description, $0.addingTimeInterval(offset))
                    }
                },
                uniquingKeysWith: { a, _ in a })
            status.setFires(next: next, last: last)
            // Wake at the next boundary, or after at most 20 s of elapsed time to notice a stepped clock (a
            // duration, not a wall-clock deadline: a clock stepped back must not stretch the nap). Parked meanwhile:
            // the watchdog's pings do not need this loop to wake. A stop ends the nap at once.
            let wake =
                TimerPlanner.nextWake(schedules, lastFired: last, now: now, offsets: offsets)
                ?? now.addingTimeInterval(Self.napSeconds)
            let nap = min(max(wake.timeIntervalSince(now), 0), Self.napSeconds)
            await slot.waiting {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { try? await clock.sleep(seconds: nap) }
                    group.addTask { await stop.wait() }
                    await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    /// The longest nap between two looks at the clock: how late a boundary can fire after the wall clock is stepped
    /// forward (scripts/faults expects the fire within 30 s); three cheap wake-ups a minute when idle.
    static let napSeconds = 20.0

    /// The jitter seed: the host's name, so hosts sharing a queue spread out while each keeps its own offsets.
    static func hostName() -> String { HostName.current() }

    private func save(_ last: [String: Date]) {
        do {
            try JSONStateFile.write(State(lastFired: last), to: statePath, mode: 0o600)
        } catch {
            logger.error("could not save the scheduler state", metadata: ["path": "\(statePath)", "error": "\(error)"])
        }
    }
}
