import FoundationEssentials
import Logging
import StarfleetCore
import StarfleetQueue
import StarfleetWorkerKit

/// Asynchronous invocations (`InvocationType: Event`, `invoke --async`, a worker's `enqueue`) under Lambda's event
/// invoke config: at most 1 + MaximumRetryAttempts attempts, none after MaximumEventAgeInSeconds, and the invocation
/// record to OnSuccess / OnFailure. Without an OnFailure destination a failed event is dead-lettered, as before.
extension WorkerExecutor {
    func handleAsyncEvent(_ message: ReceivedMessage) async -> HandlingOutcome {
        let settings = configuration.asyncInvocation
        let rule = AsyncEventRule(settings)
        // Accepted when the queue took it: its SentTimestamp, stamped with the queue's clock.
        let acceptedAt = message.sentTimestamp
        if rule.isExpired(acceptedAt: acceptedAt, now: clock.now()) {
            let attempts = message.receiveCount - 1
            let failure = WorkerFailure(
                "EventAgeExceeded: the event is older than MaximumEventAgeInSeconds (\(settings.maximumEventAgeSeconds) s) "
                    + "and is not run again (\(attempts) attempt\(attempts == 1 ? "" : "s") ran)")
            let response = message.failures.last.map { InvocationRecord.errorDocument(message: $0.error, type: nil) }
            return await giveUp(message, failure, .eventAgeExceeded, attempts: attempts, response: response)
        }
        switch await execute(message) {
        case .success(let result):
            guard let destination = settings.onSuccess else { return .done }
            let record = invocationRecord(
                message, .success, attempts: message.receiveCount, functionError: nil, response: result)
            if let problem = await send(record, to: destination, key: "OnSuccess", message) {
                return .permanent(WorkerFailure("the event succeeded, but \(problem)"))
            }
            return .done
        case .failure(let failure):
            let delay = configuration.backoff.delay(afterAttempt: message.receiveCount, unit: Double.random(in: 0..<1))
            switch rule.afterFailure(attempt: message.receiveCount, acceptedAt: acceptedAt, now: clock.now(), delay: delay) {
            case .retry(let seconds):
                return .retryAfter(failure, seconds: seconds)
            case .exhausted:
                var exhausted = failure
                exhausted.message =
                    "RetriesExhausted after \(message.receiveCount) attempts (MaximumRetryAttempts \(settings.maximumRetryAttempts)): \(failure.message)"
                let response = InvocationRecord.errorDocument(
                    message: failure.errorMessage ?? failure.message, type: failure.errorType ?? "Unhandled")
                return await giveUp(message, exhausted, .retriesExhausted, attempts: message.receiveCount, response: response)
            }
        }
    }

    /// The event will not run again: its record to OnFailure (the message then leaves the queue), else the dead-letter
    /// folder.
    private func giveUp(
        _ message: ReceivedMessage, _ failure: WorkerFailure, _ condition: AsyncInvocationCondition, attempts: Int,
        response: [UInt8]?
    ) async -> HandlingOutcome {
        guard let destination = configuration.asyncInvocation.onFailure else { return .permanent(failure) }
        let record = invocationRecord(message, condition, attempts: attempts, functionError: "Unhandled", response: response)
        if let problem = await send(record, to: destination, key: "OnFailure", message) {
            var kept = failure
            kept.message += "; \(problem)"
            return .permanent(kept)
        }
        sentToOnFailure(message, failure, destination, attempts: attempts)
        return .done
    }

    /// A failed event whose record went to OnFailure: logged and recorded as leaving the queue for good (run history's
    /// dead-lettered, with the destination as where it went). No alert: OnFailure is the failure channel chosen, and
    /// there is no dead letter to inspect or redrive.
    private func sentToOnFailure(
        _ message: ReceivedMessage, _ failure: WorkerFailure, _ destination: AsyncDestination, attempts: Int
    ) {
        let run = pending.withLock { $0.removeValue(forKey: message.receiptHandle.rawValue) }
        history?.record(
            message, started: run?.started ?? clock.now(), seconds: run?.seconds ?? 0, result: .failure(failure),
            disposition: .deadLettered(location: "OnFailure destination \(destination)", attempts: attempts))
        var log = logger
        log[metadataKey: "worker"] = "\(configuration.name)"
        log[metadataKey: "message_id"] = "\(message.messageId)"
        log[metadataKey: "receive_count"] = "\(message.receiveCount)"
        log.error(
            "asynchronous invocation failed for good after \(attempts) attempt\(attempts == 1 ? "" : "s"); its record went to the OnFailure destination",
            metadata: ["error": "\(failure.message)", "destination": "\(destination)"])
        status.recordFailure(configuration.name, at: clock.now(), error: failure.message)
    }

