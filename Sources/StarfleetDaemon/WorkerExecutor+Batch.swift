import FoundationEssentials
import Logging
import StarfleetCore
import StarfleetQueue
import StarfleetWorkerKit

extension WorkerExecutor {
    /// Runs a batch of records as one invocation of `ship` and says what became of each record: the handler's
    /// response read under Lambda's partial batch response rules (``BatchResponse``) when the worker reports batch
    /// item failures, else success unless the invocation failed. A failed invocation (an error, a timeout, a crashed
    /// process) fails every record. Each record's success is recorded here, its failure once the queue settles it.
    func handleBatch(_ messages: [ReceivedMessage], ship: any BatchingShip) async -> [HandlingOutcome] {
        guard let first = messages.first else { return [] }
        var log = logger
        log[metadataKey: "worker"] = "\(configuration.name)"
        log[metadataKey: "message_id"] = "\(first.messageId)"
        log[metadataKey: "batch_size"] = "\(messages.count)"
        let records = messages.map { message in
            let address = PayloadAddress(attributes: message.attributes)
            var invocation = WorkerInvocation(
                worker: configuration.name, body: Array(message.body.utf8), account: address.account,
                region: address.region, commit: configuration.commit, messageId: message.messageId,
                receiveCount: message.receiveCount)
            invocation.template = address.template
            invocation.traceHeader = MessageTrace.header(of: message).text
            invocation.traceparent = message.attributes[TraceHeader.traceparentAttribute]
            return SQSBatchRecord(
                invocation: invocation, receiptHandle: message.receiptHandle.rawValue, attributes: message.attributes,
                sentTimestamp: message.sentTimestamp, firstReceiveTimestamp: message.firstReceiveTimestamp)
        }
        let context = WorkerContext(
            worker: configuration.name, account: records[0].invocation.account, region: records[0].invocation.region,
            commit: configuration.commit, messageId: first.messageId, receiveCount: first.receiveCount, logger: log,
            invoker: invoker, awsSession: awsSession)
        for _ in messages { metrics?.received(worker: configuration.name) }
        let started = ContinuousClock.now
        let startedAt = clock.now()
        let response: [UInt8]
        let failedIds: Set<String>
        let failure: WorkerFailure
        do {
            response = try await ship.execute(batch: records, context: context)
            switch BatchResponse.verdict(
                of: response, messageIds: messages.map(\.messageId),
                reportsBatchItemFailures: configuration.sqsTrigger.reportsBatchItemFailures)
            {
            case .allSucceeded:
                failedIds = []
                failure = WorkerFailure("")
            case .someFailed(let ids):
                failedIds = Set(ids)
                failure = WorkerFailure("the handler reported this record failed (batchItemFailures)")
            case .allFailed(let reason):
                failedIds = Set(messages.map(\.messageId))
                failure = WorkerFailure(
                    "the batch response breaks Lambda's partial batch response rules (\(reason)); every record of the batch is retried"
                )
                log.warning("malformed batch response; the whole batch fails", metadata: ["reason": "\(reason)"])
            }
        } catch {
            response = []
            failedIds = Set(messages.map(\.messageId))
            failure = error as? WorkerFailure ?? WorkerFailure("\(error)")
        }
        let seconds = Self.seconds(ContinuousClock.now - started)
        var outcomes: [HandlingOutcome] = []
        for message in messages {
            let failed = failedIds.contains(message.messageId)
            metrics?.executed(worker: configuration.name, succeeded: !failed, seconds: seconds)
            if failed {
                pending.withLock { $0[message.receiptHandle.rawValue] = PendingRun(started: startedAt, seconds: seconds) }
                outcomes.append(.retry(failure))
            } else {
                history?.record(message, started: startedAt, seconds: seconds, result: .success(response))
                status.recordSuccess(configuration.name, at: clock.now())
                outcomes.append(.done)
            }
        }
        if failedIds.count < messages.count {
            log.info(
                "batch ran",
                metadata: [
                    "duration": "\(ContinuousClock.now - started)", "failed_records": "\(failedIds.count)",
                    "result_bytes": "\(response.count)",
                ])
            // One response, one success alert: the batch's, under its first record's id.
            let address = PayloadAddress(attributes: first.attributes)
            alerts?.postSuccess(
                result: response, worker: configuration, messageId: first.messageId, account: address.account,
                region: address.region, log: log)
        }
        return outcomes
    }

    /// A message the worker's FilterCriteria did not match, once the queue has deleted it.
    func filtered(_ message: ReceivedMessage) {
        history?.recordFiltered(message, at: clock.now())
        metrics?.filtered(worker: configuration.name)
        var log = logger
        log[metadataKey: "worker"] = "\(configuration.name)"
        log[metadataKey: "message_id"] = "\(message.messageId)"
        log.debug("message filtered out (FilterCriteria); deleted unseen")
    }
}
