import Foundation
import Logging
import StarfleetClock
import StarfleetQueue
import StarfleetRunHistory
import StarfleetTestSupport
import StarfleetWorkerKit
import StarfleetWorkers
import Testing

@testable import StarfleetCore
@testable import StarfleetDaemon

/// WorkerExecutor records each finished run with the outcome the queue will act on: success, a failure to retry, a
/// timeout to retry, the last attempt dead-lettered; and only what the worker printed.
@Suite struct RunHistoryRecordingTests {
    /// Returns `{"ok":true}`, or throws the failure it was given.
    struct Scripted: WorkerShip {
        var failure: WorkerFailure?
        var name: String { "Audit" }
        var fanOutStrategy: FanOutStrategy { .account }
        func execute(_ invocation: WorkerInvocation, context: WorkerContext) async throws -> [UInt8] {
            if let failure { throw failure }
            return Array(#"{"ok":true}"#.utf8)
        }
    }

    struct NoInvoker: WorkerInvoker {
        func invoke(worker: String, payload: [UInt8], account: String?, region: String?, commit: Bool) async throws -> [UInt8] {
            []
        }
        func enqueue(worker: String, payload: [UInt8], account: String?, region: String?) async throws -> String { "" }
    }

    let root = "/tmp/sfh-daemon-test-" + UUID().uuidString
    let clock = ManualClock()
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    var worker: WorkerConfiguration {
        WorkerConfiguration(
            name: "Audit", enabled: true, templatePrefix: "Audit/", invocationQueueUrl: nil, invocationSources: [.s3],
            schedule: nil,
            alert: nil, concurrency: 1, visibilityTimeoutSeconds: 30, timeoutSeconds: 10, maxReceiveCount: 3,
            backoff: BackoffPolicy(), commit: false, command: nil, fanOutStrategy: .account,
            mark: SourceMark(file: "t.yaml", line: 1, column: 1),
            section: Node(.null, at: SourceMark(file: "t.yaml", line: 1, column: 1)))
    }

    /// Runs the ship once; a failure is then settled as `disposition` says the queue did.
    func handle(
        _ ship: Scripted, attempt: Int, store: RunHistoryStore, disposition: FailureDisposition? = nil
    ) async -> HandlingOutcome {
        let executor = WorkerExecutor(
            configuration: worker, ship: ship, invoker: NoInvoker(), status: StatusBoard(startedAt: clock.now(), pid: 1),
            clock: clock,
            logger: logger, metrics: nil,
            history: RunHistoryRecorder(store: store, worker: "Audit", limits: .default))
        let message = ReceivedMessage(
            messageId: "m-\(attempt)", receiptHandle: ReceiptHandle(rawValue: "r"), body: "{}",
            attributes: [
                "StarfleetAccount": "111111111111", "StarfleetRegion": "eu-west-1", "StarfleetTemplate": "Audit/a.yaml",
            ],
            receiveCount: attempt, sentTimestamp: clock.now(), firstReceiveTimestamp: clock.now(), deduplicationId: nil,
            failures: [])
        let outcome = await executor.handle(message)
        if case .retry(let failure) = outcome {
            executor.settled(
                message, failure,
                disposition ?? .retried(visibleAt: clock.now(), attempt: attempt, maxReceiveCount: worker.maxReceiveCount))
        }
        return outcome
    }

    /// The run history says what the queue did with a failure: a dead letter only when the queue made one.
    @Test func eachOutcomeIsRecordedAsTheQueueSettledIt() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = RunHistoryStore(root: root, clock: clock, logger: logger)
        var exited = WorkerFailure("audit exited with status 2", exitStatus: 2, stderrTail: "Traceback\nKeyError: 'x'")
        exited.errorType = nil
        var timedOut = WorkerFailure("audit ran longer than TimeoutSeconds (10 s) and was stopped")
        timedOut.timedOut = true

