import Foundation
import Logging
import StarfleetCore
import StarfleetQueue
import StarfleetTestSupport
import StarfleetYAML
import Testing

@testable import StarfleetConsole
@testable import StarfleetDaemon

/// The console's background redrives: paced on the clock, counted as they go, stoppable between chunks, and nothing
/// lost — what is not redriven stays a dead letter.
@Suite struct ConsoleRedrivesTests {
    struct Fixture {
        let dir: String
        let clock = ManualClock()
        let queues: QueueSet
        let source: ConsoleSource

        init() throws {
            dir = NSTemporaryDirectory() + "console-redrives-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try """
            STARFLEET: {}
            Audit: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: A/, InvocationSources: [S3]}
            """.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
            let (loaded, diagnostics) = ConfigurationDirectory.load(dir)
            let configuration = try #require(loaded, "\(diagnostics)")
            let paths = StatePaths(dir + "/state")
            queues = QueueSet(stateDirectory: paths.root, clock: clock, logger: .quiet)
            source = ConsoleSource(
                running: RunningConfiguration(configuration), status: StatusBoard(startedAt: clock.now(), pid: 1),
                activity: TemplateActivity(), router: QueueRouter(local: queues, clock: clock, logger: .quiet), paths: paths,
                clock: clock)
        }

        /// Dead letters `Audit/m-0` … of accounts 111 (even) and 222 (odd), one a second.
        func letters(_ count: Int, worker: String = "Audit") throws -> [String] {
            try (0..<count).map { n in
                clock.advance(by: 1)
                let id = "m-\(n)"
                try source.deadLetters.write(
                    DeadLetter(
                        queue: worker, messageId: id, reason: "maxReceiveCount exceeded", bodyText: "{\"n\":\(n)}",
                        attributes: ["StarfleetAccount": n % 2 == 0 ? "111" : "222"], deduplicationId: nil, receiveCount: 4,
                        maxReceiveCount: 4, sentTimestamp: clock.now(), firstReceiveTimestamp: nil,
                        deadLetteredTimestamp: clock.now(), failures: []))
                // Files written within one tick of the kernel's coarse clock share a modification time: set it.
                try FileManager.default.setAttributes(
                    [.modificationDate: clock.now()], ofItemAtPath: try source.deadLetters.path(worker: worker, id: id))
                return id
            }
        }

        func visible() async throws -> Int { try await queues.all["Audit"]?.stats().visible ?? 0 }

        func close() async {
            await queues.closeAll()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func aRedriveKeepsItsPaceAndReportsProgress() async throws {
        let f = try Fixture()
        let ids = try f.letters(25)
        // 10 per second: one letter per chunk, the n-th due n/10 s after the start.
        let id = try f.source.startRedrive([("Audit", ids)], scope: "25 selected", rate: 10).get()
        try await f.clock.waitForSleepers()
        #expect(f.source.redrives.job(id)?.redriven == 1)
        #expect(f.source.redrives.job(id)?.state == .running)
        for _ in 0..<9 {
            f.clock.advance(by: 0.1)
            try await f.clock.waitForSleepers()
        }
        #expect(f.source.redrives.job(id)?.redriven == 10)
        #expect(try await f.visible() == 10)
        #expect(try f.source.deadLetters.ids(worker: "Audit").count == 15)
        for _ in 0..<15 { f.clock.advance(by: 0.1) }
        await f.source.redrives.wait(id)
        let job = try #require(f.source.redrives.job(id))
        #expect(job.state == .finished && job.redriven == 25 && job.failed == 0 && job.total == 25)
        #expect(try await f.visible() == 25)
        #expect(try f.source.deadLetters.ids(worker: "Audit").isEmpty)
        await f.close()
    }

    @Test func aStoppedRedriveLeavesTheRestAsDeadLetters() async throws {
        let f = try Fixture()
        let ids = try f.letters(30)
        let id = try f.source.startRedrive([("Audit", ids)], scope: "all of Audit", rate: 10).get()
        try await f.clock.waitForSleepers()
        f.clock.advance(by: 0.1)
        try await f.clock.waitForSleepers()
        #expect(f.source.redrives.stop(id))
        await f.source.redrives.wait(id)
        let job = try #require(f.source.redrives.job(id))
        #expect(job.state == .stopped && job.redriven == 2)
        #expect(try await f.visible() == 2)
        #expect(try f.source.deadLetters.ids(worker: "Audit").count == 28)
        #expect(!f.source.redrives.stop(id))
        await f.close()
    }

    /// A second redrive of letters a running one holds (a double-clicked button) leaves them to it: none is sent twice.
    @Test func overlappingRedrivesNeverSendALetterTwice() async throws {
        let f = try Fixture()
        let ids = try f.letters(20)
        let first = try f.source.startRedrive([("Audit", Array(ids[..<15]))], scope: "15", rate: 10).get()
        try await f.clock.waitForSleepers()
        // At 1,000 a second its 5 letters are one chunk: it needs no clock.
        let second = try f.source.startRedrive([("Audit", ids)], scope: "all", rate: 1000).get()
        #expect(f.source.redrives.job(second)?.total == 5 && f.source.redrives.job(second)?.skipped == 15)
        #expect(f.source.redrives.job(second)?.lines == ["15 letter(s) left alone: redrive \(first) has them"])
        guard
            case .failure(.allTaken(let holders)) = f.source.startRedrive(
                [("Audit", Array(ids[..<3]))], scope: "3", rate: 10)
        else {
            Issue.record("a redrive of held letters started")
            return
        }
        #expect(holders == [first])
        f.clock.advance(by: 10)
        await f.source.redrives.wait(first)
        await f.source.redrives.wait(second)
        #expect(f.source.redrives.job(first)?.redriven == 15 && f.source.redrives.job(first)?.failed == 0)
        #expect(f.source.redrives.job(second)?.redriven == 5 && f.source.redrives.job(second)?.failed == 0)
        #expect(try await f.visible() == 20)
        // Finished jobs hold nothing: the same letter may be redriven again.
        _ = try f.letters(1)
        let again = try f.source.startRedrive([("Audit", ["m-0"])], scope: "1", rate: 1000).get()
        await f.source.redrives.wait(again)
        #expect(f.source.redrives.job(again)?.redriven == 1)
        await f.close()
    }

    @Test func atMostFourRunAtOnce() async throws {
        let f = try Fixture()
        let ids = try f.letters(10)
        for n in 0..<DeadLetterRedrives.maxRunning {
            _ = try f.source.startRedrive([("Audit", [ids[2 * n], ids[2 * n + 1]])], scope: "2", rate: 1)
                .get()
        }
        guard
            case .failure(.tooMany(let running)) = f.source.startRedrive(
                [("Audit", [ids[9]])], scope: "1", rate: 1)
        else {
            Issue.record("a fifth redrive started")
            return
        }
        #expect(running == DeadLetterRedrives.maxRunning)
        for job in f.source.redrives.recent() { _ = f.source.redrives.stop(job.id) }
        for job in f.source.redrives.recent() { await f.source.redrives.wait(job.id) }
        await f.close()
    }

    @Test func aWorkerNobodyConsumesIsCountedAsFailedNotRedriven() async throws {
        let f = try Fixture()
        let gone = try f.letters(3, worker: "Removed")
        let id = try f.source.startRedrive([("Removed", gone)], scope: "all of Removed", rate: 1000).get()
        await f.source.redrives.wait(id)
        let job = try #require(f.source.redrives.job(id))
        #expect(job.state == .finished && job.redriven == 0 && job.failed == 3)
        #expect(job.lines == ["Removed: no worker section named Removed consumes its queue; not redriven"])
        #expect(try f.source.deadLetters.ids(worker: "Removed").count == 3)
        await f.close()
    }

    @Test func allShownMeansEveryLetterTheFilterMatchesWithoutACap() async throws {
        let f = try Fixture()
        _ = try f.letters(601)
        #expect(
            f.source.operations.targets(matching: DeadLetterOperations.Filter(worker: "Audit", account: "")).first?.ids.count
                == 601)
        #expect(
            f.source.operations.targets(matching: DeadLetterOperations.Filter(worker: nil, account: "222")).first?.ids.count
                == 300)
        #expect(f.source.operations.targets(matching: DeadLetterOperations.Filter(worker: "Nobody", account: nil)).isEmpty)
        #expect(DeadLetterOperations.Filter(worker: "Audit", account: "222").description == "all of Audit, account 222")
        await f.close()
    }

    @Test func theListIsTheNewestPageReadingNoMoreLettersThanItShows() async throws {
        let f = try Fixture()
        _ = try f.letters(10)
        #expect(f.source.letters(worker: nil, limit: 3).map(\.id) == ["m-9", "m-8", "m-7"])
        #expect(f.source.letters(worker: "Audit", account: "222", limit: 2).map(\.id) == ["m-9", "m-7"])
        #expect(f.source.letters(worker: "Nobody").isEmpty)
        await f.close()
    }

    @Test func theProgressPageRefreshesOnlyWhileRunning() {
        var job = DeadLetterRedrives.Job(id: 7, scope: "all of <A>", started: Date(), ratePerSecond: 50, total: 40)
        job.redriven = 12
        let running = ConsolePages.redrive(job, token: "t", now: Date())
        #expect(running.contains("<meta http-equiv=\"refresh\" content=\"2\">"))
        #expect(running.contains("<progress id=\"progress\" value=\"12\" max=\"40\">"))
        #expect(running.contains("all of &lt;A&gt;") && running.contains("/dead-letters/redrives/7/stop"))
        job.state = .finished
        job.ended = Date()
        let done = ConsolePages.redrive(job, token: "t", now: Date())
        #expect(!done.contains("http-equiv") && !done.contains("/stop"))
    }
}
