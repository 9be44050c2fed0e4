import FoundationEssentials
import Logging
import StarfleetAWS
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetRunHistory
import StarfleetWorkerKit
import StarfleetWorkers

/// Runs one worker payload: builds the invocation and context from the message, enforces TimeoutSeconds for
/// Swift workers (process workers enforce it themselves, killing the process group), and records the outcome.
struct WorkerExecutor: Sendable {
    let configuration: WorkerConfiguration
    let ship: any WorkerShip
    let invoker: any WorkerInvoker
    let status: StatusBoard
    let clock: any WallClock
    let logger: Logger
    let metrics: DaemonMetrics?
    var alerts: AlertDispatcher? = nil
    /// What the worker's `context.aws(…)` is made from (nil: the process's default session).
    var awsSession: AWSSession? = nil
    /// Where each finished run is recorded (nil: no run history).
    var history: RunHistoryRecorder? = nil
    /// Where asynchronous invocations' records go (nil: no destinations; failed events are dead-lettered).
    var destinations: AsyncDestinationSender? = nil
    /// Failed runs awaiting the queue's settlement, by receipt handle (at most `Concurrency` at a time).
    let pending = Locked<[String: PendingRun]>([:])

    func handle(_ message: ReceivedMessage) async -> HandlingOutcome {
        // Asynchronous invocations follow Lambda's event invoke config; a kept invocation record is only delivered.
        switch message.attributes[FanOutEvent.attribute] {
        case InvocationMessage.event: return await handleAsyncEvent(message)
        case KeptInvocationRecord.event: return await deliverKept(message)
        default: break
        }
        switch await execute(message) {
        case .success: return .done
        case .failure(let failure): return .retry(failure)
        }
    }

    /// Runs the payload once and records the run: its result, or its failure (settled later through ``settled``).
    func execute(_ message: ReceivedMessage) async -> Result<[UInt8], WorkerFailure> {
        let address = PayloadAddress(attributes: message.attributes)
        let account = address.account
        let region = address.region
        var log = logger
        log[metadataKey: "worker"] = "\(configuration.name)"
        log[metadataKey: "message_id"] = "\(message.messageId)"
        log[metadataKey: "receive_count"] = "\(message.receiveCount)"
        if let account { log[metadataKey: "account_id"] = "\(account)" }
        if let region { log[metadataKey: "region"] = "\(region)" }
        if let template = address.template { log[metadataKey: "template"] = "\(template)" }
        let trace = MessageTrace.header(of: message)
        log[metadataKey: "trace_id"] = "\(trace.root)"

        var invocation = WorkerInvocation(
            worker: configuration.name, body: Array(message.body.utf8), account: account, region: region,
            commit: configuration.commit, messageId: message.messageId, receiveCount: message.receiveCount)
        invocation.template = address.template
        invocation.traceHeader = trace.text
        invocation.traceparent = message.attributes[TraceHeader.traceparentAttribute]
        let context = WorkerContext(
            worker: configuration.name, account: account, region: region, commit: configuration.commit,
            messageId: message.messageId, receiveCount: message.receiveCount, logger: log, invoker: invoker,
            awsSession: awsSession)
        metrics?.received(worker: configuration.name)
        let started = ContinuousClock.now
        let startedAt = clock.now()
        do {
            let result = try await run(invocation, context)
            let elapsed = ContinuousClock.now - started
            history?.record(message, started: startedAt, seconds: Self.seconds(elapsed), result: .success(result))
            metrics?.executed(worker: configuration.name, succeeded: true, seconds: Self.seconds(elapsed))
            log.info("worker succeeded", metadata: ["duration": "\(elapsed)", "result_bytes": "\(result.count)"])
            status.recordSuccess(configuration.name, at: clock.now())
            alerts?.postSuccess(
                result: result, worker: configuration, messageId: message.messageId, account: account,
                region: region, log: log)
            return .success(result)
        } catch {
            let failure = error as? WorkerFailure ?? WorkerFailure("\(error)")
            let seconds = Self.seconds(ContinuousClock.now - started)
            metrics?.executed(worker: configuration.name, succeeded: false, seconds: seconds)
            pending.withLock { $0[message.receiptHandle.rawValue] = PendingRun(started: startedAt, seconds: seconds) }
            return .failure(failure)
        }
    }

