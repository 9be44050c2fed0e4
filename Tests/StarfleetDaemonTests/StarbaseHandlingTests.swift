import Foundation
import StarfleetClock
import StarfleetCore
import StarfleetCrypto
import StarfleetQueue
import StarfleetTestSupport
import StarfleetWorkerKit
import StarfleetWorkers
import Testing

@testable import StarfleetDaemon

/// Part 2 of the Starbase, one message kind at a time: what each sends to which worker queue and what it answers
/// (done: delete; retry; permanent: dead-letter now), and, through a consumer, what is deleted and dead-lettered.
/// Local journal queues for the workers' payloads; no daemon, no clock moves.
@Suite(.timeLimit(.minutes(1))) struct StarbaseHandlingTests {
    static let yaml = """
        STARFLEET: {TemplateDirectory: templates}
        Single: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: Single/, InvocationSources: [S3, EVENTBRIDGE_TIMED_EVENT], EventBridgeTimedFrequency: HOURLY}
        PerAccount: {Enabled: true, Command: [/bin/true], FanOutStrategy: ACCOUNT, TemplatePrefix: PerAccount/, InvocationSources: [S3]}
        Off: {Enabled: false, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: Off/, InvocationSources: [S3]}
        Ghost: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: Ghost/, InvocationSources: [S3]}
        AccountIndexGeneratorShip: {Enabled: true, TemplatePrefix: AccountIndexGenerator/, InvocationSources: [S3], OrgAccountAssumeRole: role, OrgAccountId: "000000000020"}
        """
    static let template = "TemplateName: t\nTemplateDescription: d\n"

    struct Rig {
        let dir: TemporaryDirectory
        let clock = ManualClock()
        let logs = CapturedLogs()
        let activity = TemplateActivity()
        let configuration: Configuration
        let queues: QueueSet
        let starbase: Starbase

        /// `accountIndex`: whether the local account index file exists.
        init(accountIndex: Bool = true) throws {
            dir = try TemporaryDirectory("starbase")
            configuration = try dir.configuration(
                StarbaseHandlingTests.yaml,
                templates: [
                    "Single/t.yaml": StarbaseHandlingTests.template,
                    "Single/broken.yaml": "TemplateName: t\n",
                    "PerAccount/a.yaml": StarbaseHandlingTests.template + "IncludeAccounts: {AllAccounts: true}\n",
                    "Ghost/g.yaml": StarbaseHandlingTests.template,
                    "AccountIndexGenerator/Save.yaml": StarbaseHandlingTests.template
                        + "AccountInventoryPath: /tmp/accountIndex.json\n",
                    "AccountIndexGenerator/NoDestination.yaml": StarbaseHandlingTests.template,
                ], knownWorkers: WorkerRegistry.names)
            if accountIndex {
                try dir.write(
                    "accountIndex.json",
                    """
                    {"accounts": {
                      "111111111111": {"Name": "one", "Arn": "arn:aws:organizations::000000000020:account/o-1/111111111111"},
                      "222222222222": {"Name": "two", "Arn": "arn:aws:organizations::000000000020:account/o-1/222222222222"}}}
                    """)
            }
            queues = QueueSet(stateDirectory: dir.path("state"), clock: clock, logger: .quiet)
            let generator = try #require(configuration.worker(named: "AccountIndexGeneratorShip"))
            let ships: [String: any WorkerShip] = [
                "Single": NoOpShip(fanOutStrategy: .singleInvocation), "PerAccount": NoOpShip(fanOutStrategy: .account),
                "AccountIndexGeneratorShip": AccountIndexGeneratorShip(configuration: generator),
            ]
            starbase = Starbase(
                configuration: configuration, queues: queues,
                templates: DirectoryTemplateStore(directory: configuration.starfleet.templateDirectory),
                index: AccountIndexCache(source: .local(path: nil), path: dir.path("accountIndex.json")),
                ships: ships, clock: clock, logger: logs.logger, activity: activity)
        }

        func handle(_ body: String, event: String = "e1") async -> HandlingOutcome {
            await starbase.handle(
                ReceivedMessage(
                    messageId: "s1", receiptHandle: ReceiptHandle(rawValue: "r"), body: body,
                    attributes: [FanOutEvent.attribute: event],
                    receiveCount: 1, sentTimestamp: clock.now(), firstReceiveTimestamp: clock.now(), deduplicationId: nil,
                    failures: []))
        }

        /// What a worker's queue holds now (received, so a second look sees only later sends).
        func payloads(_ worker: String) async throws -> [ReceivedMessage] {
            let queue = try queues.queue(worker)
            var all: [ReceivedMessage] = []
            while true {
                let batch = try await queue.receive(max: 10, visibilityTimeout: 600, wait: 0)
                if batch.isEmpty { return all }
                all += batch
            }
        }

        func close() async {
            await queues.closeAll()
            dir.remove()
        }
    }

    @Test func aTimedEventFansOutItsWorkersTemplateOnceEvenWhenRedelivered() async throws {
        let rig = try Rig()
        let body = StarbaseMessage.timed(worker: "Single", templateKey: "Single/t.yaml").body
        #expect(await rig.handle(body) == .done)
        // At-least-once: the same message handled again (a crash before its delete) sends nothing twice.
        #expect(await rig.handle(body) == .done)
        let payloads = try await rig.payloads("Single")
        #expect(payloads.count == 1)
        // The payload runs under the event's own Root (the same however often the event is delivered).
        let trace = MessageTrace.derived(from: "e1", at: rig.clock.now())
        #expect(
            payloads.first?.attributes == [
                FanOutEvent.attribute: "e1", "StarfleetTemplate": "Single/t.yaml", TraceHeader.attribute: trace.text,
            ])
        #expect(payloads.first?.body.contains(#""TemplateName":"t""#) == true)
        await rig.close()
    }

    @Test func aTimedEventForNoEnabledWorkerIsDeadLettered() async throws {
        let rig = try Rig()
        for name in ["Nobody", "Off"] {
            let outcome = await rig.handle(StarbaseMessage.timed(worker: name, templateKey: "\(name)/x.yaml").body)
            #expect(outcome == .permanent(WorkerFailure("NoShipPluginError: no enabled worker ship named \(name)")))
        }
        await rig.close()
    }

    @Test func aTemplateChangeFansOutToTheWorkerOfItsPrefixPerAccount() async throws {
        let rig = try Rig()
        #expect(await rig.handle(StarbaseMessage.templateChanged(bucket: "local", key: "PerAccount/a.yaml").body) == .done)
        let payloads = try await rig.payloads("PerAccount")
        #expect(payloads.compactMap { $0.attributes["StarfleetAccount"] }.sorted() == ["111111111111", "222222222222"])
        #expect(payloads.allSatisfy { $0.attributes["StarfleetTemplate"] == "PerAccount/a.yaml" })
        #expect(try await rig.payloads("Single").isEmpty)
        await rig.close()
    }

    @Test func templateChangesThatAreNotForAWorkerSendNothing() async throws {
        let rig = try Rig()
        // Another bucket's event cannot be ours: dead-lettered with the reason.
        let foreign = await rig.handle(StarbaseMessage.templateChanged(bucket: "elsewhere", key: "Single/t.yaml").body)
        #expect(foreign == .permanent(WorkerFailure("InvalidBucketError: bucket elsewhere is not the template bucket local")))
        // Not a template, or no worker's prefix: skipped (deleted), as Starfleet does.
        #expect(await rig.handle(StarbaseMessage.templateChanged(bucket: "local", key: "Single/readme.txt").body) == .done)
        #expect(await rig.handle(StarbaseMessage.templateChanged(bucket: "local", key: "Nobody/x.yaml").body) == .done)
        #expect(try await rig.payloads("Single").isEmpty)
        #expect(rig.logs.text.contains("that we can't find a ship to handle"))
        await rig.close()
    }

    @Test func theAccountIndexGeneratorGetsOnePayloadAndItsOwnTemplateCheck() async throws {
        let rig = try Rig()
        let save = StarbaseMessage.timed(worker: "AccountIndexGeneratorShip", templateKey: "AccountIndexGenerator/Save.yaml").body
        #expect(await rig.handle(save) == .done)
        let payloads = try await rig.payloads("AccountIndexGeneratorShip")
        #expect(payloads.count == 1)
        #expect(payloads.first?.attributes["StarfleetAccount"] == nil)
        #expect(payloads.first?.body.contains("/tmp/accountIndex.json") == true)
        // The ship's own rule (a destination is required) makes the template invalid: dead-lettered, nothing sent.
        let bad = await rig.handle(
            StarbaseMessage.timed(
                worker: "AccountIndexGeneratorShip",
                templateKey: "AccountIndexGenerator/NoDestination.yaml"
            ).body)
        guard case .permanent(let failure) = bad else {
            Issue.record("a template without a destination gave \(bad)")
            return
        }
        #expect(failure.message.hasPrefix("invalid template AccountIndexGenerator/NoDestination.yaml"))
        #expect(failure.message.contains("AccountInventory"))
        #expect(try await rig.payloads("AccountIndexGeneratorShip").isEmpty)
        await rig.close()
    }

    @Test func brokenTemplatesAndMissingShipsAreDeadLettered() async throws {
        let rig = try Rig()
        let broken = await rig.handle(StarbaseMessage.timed(worker: "Single", templateKey: "Single/broken.yaml").body)
        guard case .permanent(let failure) = broken else {
            Issue.record("an invalid template gave \(broken)")
            return
        }
        #expect(failure.message.contains("TemplateDescription"))
        let ghost = await rig.handle(StarbaseMessage.timed(worker: "Ghost", templateKey: "Ghost/g.yaml").body)
        #expect(
            ghost
                == .permanent(
                    WorkerFailure(
                        "worker Ghost has no implementation (no Command and no built-in Swift worker of that name)")))
        await rig.close()
    }

    @Test func missingTemplatesAndAMissingAccountIndexAreRetried() async throws {
        let rig = try Rig(accountIndex: false)
        let perAccount = await rig.handle(StarbaseMessage.templateChanged(bucket: "local", key: "PerAccount/a.yaml").body)
        guard case .retry = perAccount else {
            Issue.record("an ACCOUNT fan-out without an account index gave \(perAccount)")
            return
        }
        let gone = await rig.handle(StarbaseMessage.timed(worker: "Single", templateKey: "Single/gone.yaml").body)
        guard case .retry = gone else {
            Issue.record("a missing template gave \(gone)")
            return
        }
        #expect(try await rig.payloads("PerAccount").isEmpty)
        await rig.close()
    }

    @Test func anUnsupportedMessageIsLoggedAndDropped() async throws {
        let rig = try Rig()
        #expect(await rig.handle("hello") == .done)
        #expect(await rig.handle(#"{"worker_ship": "Single"}"#) == .done)
        #expect(rig.logs.text.contains("we don't support! Dropping it."))
        #expect(try await rig.payloads("Single").isEmpty)
        await rig.close()
    }

    @Test func throughItsConsumerGoodMessagesAreDeletedAndHopelessOnesDeadLettered() async throws {
        let rig = try Rig()
        let fanOut = InMemoryQueue(name: StatePaths.starbaseQueue, clock: rig.clock)
        let good = StarbaseMessage.timed(worker: "Single", templateKey: "Single/t.yaml").body
        let unknown = StarbaseMessage.timed(worker: "Nobody", templateKey: "Nobody/x.yaml").body
        _ = try await fanOut.send([good, unknown, "not json"].map { OutgoingMessage(body: $0) })
        let stop = StopToken()
        let starbase = rig.starbase
        let consumer = QueueConsumer(
            queue: fanOut, name: "starbase", concurrency: 2, backoff: BackoffPolicy(), clock: rig.clock,
            logger: .quiet, heartbeat: nil, handle: { await starbase.handle($0) })
        async let finished: Void = consumer.run(stop: stop)
        try await fanOut.waitForSettlements(3)
        stop.stop()
        await finished
        #expect(
            Set(fanOut.settlements) == [
                .deleted(body: good), .deleted(body: "not json"),
                .deadLettered(body: unknown, error: "NoShipPluginError: no enabled worker ship named Nobody"),
            ])
        #expect(try await rig.payloads("Single").count == 1)
        await rig.close()
    }

    @Test func eachFanOutIsRecordedWithItsCountTriggerAndHash() async throws {
        let rig = try Rig()
        #expect(await rig.handle(StarbaseMessage.templateChanged(bucket: "local", key: "PerAccount/a.yaml").body) == .done)
        let bytes = try #require(rig.dir.read("config/templates/PerAccount/a.yaml"))
        #expect(
            rig.activity.entry("PerAccount/a.yaml")?.fanOut
                == .init(
                    at: rig.clock.now(), worker: "PerAccount", payloads: 2, trigger: .templateChange,
                    sha256: Digest.sha256Hex(Array(bytes.utf8)), failure: nil))
        rig.clock.advance(by: 60)
        #expect(await rig.handle(StarbaseMessage.timed(worker: "Single", templateKey: "Single/t.yaml").body) == .done)
        let timed = try #require(rig.activity.entry("Single/t.yaml")?.fanOut)
        #expect(timed.payloads == 1 && timed.trigger == .timedEvent && timed.failure == nil && timed.at == rig.clock.now())
        await rig.close()
    }

    @Test func aFailedFanOutIsRecordedWithItsShortReason() async throws {
        let rig = try Rig(accountIndex: false)
        _ = await rig.handle(StarbaseMessage.timed(worker: "Single", templateKey: "Single/broken.yaml").body)
        let invalid = try #require(rig.activity.entry("Single/broken.yaml")?.fanOut)
        #expect(invalid.failure?.hasPrefix("invalid template: ") == true, "\(invalid)")
        #expect(invalid.failure?.contains("\n") == false)
        #expect(invalid.payloads == 0 && invalid.sha256 != nil)
        _ = await rig.handle(StarbaseMessage.templateChanged(bucket: "local", key: "PerAccount/a.yaml").body)
        let index = try #require(rig.activity.entry("PerAccount/a.yaml")?.fanOut)
        #expect(index.failure?.hasPrefix("account index unreadable") == true, "\(index)")
        #expect(index.trigger == .templateChange)
        _ = await rig.handle(StarbaseMessage.timed(worker: "Single", templateKey: "Single/gone.yaml").body)
        let gone = try #require(rig.activity.entry("Single/gone.yaml")?.fanOut)
        #expect(gone.failure?.hasPrefix("template unreadable: Single/gone.yaml: Can't find") == true, "\(gone)")
        #expect(gone.sha256 == nil)
        await rig.close()
    }

    @Test func aQueuedTemplateChangeIsRecordedAsAcknowledged() async throws {
        let rig = try Rig()
        rig.clock.advance(by: 5)
        try await rig.starbase.taskTemplateChange(
            key: "Single/t.yaml", event: .template(key: "Single/t.yaml", sha256: "ab12", seenAt: rig.clock.now()))
        #expect(rig.activity.entry("Single/t.yaml")?.change == .init(at: rig.clock.now(), sha256: "ab12"))
        #expect(rig.activity.entry("Single/t.yaml")?.fanOut == nil)
        await rig.close()
    }

    @Test func aTimedEventTasksOneFanOutMessagePerTemplateOfItsSchedule() async throws {
        let rig = try Rig()
        let schedule = try #require(rig.configuration.worker(named: "Single")?.schedule)
        let event = FanOutEvent.timed(schedule: "\(schedule)", boundary: rig.clock.now())
        #expect(try await rig.starbase.taskTimedEvent(schedule, event: event) == 2)
        // The same boundary again (a crash before the scheduler saved it) is deduplicated.
        #expect(try await rig.starbase.taskTimedEvent(schedule, event: event) == 2)
        let messages = try await rig.payloads(StatePaths.starbaseQueue)
        #expect(
            Set(messages.map(\.body)) == [
                StarbaseMessage.timed(worker: "Single", templateKey: "Single/broken.yaml").body,
                StarbaseMessage.timed(worker: "Single", templateKey: "Single/t.yaml").body,
            ])
        #expect(messages.allSatisfy { $0.attributes[FanOutEvent.attribute] == event.id })
        await rig.close()
    }
}
