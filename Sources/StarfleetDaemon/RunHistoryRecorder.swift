import FoundationEssentials
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetRunHistory
import StarfleetWorkerKit

/// Turns one finished execution into a run-history record: the message's facts, how long it took, how it ended. Only
/// what the worker printed (its result's start, its stderr's end) is kept, never its environment or secrets file.
struct RunHistoryRecorder: Sendable {
    let store: RunHistoryStore
    let worker: String
    let limits: RunHistoryLimits
    /// The host every record names (`STARFLEET.HostName`, else the hostname): hosts sharing SQS queues run each
    /// other's payloads.
    var host: String? = nil

    /// The recorder of `worker` under `configuration`'s bounds; nil without a store or with RunHistoryMaxRuns 0.
    static func make(_ store: RunHistoryStore?, worker: WorkerConfiguration, in configuration: Configuration)
        -> RunHistoryRecorder?
    {
        let policy = configuration.runHistory(for: worker)
        guard let store, policy.maxRuns > 0 else { return nil }
        return RunHistoryRecorder(
            store: store, worker: worker.name,
            limits: RunHistoryLimits(maxRuns: policy.maxRuns, maxAgeSeconds: policy.maxAgeSeconds),
            host: HostName.configured(configuration.starfleet.hostName))
    }

    /// A queue message's run; a failure's outcome is what the queue did with it (`disposition`).
    func record(
        _ message: ReceivedMessage, started: Date, seconds: Double, result: Result<[UInt8], WorkerFailure>,
        disposition: FailureDisposition? = nil
    ) {
        let address = PayloadAddress(attributes: message.attributes)
        var run = RunRecord(
            worker: worker, template: address.template, account: address.account, region: address.region,
            messageId: message.messageId, attempt: message.receiveCount,
            started: started, durationSeconds: seconds, outcome: .succeeded)
        run.traceId = MessageTrace.header(of: message).root
        run.host = host
        Self.fill(&run, result) { failure in
            disposition?.isDeadLettered == true ? .deadLettered : failure.timedOut ? .timedOut : .failedWillRetry
        }
        store.record(run, limits: limits)
    }

    /// A message the worker's FilterCriteria did not match: deleted unseen, and counted here (the worker did not run).
    func recordFiltered(_ message: ReceivedMessage, at time: Date) {
        let address = PayloadAddress(attributes: message.attributes)
        var run = RunRecord(
            worker: worker, template: address.template, account: address.account, region: address.region,
            messageId: message.messageId, attempt: message.receiveCount, started: time, durationSeconds: 0,
            outcome: .filtered)
        run.traceId = MessageTrace.header(of: message).root
        store.record(run, limits: limits)
    }

    /// Runs a direct invocation (the Invoke API, a worker's `invoke`) and records it: nothing retries a failure.
    static func timing(
        _ recorder: RunHistoryRecorder?, _ invocation: WorkerInvocation,
        _ body: () async throws -> [UInt8]
    ) async throws -> [UInt8] {
        guard let recorder else { return try await body() }
        let started = recorder.store.clock.now()
        let clock = ContinuousClock()
        let start = clock.now
        let result: Result<[UInt8], WorkerFailure>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error as? WorkerFailure ?? WorkerFailure("\(error)"))
        }
        var run = RunRecord(
            worker: recorder.worker, template: invocation.template, account: invocation.account, region: invocation.region,
            messageId: invocation.messageId, attempt: invocation.receiveCount, started: started,
            durationSeconds: WorkerExecutor.seconds(clock.now - start), outcome: .succeeded)
        run.traceId = invocation.traceHeader.flatMap(TraceHeader.parse)?.root
        run.host = recorder.host
        fill(&run, result) { $0.timedOut ? .timedOut : .failed }
        recorder.store.record(run, limits: recorder.limits)
        return try result.get()
    }

    /// The outcome, error and excerpts of `result`; `failed` says which failure outcome applies.
    private static func fill(
        _ run: inout RunRecord, _ result: Result<[UInt8], WorkerFailure>, failed: (WorkerFailure) -> RunOutcome
    ) {
        switch result {
        case .success(let bytes):
            run.outcome = .succeeded
            run.resultBytes = bytes.count
            run.resultExcerpt = RunRecord.excerpt(head: bytes)
        case .failure(let failure):
            run.outcome = failed(failure)
            run.exitStatus = failure.exitStatus
            run.errorType =
                failure.errorType ?? (failure.timedOut ? "Timeout" : failure.exitStatus != nil ? "Runtime.ExitError" : "Error")
            run.error = failure.errorMessage ?? failure.message
            run.stderrExcerpt = RunRecord.excerpt(tail: failure.stderrTail)
        }
    }
}