    /// A failed run, between its end and the queue's word on what became of it.
    struct PendingRun: Sendable {
        let started: Date
        let seconds: Double
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// A failed run once the queue has settled it: the log line, the status, the alert and the run history say what the
    /// queue did (retried, dead-lettered, or kept because the dead letter could not be made), not what it was expected to.
    func settled(_ message: ReceivedMessage, _ failure: WorkerFailure, _ disposition: FailureDisposition) {
        let run = pending.withLock { $0.removeValue(forKey: message.receiptHandle.rawValue) }
        history?.record(
            message, started: run?.started ?? clock.now(), seconds: run?.seconds ?? 0, result: .failure(failure),
            disposition: disposition)
        var log = logger
        log[metadataKey: "worker"] = "\(configuration.name)"
        log[metadataKey: "message_id"] = "\(message.messageId)"
        log[metadataKey: "receive_count"] = "\(message.receiveCount)"
        log[metadataKey: "trace_id"] = "\(MessageTrace.header(of: message).root)"
        let address = PayloadAddress(attributes: message.attributes)
        if let account = address.account { log[metadataKey: "account_id"] = "\(account)" }
        if let region = address.region { log[metadataKey: "region"] = "\(region)" }
        var meta: Logger.Metadata = ["error": "\(failure.message)"]
        if let status = failure.exitStatus { meta["exit_status"] = "\(status)" }
        if let tail = failure.stderrTail, !tail.isEmpty { meta["stderr_tail"] = "\(tail.suffix(500))" }
        let outcome: Alert.Outcome
        switch disposition {
        case .deadLettered(let location, let attempts):
            meta["path"] = "\(location)"
            log.error("worker failed on attempt \(attempts); the message was dead-lettered", metadata: meta)
            outcome = .deadLettered(attempts: attempts)
        case .retried(_, let attempt, let queueMax):
            // An asynchronous invocation gives up after 1 + MaximumRetryAttempts, before the queue's MaxReceiveCount.
            let isEvent = message.attributes[FanOutEvent.attribute] == InvocationMessage.event
            let max = isEvent ? min(queueMax, configuration.asyncInvocation.maximumAttempts) : queueMax
            log.warning("worker failed (attempt \(attempt) of \(max)); it will be retried", metadata: meta)
            outcome = .failedWillRetry(attempt: attempt, of: max)
        case .kept(let why):
            meta["kept"] = "\(why)"
            log.error("worker failed; the message stays on the queue and comes back: \(why)", metadata: meta)
            outcome = .failedWillRetry(attempt: message.receiveCount, of: configuration.maxReceiveCount)
        }
        status.recordFailure(configuration.name, at: clock.now(), error: failure.message)
        alerts?.post(
            .about(
                outcome, worker: configuration, messageId: message.messageId,
                account: address.account, region: address.region,
                failure: failure))
    }

    /// Runs the ship; Swift workers race a TimeoutSeconds timer on the injected clock and are cancelled when it wins.
    private func run(_ invocation: WorkerInvocation, _ context: WorkerContext) async throws -> [UInt8] {
        // Process and Lambda workers enforce TimeoutSeconds themselves (they kill the process group).
        if ship.enforcesItsOwnTimeout { return try await ship.execute(invocation, context: context) }
        let timeout = Double(configuration.timeoutSeconds)
        let ship = self.ship
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { try await ship.execute(invocation, context: context) }
            group.addTask { [clock] in
                try await clock.sleep(seconds: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                var failure = WorkerFailure(
                    "\(invocation.worker) ran longer than TimeoutSeconds (\(Int(timeout)) s) and was cancelled")
                failure.timedOut = true
                throw failure
            }
            return result
        }
    }
}
