import Foundation
import Logging
import StarfleetAWS
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetTestSupport
import StarfleetWorkerKit
import Testing

@testable import StarfleetDaemon

/// Issue 22 §2 through the executor, on the manual clock: an asynchronous event's attempts, its age, and its record
/// reaching a worker destination's (real, journal) queue.
@Suite(.timeLimit(.minutes(1))) struct AsyncEventHandlingTests {
    struct Rig {
        let dir: TemporaryDirectory
        let clock = ManualClock()
        let configuration: Configuration
        let queues: QueueSet
        let router: QueueRouter

        init(_ keys: String) throws {
            dir = try TemporaryDirectory("async-event")
            configuration = try dir.configuration(
                """
                STARFLEET: {TemplateDirectory: templates}
                W: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: W/, InvocationSources: [S3], \(keys)}
                Sink: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: S/, InvocationSources: [S3]}
                """)
            queues = QueueSet(stateDirectory: dir.path("state"), clock: clock, logger: .quiet)
            router = QueueRouter(local: queues, environment: [:], clock: clock, logger: .quiet)
        }

        func executor(_ ship: any WorkerShip) throws -> WorkerExecutor {
            let worker = try #require(configuration.worker(named: "W"))
            let region = "eu-west-1"
            return WorkerExecutor(
                configuration: worker, ship: ship, invoker: NoInvoker(),
                status: StatusBoard(startedAt: clock.now(), pid: 1), clock: clock, logger: .quiet, metrics: nil,
                destinations: AsyncDestinationSender(
                    configuration: configuration, queues: router, region: region,
                    s3: { [clock] in
                        S3Client(
                            http: HTTPClient(configuration: .init(), clock: clock, logger: .quiet),
                            credentials: StaticCredentialsProvider(
                                AWSCredentials(accessKeyID: "local", secretAccessKey: "local")), region: region,
                            endpoint: AWSEndpoint.resolve(service: "s3", region: region, environment: [:]), clock: clock)
                    }, clock: clock))
        }

        /// An event accepted at `sent`, on its `attempt`th receive.
        func event(_ body: String, attempt: Int, sent: Date) -> ReceivedMessage {
            ReceivedMessage(
                messageId: "0B6D3A2C-5A4F-4E36-9C1E-2F4C8A7D9E10", receiptHandle: ReceiptHandle(rawValue: "r\(attempt)"),
                body: body, attributes: [FanOutEvent.attribute: InvocationMessage.event], receiveCount: attempt,
                sentTimestamp: sent, firstReceiveTimestamp: sent, deduplicationId: nil, failures: [])
        }
    }

    static func failing(_ runs: Locked<Int>) -> ScriptedShip {
        ScriptedShip(name: "W") { _, _ in
            runs.withLock { $0 += 1 }
            var failure = WorkerFailure("ValueError: no")
            failure.errorType = "ValueError"
            failure.errorMessage = "no"
            throw failure
        }
    }

    @Test func aFailingEventRunsOncePlusItsRetriesThenItsRecordReachesTheWorkerDestination() async throws {
        let rig = try Rig(
            "MaximumRetryAttempts: 1, Backoff: {InitialSeconds: 4, MaxSeconds: 4}, DestinationConfig: {OnFailure: {Destination: Sink}}"
        )
        defer { rig.dir.remove() }
        let runs = Locked(0)
        let executor = try rig.executor(Self.failing(runs))
        let sent = rig.clock.now()
        let first = await executor.handle(rig.event(#"{"id": 7}"#, attempt: 1, sent: sent))
        guard case .retryAfter(_, let seconds) = first else {
            Issue.record("the first failure gave \(first)")
            return
        }
        #expect((2...4).contains(seconds), "the worker's Backoff: half fixed, half random")
        rig.clock.advance(by: seconds)
        let second = await executor.handle(rig.event(#"{"id": 7}"#, attempt: 2, sent: sent))
        #expect(second == .done, "the record went to OnFailure, so the event leaves the queue")
        #expect(runs.value == 2)
        let sink = try rig.router.workerQueue(try #require(rig.configuration.worker(named: "Sink")))
        let delivered = try await sink.receive(max: 10, visibilityTimeout: nil, wait: 0)
        let record = try #require(delivered.first)
        #expect(record.attributes[FanOutEvent.attribute] == InvocationMessage.event, "an asynchronous invocation of Sink")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(record.body.utf8)) as? [String: Any])
        let context = try #require(json["requestContext"] as? [String: Any])
        #expect(context["condition"] as? String == "RetriesExhausted")
        #expect(context["approximateInvokeCount"] as? Int == 2)
        #expect(context["requestId"] as? String == "0b6d3a2c-5a4f-4e36-9c1e-2f4c8a7d9e10")
        #expect(context["functionArn"] as? String == "arn:aws:lambda:eu-west-1:000000000000:function:W:$LATEST")
        #expect(json["responsePayload"] as? [String: String] == ["errorMessage": "no", "errorType": "ValueError"])
        #expect((json["requestPayload"] as? [String: Int]) == ["id": 7])
        #expect(json["timestamp"] as? String == InvocationRecord.timestampText(rig.clock.now()))
        await rig.queues.closeAll()
    }

    @Test func anEventPastItsAgeIsNotRunAndWithoutOnFailureIsDeadLettered() async throws {
        let rig = try Rig("MaximumEventAgeInSeconds: 60")
        defer { rig.dir.remove() }
        let runs = Locked(0)
        let executor = try rig.executor(Self.failing(runs))
        let sent = rig.clock.now()
        rig.clock.advance(by: 61)
        let outcome = await executor.handle(rig.event("{}", attempt: 2, sent: sent))
        guard case .permanent(let failure) = outcome else {
            Issue.record("an expired event gave \(outcome)")
            return
        }
        #expect(failure.message.hasPrefix("EventAgeExceeded"))
        #expect(runs.value == 0, "an expired event is not run")
        await rig.queues.closeAll()
    }

    @Test func aRetryDueAfterTheAgeIsHeldUntilTheEventHasExpired() async throws {
        let rig = try Rig("MaximumEventAgeInSeconds: 60, Backoff: {InitialSeconds: 200, MaxSeconds: 200}")
        defer { rig.dir.remove() }
        let executor = try rig.executor(Self.failing(Locked(0)))
        let sent = rig.clock.now()
        rig.clock.advance(by: 10)
        let outcome = await executor.handle(rig.event("{}", attempt: 1, sent: sent))
        guard case .retryAfter(_, let seconds) = outcome else {
            Issue.record("the failure gave \(outcome)")
            return
        }
        // Its next attempt would be 100-200 s away, past the 60 s age: it comes back a second after it expired.
        #expect(seconds == 51)
        await rig.queues.closeAll()
    }
}