        #expect(await handle(Scripted(failure: nil), attempt: 1, store: store) == .done)
        #expect(await handle(Scripted(failure: exited), attempt: 1, store: store) == .retry(exited))
        #expect(await handle(Scripted(failure: timedOut), attempt: 2, store: store) == .retry(timedOut))
        let written = FailureDisposition.deadLettered(location: "/state/dead-letter/Audit/m-3.json", attempts: 3)
        #expect(await handle(Scripted(failure: exited), attempt: 3, store: store, disposition: written) == .retry(exited))
        // The last attempt whose dead-letter file could not be written stays on the queue: not a dead letter.
        let kept = FailureDisposition.kept("the dead-letter file could not be written (disk full); visible again in 1 s")
        #expect(await handle(Scripted(failure: exited), attempt: 3, store: store, disposition: kept) == .retry(exited))

        store.flush()
        let runs = try RunHistoryReader(root: root).read(worker: "Audit").runs
        #expect(runs.map(\.outcome) == [.succeeded, .failedWillRetry, .timedOut, .deadLettered, .failedWillRetry])
        #expect(runs.map(\.attempt) == [1, 1, 2, 3, 3])
        #expect(runs.map(\.errorType) == [nil, "Runtime.ExitError", "Timeout", "Runtime.ExitError", "Runtime.ExitError"])
        let success = try #require(runs.first)
        #expect(success.account == "111111111111" && success.region == "eu-west-1" && success.template == "Audit/a.yaml")
        #expect(success.resultExcerpt == #"{"ok":true}"# && success.resultBytes == 11)
        #expect(success.started == clock.now())
        #expect(runs[1].exitStatus == 2 && runs[1].stderrExcerpt == "Traceback\nKeyError: 'x'" && runs[1].error == exited.message)
    }

    @Test func eachRunNamesTheHostFromHostNameElseTheMachinesName() throws {
        var settings = StarfleetSettings(templateDirectory: "/t")
        let store = RunHistoryStore(root: root, clock: clock, logger: logger)
        func recorder() -> RunHistoryRecorder? {
            RunHistoryRecorder.make(
                store, worker: worker,
                in: Configuration(
                    starfleet: settings, workers: [worker], accountIndex: .local(path: nil), sections: [:], directory: "/c"))
        }
        #expect(recorder()?.host == HostName.current())
        #expect(!HostName.current().isEmpty)
        settings.hostName = "fleet-2"
        #expect(recorder()?.host == "fleet-2")
    }

    @Test func aRecordedRunCarriesTheHost() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = RunHistoryStore(root: root, clock: clock, logger: logger)
        var recorder = RunHistoryRecorder(store: store, worker: "Audit", limits: .default)
        recorder.host = "fleet-3"
        let message = ReceivedMessage(
            messageId: "m-1", receiptHandle: ReceiptHandle(rawValue: "r"), body: "{}", attributes: [:], receiveCount: 1,
            sentTimestamp: clock.now(), firstReceiveTimestamp: clock.now(), deduplicationId: nil, failures: [])
        recorder.record(message, started: clock.now(), seconds: 0.5, result: .success(Array("ok".utf8)))
        store.flush()
        #expect(try RunHistoryReader(root: root).read(worker: "Audit").runs.map(\.host) == ["fleet-3"])
    }

    @Test func runHistoryMaxRunsZeroRecordsNothing() {
        var w = worker
        w.runHistoryMaxRuns = 0
        let configuration = Configuration(
            starfleet: StarfleetSettings(templateDirectory: "/t"), workers: [w], accountIndex: .local(path: nil),
            sections: [:], directory: "/c")
        #expect(
            RunHistoryRecorder.make(RunHistoryStore(root: root, clock: clock, logger: logger), worker: w, in: configuration)
                == nil)
        w.runHistoryMaxRuns = nil
        #expect(
            RunHistoryRecorder.make(RunHistoryStore(root: root, clock: clock, logger: logger), worker: w, in: configuration)?
                .limits.maxRuns == 1000)
    }
}