    private func invocationRecord(
        _ message: ReceivedMessage, _ condition: AsyncInvocationCondition, attempts: Int, functionError: String?,
        response: [UInt8]?
    ) -> [UInt8] {
        InvocationRecord(
            timestamp: clock.now(), requestId: message.messageId.lowercased(),
            functionArn: InvocationRecord.functionArn(
                region: destinations?.region ?? "us-east-1",
                account: destinations?.configuration.starfleet.lambdaAccountId ?? InvocationRecord.defaultAccount,
                worker: configuration.name),
            condition: condition, approximateInvokeCount: attempts, requestPayload: Array(message.body.utf8),
            functionError: functionError, responsePayload: response
        ).json()
    }

    /// Sends the record now; if the destination cannot take it, keeps it on this worker's queue for delivery later.
    /// Returns what went wrong when it could be neither sent nor kept (the caller dead-letters the event instead).
    private func send(_ record: [UInt8], to destination: AsyncDestination, key: String, _ message: ReceivedMessage) async
        -> String?
    {
        var log = logger
        log[metadataKey: "worker"] = "\(configuration.name)"
        log[metadataKey: "message_id"] = "\(message.messageId)"
        log[metadataKey: "destination"] = "\(destination)"
        guard let destinations else { return "no destination sender is configured" }
        do {
            try await destinations.deliver(record, to: destination, from: configuration.name)
            log.info("invocation record sent to the \(key) destination")
            return nil
        } catch {
            do {
                try await destinations.keep(record, key: key, worker: configuration)
                log.warning(
                    "the \(key) destination cannot take the invocation record now; it is kept on the worker's queue and retried with its Backoff",
                    metadata: ["error": "\(error)"])
                return nil
            } catch let keepError {
                log.error(
                    "the \(key) destination cannot take the invocation record, and it could not be kept",
                    metadata: ["error": "\(error)", "keep_error": "\(keepError)"])
                return "its \(key) record could not be delivered to \(destination) (\(error)) nor kept (\(keepError))"
            }
        }
    }

    /// A record kept for a destination that could not take it: deliver it now, or retry with the worker's backoff
    /// (after MaxReceiveCount attempts it is dead-lettered: the record is then in the dead-letter folder).
    func deliverKept(_ message: ReceivedMessage) async -> HandlingOutcome {
        let key = message.attributes[KeptInvocationRecord.destinationAttribute] ?? ""
        let settings = configuration.asyncInvocation
        guard let destination = key == "OnSuccess" ? settings.onSuccess : key == "OnFailure" ? settings.onFailure : nil else {
            return .permanent(WorkerFailure("a kept invocation record for \(key), which this worker no longer has"))
        }
        guard let destinations else { return .retry(WorkerFailure("no destination sender is configured")) }
        do {
            try await destinations.deliver(Array(message.body.utf8), to: destination, from: configuration.name)
            var log = logger
            log[metadataKey: "worker"] = "\(configuration.name)"
            log.info("kept invocation record sent to the \(key) destination", metadata: ["destination": "\(destination)"])
            return .done
        } catch {
            return .retry(WorkerFailure("the \(key) destination \(destination) cannot take the invocation record: \(error)"))
        }
    }
}

/// An invocation record waiting on its worker's own queue for a destination that could not take it.
enum KeptInvocationRecord {
    /// The `StarfleetEvent` attribute of such a message.
    static let event = "invocation-record"
    /// `OnSuccess` or `OnFailure`.
    static let destinationAttribute = "StarfleetDestination"
}
