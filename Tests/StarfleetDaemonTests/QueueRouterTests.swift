import Foundation
import Logging
import StarfleetAWS
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetSQSQueue
import StarfleetTestSupport
import StarfleetYAML
import Testing

@testable import StarfleetDaemon

/// Which backend each queue gets, and the FIFO MessageGroupIds. Nothing here talks to SQS: queues are made lazily.
@Suite struct QueueRouterTests {
    static func configuration(_ yaml: String) throws -> (Configuration, String) {
        let dir = NSTemporaryDirectory() + "router-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try yaml.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        let (loaded, diagnostics) = ConfigurationDirectory.load(dir)
        return (try #require(loaded, "\(diagnostics)"), dir)
    }

    @Test func sqsURLsGetSQSQueuesAndEverythingElseStaysLocal() async throws {
        let (configuration, dir) = try Self.configuration(
            """
            STARFLEET:
              FanOutQueueUrl: https://sqs.us-east-2.amazonaws.com/111122223333/fanout.fifo
            Remote: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: R/, InvocationSources: [S3],
                     InvocationQueueUrl: "https://sqs.eu-west-1.amazonaws.com/111122223333/remote"}
            Placeholder: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: P/, InvocationSources: [S3],
                          InvocationQueueUrl: "https://sqs.DEPLOYMENT-REGION.amazonaws.com/DEPLOYMENT-ACCOUNT-ID/p"}
            Local: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: L/, InvocationSources: [S3]}
            """)
        let clock = SystemWallClock()
        let logger = Logger.quiet
        let queues = QueueSet(stateDirectory: dir + "/state", clock: clock, logger: logger)
        defer { Task { await queues.closeAll() } }
        let router = QueueRouter(local: queues, environment: [:], clock: clock, logger: logger)

        func queue(_ name: String) throws -> any MessageQueue {
            let worker = try #require(configuration.worker(named: name))
            return try router.workerQueue(worker)
        }
        let remote = try #require(try queue("Remote") as? SQSQueue)
        #expect(remote.url.region == "eu-west-1" && remote.name == "Remote")
        #expect(try queue("Remote") as? SQSQueue === remote)
        #expect(try queue("Placeholder") is JournalQueue)
        #expect(try queue("Local") is JournalQueue)
        let fanOut = try #require(try router.starbaseQueue(configuration) as? SQSQueue)
        #expect(fanOut.url.isFIFO && fanOut.name == StatePaths.starbaseQueue)
        #expect(Set(router.sqsQueues.keys) == ["Remote", StatePaths.starbaseQueue])
        #expect(QueueRouter.sqsURL(of: "Local", in: configuration) == nil)

        try Generation.openQueues(for: configuration, in: queues)
        #expect(try queues.existingQueueNames() == ["Local", "Placeholder", StatePaths.starbaseQueue])
    }

    @Test func fifoGroupsFollowAccountAndRegionOrTheWorker() {
        let group = SQSMessageGroups.worker("Audit")
        #expect(
            group(OutgoingMessage(body: "{}", attributes: ["StarfleetAccount": "1", "StarfleetRegion": "eu-west-1"]))
                == "1/eu-west-1")
        #expect(group(OutgoingMessage(body: "{}", attributes: ["StarfleetAccount": "1"])) == "1")
        #expect(group(OutgoingMessage(body: "{}")) == "Audit")
        #expect(
            SQSMessageGroups.fanOut(
                OutgoingMessage(body: StarbaseMessage.timed(worker: "Audit", templateKey: "Audit/a.yaml").body)) == "Audit")
        #expect(
            SQSMessageGroups.fanOut(OutgoingMessage(body: StarbaseMessage.templateChanged(bucket: "b", key: "Audit/a.yaml").body))
                == "template/Audit/a.yaml")
        #expect(SQSMessageGroups.fanOut(OutgoingMessage(body: "junk")) == StatePaths.starbaseQueue)
    }
}
