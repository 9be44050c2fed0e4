import Dispatch
import FoundationEssentials
import Logging
import StarfleetAWS
import StarfleetQueue

extension SQSQueue {
    /// Ends a message's life here: writes its dead-letter file (durably, off the cooperative pool), then either copies
    /// it to `copyTo` and deletes it (a permanent failure), makes it visible at once so SQS's RedrivePolicy moves it
    /// (the last attempt failed and the queue has a DLQ), or deletes it (no RedrivePolicy: starfleetd's MaxReceiveCount).
    /// If the file cannot be written the message is left alone: it comes back and a later attempt tries again.
    /// Returns where the dead letter went: its file.
    @discardableResult
    func finish(_ receipt: String, reason: String, permanent: Bool, copyTo target: SQSQueueURL?) async throws -> String {
        let path = { [options, name] (id: String) in (try? options.deadLetters.path(worker: name, id: id)) ?? "" }
        guard let held = state.withLock({ $0.held[receipt] }) else { return path("?") }
        let message = held.message
        let failures = state.withLock { $0.failures[message.messageId] ?? [] }
        let redrive = try await settings().redrive
        let letter = DeadLetter(
            queue: name, messageId: message.messageId, reason: reason, bodyText: message.body,
            attributes: Self.attributes(of: message),
            deduplicationId: message.deduplicationId, receiveCount: message.receiveCount,
            maxReceiveCount: redrive?.maxReceiveCount ?? options.maxReceiveCount,
            sentTimestamp: message.sentTimestamp ?? held.receivedAt,
            firstReceiveTimestamp: message.firstReceiveTimestamp, deadLetteredTimestamp: clock.now(), failures: failures)
        try await write(letter)
        let meta: Logger.Metadata = [
            "queue": "\(name)", "WORKER": "\(name)", "MESSAGE_ID": "\(message.messageId)",
            "RECEIVE_COUNT": "\(message.receiveCount)", "reason": "\(reason)",
            "path": "\(path(message.messageId))",
        ]
        if let target {
            var copy = SQSSendEntry(
                id: "dlq", body: message.body, attributes: message.attributes,
                messageGroupId: target.isFIFO ? Self.fifoToken(message.messageGroupId ?? name) : nil,
                deduplicationId: target.isFIFO ? Self.fifoToken(message.messageId) : nil)
            copy.traceHeader = message.systemAttributes["AWSTraceHeader"]
            let result = try await client.sendMessageBatch(queueUrl: target.url, entries: [copy])
            if let failed = result.failed.first {
                throw SQSError(
                    action: "SendMessageBatch", queueUrl: target.url, status: 200, code: failed.code, message: failed.message)
            }
        }
        if redrive != nil && !permanent {
            try await client.changeMessageVisibility(queueUrl: url.url, receiptHandle: receipt, visibilityTimeout: 0)
        } else {
            _ = try await client.deleteMessageBatch(queueUrl: url.url, entries: [(id: "d0", receiptHandle: receipt)])
        }
        release(receipt)
        state.withLock { $0.deadLettered += 1 }
        logger.warning("message dead-lettered", metadata: meta)
        return path(message.messageId)
    }

    /// Writes the dead-letter file on a dispatch queue: its fsyncs must not hold a cooperative thread.
    private func write(_ letter: DeadLetter) async throws {
        let directory = options.deadLetters
        let result: Result<Void, any Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(returning: Result { try directory.write(letter) })
            }
        }
        try result.get()
    }
}
