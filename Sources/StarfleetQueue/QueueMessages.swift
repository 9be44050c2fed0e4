package import FoundationEssentials

/// A message to enqueue.
package struct OutgoingMessage: Sendable, Hashable {
    /// The payload (at least 1 character; body plus attributes at most 1 MiB).
    package var body: String
    /// Seconds before the message first becomes visible, 0...900.
    package var delaySeconds: Int
    /// Message attributes (at most 10; names and values count toward the size limit).
    package var attributes: [String: String]
    /// A send with an id already seen within 5 minutes is accepted but not enqueued (FIFO-style dedup).
    package var deduplicationId: String?

    package init(body: String, delaySeconds: Int = 0, attributes: [String: String] = [:], deduplicationId: String? = nil) {
        self.body = body
        self.delaySeconds = delaySeconds
        self.attributes = attributes
        self.deduplicationId = deduplicationId
    }
}

/// The outcome of one entry of a send.
package struct SendResult: Sendable, Hashable {
    /// The new message's id, or the original message's id for a duplicate.
    package var messageId: String
    /// True when the deduplication id was seen within 5 minutes: accepted, not enqueued.
    package var duplicate: Bool

    package init(messageId: String, duplicate: Bool) {
        self.messageId = messageId
        self.duplicate = duplicate
    }
}

/// Proof of one particular receive of a message; only the most recent one may delete or extend it.
package struct ReceiptHandle: Sendable, Hashable, CustomStringConvertible {
    /// The opaque text form, safe to log and to pass back.
    package var rawValue: String

    package init(rawValue: String) { self.rawValue = rawValue }

    package var description: String { rawValue }
}

/// A received message.
package struct ReceivedMessage: Sendable {
    package var messageId: String
    package var receiptHandle: ReceiptHandle
    package var body: String
    package var attributes: [String: String]
    /// How many times the message has been received, this receive included.
    package var receiveCount: Int
    package var sentTimestamp: Date
    package var firstReceiveTimestamp: Date
    package var deduplicationId: String?
    /// Every failure reported for earlier attempts, oldest first.
    package var failures: [FailureRecord]

    package init(
        messageId: String, receiptHandle: ReceiptHandle, body: String, attributes: [String: String],
        receiveCount: Int, sentTimestamp: Date, firstReceiveTimestamp: Date, deduplicationId: String?,
        failures: [FailureRecord]
    ) {
        self.messageId = messageId
        self.receiptHandle = receiptHandle
        self.body = body
        self.attributes = attributes
        self.receiveCount = receiveCount
        self.sentTimestamp = sentTimestamp
        self.firstReceiveTimestamp = firstReceiveTimestamp
        self.deduplicationId = deduplicationId
        self.failures = failures
    }
}

/// One failed attempt at processing a message, as the dispatcher saw it.
package struct FailureRecord: Sendable, Codable, Hashable {
    package var time: Date
    /// The error text (a Swift error's description, or "exit status 3").
    package var error: String
    /// A process worker's exit status, when there was one.
    package var exitStatus: Int32?
    /// The last lines of a process worker's stderr.
    package var stderrTail: String?

    package init(time: Date, error: String, exitStatus: Int32? = nil, stderrTail: String? = nil) {
        self.time = time
        self.error = error
        self.exitStatus = exitStatus
        self.stderrTail = stderrTail
    }
}

/// A snapshot of a queue's counts.
package struct QueueStats: Sendable, Hashable, Codable {
    /// Messages that a receive would return now.
    package var visible: Int
    /// Messages received and neither deleted nor visible again yet.
    package var inFlight: Int
    /// Messages sent with a delay that has not run out.
    package var delayed: Int
    /// Messages this queue has moved to the dead-letter directory since it was opened.
    package var deadLettered: Int
    /// Messages dropped since the queue was opened because they outlived the retention period.
    package var expired: Int

    package init(visible: Int = 0, inFlight: Int = 0, delayed: Int = 0, deadLettered: Int = 0, expired: Int = 0) {
        self.visible = visible
        self.inFlight = inFlight
        self.delayed = delayed
        self.deadLettered = deadLettered
        self.expired = expired
    }
}
