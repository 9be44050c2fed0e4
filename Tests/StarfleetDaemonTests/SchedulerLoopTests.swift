import Foundation
import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetTestSupport
import StarfleetYAML
import Testing

@testable import StarfleetDaemon

/// The scheduler on a manual clock: fires at the UTC boundary and not before, catches up once after downtime,
/// fires nothing twice when the clock steps back. No real waiting.
@Suite struct SchedulerLoopTests {
    struct Rig {
        let dir: String
        let clock: ManualClock
        let queues: QueueSet
        let loop: SchedulerLoop

        init(start: String, persisted: [String: String] = [:]) throws {
            dir = NSTemporaryDirectory() + "sched-\(UUID().uuidString)"
            let config = dir + "/config"
            try FileManager.default.createDirectory(atPath: config + "/templates/Hourly", withIntermediateDirectories: true)
            try """
            STARFLEET: {TemplateDirectory: templates}
            Hourly: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: Hourly/, InvocationSources: [EVENTBRIDGE_TIMED_EVENT], EventBridgeTimedFrequency: HOURLY}
            """.write(toFile: config + "/c.yaml", atomically: true, encoding: .utf8)
            try "TemplateName: t\nTemplateDescription: d\n".write(
                toFile: config + "/templates/Hourly/t.yaml", atomically: true, encoding: .utf8)
            let (loaded, diagnostics) = ConfigurationDirectory.load(config)
            let configuration = try #require(loaded, "\(diagnostics)")
            clock = ManualClock(try #require(ISO8601DateFormatter().date(from: start)))
            let logger = Logger.quiet
            queues = QueueSet(stateDirectory: dir + "/state", clock: clock, logger: logger)
            // Opened here, not first by the loop and the test's check at once (two first opens of one queue race
            // for its lock).
            _ = try queues.queue(StatePaths.starbaseQueue)
            let paths = StatePaths(dir + "/state")
            try FileManager.default.createDirectory(atPath: paths.root, withIntermediateDirectories: true)
            if !persisted.isEmpty {
                let fires = persisted.mapValues { "\"\($0)\"" }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ",")
                try "{\"version\": 1, \"lastFired\": {\(fires)}}".write(
                    toFile: paths.schedulerState, atomically: true, encoding: .utf8)
            }
            let starbase = Starbase(
                configuration: configuration, queues: queues, templates: DirectoryTemplateStore(directory: config + "/templates"),
                index: AccountIndexCache(source: .local(path: nil), path: nil), ships: [:], clock: clock, logger: logger)
            loop = SchedulerLoop(
                configuration: configuration, starbase: starbase, statePath: paths.schedulerState, clock: clock,
                logger: logger, heartbeat: nil, status: StatusBoard(startedAt: clock.now(), pid: 1), metrics: nil)
        }

        /// Messages on the Starbase queue, once the loop has had the chance to act (bounded, never a real sleep of time).
        func fanOutMessages(expect count: Int) async throws -> Int {
            let queue = try queues.queue(StatePaths.starbaseQueue)
            // A bound on the wait for a loaded machine's fsync, not a measurement.
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                let stats = try await queue.stats()
                if stats.visible >= count { return stats.visible }
                try await Task.sleep(nanoseconds: 1_000_000)
            }
            return try await queue.stats().visible
        }

        /// Stops the loop: a stop ends its nap at once, wherever it is.
        func finish(_ task: Task<Void, Never>, _ stop: StopToken) async {
            stop.stop()
            await task.value
        }

        func cleanUp() async {
            await queues.closeAll()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func firesAtTheBoundaryAndNotBefore() async throws {
        let rig = try Rig(start: "2026-01-01T10:59:00Z")
        let stop = StopToken()
        let task = Task { await rig.loop.run(stop: stop) }
        try await rig.clock.waitForSleepers(1)
        rig.clock.advance(by: 59)
        try await rig.clock.waitForSleepers(1)
        #expect(try await rig.fanOutMessages(expect: 0) == 0)
        rig.clock.advance(by: 1)  // 11:00:00
        #expect(try await rig.fanOutMessages(expect: 1) == 1)
        let received = try await rig.queues.queue(StatePaths.starbaseQueue).receive(max: 10, visibilityTimeout: nil, wait: 0)
        #expect(received.first?.body == #"{"worker_ship":"Hourly","template_prefix":"Hourly/t.yaml"}"#)
        #expect(received.first?.attributes[FanOutEvent.attribute] == "timed|HOURLY|1767265200")
        await rig.finish(task, stop)
        await rig.cleanUp()
    }

    @Test func missedBoundaryFiresOnceAtStart() async throws {
        let rig = try Rig(start: "2026-01-01T10:30:00Z", persisted: ["HOURLY": "2026-01-01T07:00:00Z"])
        let stop = StopToken()
        let task = Task { await rig.loop.run(stop: stop) }
        #expect(try await rig.fanOutMessages(expect: 1) == 1)
        try await rig.clock.waitForSleepers(1)
        rig.clock.advance(by: 60)
        try await rig.clock.waitForSleepers(1)
        // Asleep again after a minute, so a second fire would already be on the queue: there is none.
        #expect(try await rig.fanOutMessages(expect: 0) == 1, "08:00, 09:00 and 10:00 coalesce into one fire")
        await rig.finish(task, stop)
        await rig.cleanUp()
    }

    @Test func clockSteppedBackFiresNothingAgain() async throws {
        let rig = try Rig(start: "2026-01-01T11:00:30Z", persisted: ["HOURLY": "2026-01-01T11:00:00Z"])
        let stop = StopToken()
        let task = Task { await rig.loop.run(stop: stop) }
        try await rig.clock.waitForSleepers(1)
        rig.clock.set(try #require(ISO8601DateFormatter().date(from: "2026-01-01T10:00:05Z")))  // stepped back an hour
        try await rig.clock.waitForSleepers(1)
        rig.clock.advance(by: 3600)  // 11:00:05 again: that boundary already fired
        try await rig.clock.waitForSleepers(1)
        // Asleep again, so whatever it would fire is already on the queue: nothing.
        #expect(try await rig.fanOutMessages(expect: 0) == 0)
        await rig.finish(task, stop)
        await rig.cleanUp()
    }
}
