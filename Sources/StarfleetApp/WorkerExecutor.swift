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

    func handle(_ message: ReceivedMessage) async -> HandlingOutcome {
        let account = message.attributes["StarfleetAccount"]
        let region = message.attributes["StarfleetRegion"]
        var log = logger
        log[metadataKey: "worker"] = "\(configuration.name)"
        log[metadataKey: "message_id"] = "\(message.messageId)"
        log[metadataKey: "receive_count"] = "\(message.receiveCount)"
        if let account { log[metadataKey: "account_id"] = "\(account)" }
        if let region { log[metadataKey: "region"] = "\(region)" }
        if let template = message.attributes["StarfleetTemplate"] { log[metadataKey: "template"] = "\(template)" }

        var invocation = WorkerInvocation(
            worker: configuration.name, body: Array(message.body.utf8), account: account, region: region,
            commit: configuration.commit, messageId: message.messageId, receiveCount: message.receiveCount)
        invocation.template = message.attributes["StarfleetTemplate"]
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
            return .done
        } catch let failure as WorkerFailure {
            metrics?.executed(worker: configuration.name, succeeded: false, seconds: Self.seconds(ContinuousClock.now - started))
            history?.record(
                message, started: startedAt, seconds: Self.seconds(ContinuousClock.now - started), result: .failure(failure))
            fail(failure, log: log, message: message)
            return .retry(failure)
        } catch {
            let failure = WorkerFailure("\(error)")
            metrics?.executed(worker: configuration.name, succeeded: false, seconds: Self.seconds(ContinuousClock.now - started))
            history?.record(
                message, started: startedAt, seconds: Self.seconds(ContinuousClock.now - started), result: .failure(failure))
            fail(failure, log: log, message: message)
            return .retry(failure)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func fail(_ failure: WorkerFailure, log: Logger, message: ReceivedMessage) {
        let last = message.receiveCount >= configuration.maxReceiveCount
        var meta: Logger.Metadata = ["error": "\(failure.message)"]
        if let status = failure.exitStatus { meta["exit_status"] = "\(status)" }
        if let tail = failure.stderrTail, !tail.isEmpty { meta["stderr_tail"] = "\(tail.suffix(500))" }
        if last {
            log.error(
                "worker failed on its last attempt (\(message.receiveCount) of \(configuration.maxReceiveCount)); the message goes to the dead-letter folder",
                metadata: meta)
        } else {
            log.warning(
                "worker failed (attempt \(message.receiveCount) of \(configuration.maxReceiveCount)); it will be retried",
                metadata: meta)
        }
        status.recordFailure(configuration.name, at: clock.now(), error: failure.message)
        let outcome: Alert.Outcome =
            last
            ? .deadLettered(attempts: message.receiveCount)
            : .failedWillRetry(attempt: message.receiveCount, of: configuration.maxReceiveCount)
        alerts?.post(
            .about(
                outcome, worker: configuration, messageId: message.messageId,
                account: message.attributes["StarfleetAccount"], region: message.attributes["StarfleetRegion"],
                failure: failure))
    }

    /// Runs the ship; Swift workers race a TimeoutSeconds timer on the injected clock and are cancelled when it wins.
    private func run(_ invocation: WorkerInvocation, _ context: WorkerContext) async throws -> [UInt8] {
        // Process and Lambda workers enforce TimeoutSeconds themselves (they kill the process group).
        if ship is ProcessWorkerShip || ship is LambdaWorkerShip { return try await ship.execute(invocation, context: context) }
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
