import Foundation
import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetTestSupport
import StarfleetWorkers
import StarfleetYAML
import Testing

@testable import StarfleetDaemon

/// What the Starbase does when the template bucket cannot give it the template: a missing key is retried (it may
/// yet appear, and Starfleet re-raises too), a missing bucket is dead-lettered at once with its own reason.
@Suite struct StarbaseTemplateErrorTests {
    static func fanOut(_ prepare: (FakeTemplateBucket) -> Void, key: String) async throws -> (HandlingOutcome, String) {
        let dir = NSTemporaryDirectory() + "starbase-s3-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/templates", withIntermediateDirectories: true)
        try """
        STARFLEET: {TemplateDirectory: templates, TemplateBucket: templates}
        W: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: Audit/, InvocationSources: [S3]}
        """.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        let (loaded, diagnostics) = ConfigurationDirectory.load(dir)
        let configuration = try #require(loaded, "\(diagnostics)")
        let worker = try #require(configuration.worker(named: "W"))
        let bucket = FakeTemplateBucket()
        prepare(bucket)
        let logs = CapturedLogs()
        let clock = ManualClock()
        let queues = QueueSet(stateDirectory: dir + "/state", clock: clock, logger: logs.logger)
        let starbase = Starbase(
            configuration: configuration, queues: queues, templates: S3TemplateStore(bucket: bucket),
            index: AccountIndexCache(source: .local(path: nil), path: nil),
            ships: ["W": NoOpShip(fanOutStrategy: .singleInvocation)],
            clock: clock, logger: logs.logger)
        let outcome = await starbase.fanOut(worker, key: key, eventID: "e1", trigger: .templateChange)
        await queues.closeAll()
        return (outcome, logs.text)
    }

    @Test func aMissingTemplateIsRetriedAndSaysItWasNotFoundInS3() async throws {
        let (outcome, logs) = try await Self.fanOut({ _ in }, key: "Audit/gone.yaml")
        guard case .retry(let failure) = outcome else {
            Issue.record("a missing key gave \(outcome)")
            return
        }
        #expect(failure.message.contains("was not found in S3"))
        #expect(failure.message.contains("bucket templates"))
        #expect(logs.contains("Can't find the template: Audit/gone.yaml in S3 (bucket templates)"))
    }

    @Test func aMissingBucketIsDeadLetteredAtOnceWithItsOwnReason() async throws {
        let (outcome, logs) = try await Self.fanOut(
            {
                $0.put("Audit/a.yaml", "a: 1")
                $0.removeBucket()
            }, key: "Audit/a.yaml")
        guard case .permanent(let failure) = outcome else {
            Issue.record("a missing bucket gave \(outcome)")
            return
        }
        #expect(failure.message.contains("NoSuchBucket"))
        #expect(!failure.message.contains("not found in S3"))
        #expect(logs.contains("the template bucket templates does not exist"))
    }
}
