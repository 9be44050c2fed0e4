import Foundation
import Logging
import StarfleetClock
import StarfleetTestSupport
import Testing

@testable import StarfleetDaemon

/// The poll loop on a manual clock: a pass at start, then one per interval; the acknowledged ETags survive a
/// restart; failures back off. No real waiting.
@Suite struct S3TemplatePollLoopTests {
    struct Rig {
        let dir: String
        let bucket = FakeTemplateBucket()
        let fired = FiredEvents()
        let clock = ManualClock()

        init() throws {
            dir = NSTemporaryDirectory() + "s3poll-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }

        var statePath: String { StatePaths(dir).s3TemplateState }

        func loop(bucket: FakeTemplateBucket? = nil) -> S3TemplatePollLoop {
            let fired = self.fired
            return S3TemplatePollLoop(
                poller: S3TemplatePoller(
                    bucket: bucket ?? self.bucket, prefixes: ["Audit/"], logger: S3TemplatePollerTests.logger),
                statePath: statePath, interval: 60, clock: clock, logger: S3TemplatePollerTests.logger, metrics: nil,
                fire: { try await fired.fire($0, $1) })
        }

        /// Runs one loop until `body` is done with it, then cancels it (a daemon stop).
        func running(_ loop: S3TemplatePollLoop, _ body: () async throws -> Void) async rethrows {
            let task = Task { await loop.pollUntilCancelled() }
            defer { task.cancel() }
            try await body()
            task.cancel()
            await task.value
        }

        /// Lets the loop finish its pass and go to sleep (it sleeps once per pass).
        func passDone() async throws { try await clock.waitForSleepers(1) }

        func cleanUp() { try? FileManager.default.removeItem(atPath: dir) }
    }

    @Test func pollsAtStartThenEveryIntervalAndARestartDoesNotRefireUnchangedTemplates() async throws {
        let rig = try Rig()
        defer { rig.cleanUp() }
        rig.bucket.put("Audit/a.yaml", "a: 1")
        try await rig.running(rig.loop()) {
            try await rig.passDone()
            #expect(rig.fired.keys == ["Audit/a.yaml"])
            rig.bucket.put("Audit/b.yaml", "b: 1")
            rig.clock.advance(by: 59)
            await Task.yield()
            #expect(rig.fired.keys == ["Audit/a.yaml"])
            #expect(rig.bucket.lists == 1)
            rig.clock.advance(by: 1)
            await waitUntil { rig.bucket.lists == 2 }
            try await rig.passDone()
            #expect(rig.fired.keys == ["Audit/a.yaml", "Audit/b.yaml"])
        }
        let saved = try #require(JSONStateFile.read(S3TemplatePollLoop.State.self, from: rig.statePath))
        #expect(saved.bucket == "templates")
        #expect(Set(saved.etags.keys) == ["Audit/a.yaml", "Audit/b.yaml"])

        // A restart: a changed while stopped, b unchanged.
        rig.bucket.put("Audit/a.yaml", "a: 2")
        try await rig.running(rig.loop()) {
            try await rig.passDone()
        }
        #expect(rig.fired.keys == ["Audit/a.yaml", "Audit/b.yaml", "Audit/a.yaml"])
    }

    @Test func failedPassesBackOffAndWhatFailedIsDeliveredOnceS3Answers() async throws {
        let rig = try Rig()
        defer { rig.cleanUp() }
        rig.bucket.put("Audit/a.yaml", "a: 1")
        rig.bucket.failList("Audit/")
        try await rig.running(rig.loop()) {
            try await rig.passDone()
            #expect(rig.bucket.lists == 1)
            // After one failure the next pass is 60–120 s away, not 60.
            rig.clock.advance(by: 59.9)
            await Task.yield()
            #expect(rig.bucket.lists == 1)
            rig.bucket.failList("Audit/", false)
            rig.clock.advance(by: 60.1)
            await waitUntil { rig.bucket.lists == 2 }
            try await rig.passDone()
            #expect(rig.fired.keys == ["Audit/a.yaml"])
        }
    }

    @Test func aStateFileForAnotherBucketIsIgnored() async throws {
        let rig = try Rig()
        defer { rig.cleanUp() }
        rig.bucket.put("Audit/a.yaml", "a: 1")
        try JSONStateFile.write(
            S3TemplatePollLoop.State(bucket: "elsewhere", etags: ["Audit/a.yaml": FakeTemplateBucket.etag(Array("a: 1".utf8))]),
            to: rig.statePath)
        try await rig.running(rig.loop()) {
            try await rig.passDone()
        }
        #expect(rig.fired.keys == ["Audit/a.yaml"])
    }
}

/// Yields (and naps a millisecond) until `condition` holds; bounded so a broken loop fails rather than hangs.
func waitUntil(_ condition: () -> Bool) async {
    for _ in 0..<5_000 where !condition() {
        await Task.yield()
        try? await Task.sleep(nanoseconds: 1_000_000)
    }
}
