import Foundation
import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetSystemd
import StarfleetTestSupport
import StarfleetYAML
import Testing

@testable import StarfleetDaemon

/// An idle daemon neither wakes nor writes: status.json is rewritten only when what it shows changes, and operator
/// requests are picked up by inotify, not by polling. Manual clock; nothing here sleeps through real time.
@Suite(.timeLimit(.minutes(1))) struct IdleLoopTests {
    struct Rig {
        let dir = NSTemporaryDirectory() + "idle-\(UUID().uuidString)"
        let clock = ManualClock()
        let logger = Logger.quiet
        let queues: QueueSet
        let paths: StatePaths
        let board: StatusBoard
        let activity = TemplateActivity()
        let configuration: Configuration

        init() throws {
            let config = dir + "/config"
            try FileManager.default.createDirectory(atPath: config + "/templates", withIntermediateDirectories: true)
            try """
            STARFLEET: {TemplateDirectory: templates}
            Worker: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: W/, InvocationSources: [S3]}
            """.write(toFile: config + "/c.yaml", atomically: true, encoding: .utf8)
            let (loaded, diagnostics) = ConfigurationDirectory.load(config)
            configuration = try #require(loaded, "\(diagnostics)")
            paths = StatePaths(dir + "/state")
            try FileManager.default.createDirectory(atPath: paths.root, withIntermediateDirectories: true)
            queues = QueueSet(stateDirectory: paths.root, clock: clock, logger: logger)
            _ = try queues.queue("Worker")
            board = StatusBoard(startedAt: clock.now(), pid: getpid())
        }

        var statusLoop: StatusLoop {
            StatusLoop(
                configuration: configuration, paths: paths, queues: queues,
                router: QueueRouter(local: queues, environment: [:], clock: clock, logger: logger), status: board,
                notifier: .disabled, clock: clock, logger: logger, metrics: nil, activity: activity)
        }

        /// The status file's inode: a rewrite (tmp + rename) changes it.
        func statusInode() -> UInt64? {
            (try? FileManager.default.attributesOfItem(atPath: paths.status)[.systemFileNumber] as? NSNumber)?.uint64Value
        }

        func statusText() -> String { (try? String(contentsOfFile: paths.status, encoding: .utf8)) ?? "" }

        func close() async {
            await queues.closeAll()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func statusIsWrittenOnlyWhenItChanges() async throws {
        let rig = try Rig()
        let loop = rig.statusLoop
        var written = StatusLoop.Written()
        await loop.report(&written)
        let first = try #require(rig.statusInode())
        rig.clock.advance(by: 60)
        await loop.report(&written)
        #expect(rig.statusInode() == first, "nothing changed, yet status.json was rewritten")
        rig.board.recordSuccess("Worker", at: rig.clock.now())
        await loop.report(&written)
        #expect(rig.statusInode() != first)
        #expect(rig.statusText().contains("\"succeeded\" : 1"))
        await rig.close()
    }

    @Test func theStatusLoopWritesTemplateActivityOnlyAfterARecordAndAtStop() async throws {
        let rig = try Rig()
        let stop = StopToken()
        async let finished: Void = rig.statusLoop.run(stop: stop)
        try await rig.clock.waitForSleepers(1)
        #expect(!FileManager.default.fileExists(atPath: rig.paths.templateActivity), "written with nothing recorded")
        // A record wakes the idle loop, which writes the file after its rate pause.
        rig.clock.advance(by: 2)
        for _ in 0..<100 { await Task.yield() }
        #expect(rig.clock.sleeperCount == 0, "an idle status loop keeps a timer")
        rig.activity.recordChange(key: "W/a.yaml", sha256: "ab12", at: rig.clock.now())
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: rig.paths.templateActivity), ContinuousClock.now < deadline {
            await Task.yield()
        }
        #expect(TemplateActivity.load(from: rig.paths.templateActivity).entry("W/a.yaml")?.change?.sha256 == "ab12")
        // Recorded during the pause: not written yet, but at stop.
        rig.activity.recordChange(key: "W/b.yaml", sha256: "cd34", at: rig.clock.now())
        stop.stop()
        await finished
        #expect(TemplateActivity.load(from: rig.paths.templateActivity).entry("W/b.yaml") != nil)
        await rig.close()
    }

    @Test func theStatusLoopSleepsUntilAChange() async throws {
        let rig = try Rig()
        let stop = StopToken()
        async let finished: Void = rig.statusLoop.run(stop: stop)
        // First report, then the rate pause (one sleeper), then a wait with no timer at all (nothing queued).
        try await rig.clock.waitForSleepers(1)
        let first = try #require(rig.statusInode())
        rig.clock.advance(by: 2)
        for _ in 0..<100 { await Task.yield() }
        #expect(rig.clock.sleeperCount == 0, "an idle status loop keeps a timer")
        // A send wakes it; the report after the send shows the message.
        _ = try await rig.queues.queue("Worker").send([OutgoingMessage(body: "x")])
        try await rig.clock.waitForSleepers(1)
        #expect(rig.statusInode() != first)
        #expect(rig.statusText().contains("\"visible\" : 1"))
        stop.stop()
        await finished
        await rig.close()
    }

    @Test func anInboxRequestIsCarriedOutWithoutPolling() async throws {
        let rig = try Rig()
        let stop = StopToken()
        let loop = InboxLoop(paths: rig.paths, queues: rig.queues, logger: rig.logger, heartbeat: nil, clock: rig.clock)
        async let finished: Void = loop.run(stop: stop)
        // Parked on the minute's upkeep timer only.
        try await rig.clock.waitForSleepers(1)
        try rig.queues.inbox.submit(
            QueueRequest(action: .send, requestedAt: rig.clock.now(), messages: [.init(OutgoingMessage(body: "hello"))]),
            queue: "Worker")
        let queue = try rig.queues.queue("Worker")
        let deadline = ContinuousClock.now + .seconds(20)
        while try await queue.stats().visible == 0, ContinuousClock.now < deadline { await Task.yield() }
        #expect(try await queue.stats().visible == 1, "the request was not picked up without the clock moving")
        stop.stop()
        await finished
        await rig.close()
    }
}

/// The change callbacks must cost the same on the 100,000th call as on the first (a closure kept in a Mutex used to
/// grow one thunk per call: quadratic time and ~1 KB held per message).
@Suite(.timeLimit(.minutes(1))) struct ChangeObserverCostTests {
    @Test func notifyingIsConstantTimePerCall() async throws {
        let board = StatusBoard(startedAt: Date(), pid: 1)
        let calls = Locked(0)
        board.observeChanges { calls.withLock { $0 += 1 } }
        let started = ContinuousClock.now
        for _ in 0..<60_000 { board.recordSuccess("W", at: Date(timeIntervalSince1970: 0)) }
        #expect(calls.value == 60_000)
        #expect(ContinuousClock.now - started < .seconds(3), "60,000 notifications took \(ContinuousClock.now - started)")
    }
}
