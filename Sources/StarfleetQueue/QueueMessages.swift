public import FoundationEssentials

/// A message to enqueue.
public struct OutgoingMessage: Sendable, Hashable {
    /// The payload (at least 1 character; body plus attributes at most 1 MiB).
    public var body: String
    /// Seconds before the message first becomes visible, 0...900.
    public var delaySeconds: Int
    /// Message attributes (at most 10; names and values count toward the size limit).
    public var attributes: [String: String]
    /// A send with an id already seen within 5 minutes is accepted but not enqueued (FIFO-style dedup).
    public var deduplicationId: String?

    public init(body: String, delaySeconds: Int = 0, attributes: [String: String] = [:], deduplicationId: String? = nil) {
        self.body = body
        self.delaySeconds = delaySeconds
        self.attributes = attributes
        self.deduplicationId = deduplicationId
    }
}

/// The outcome of one entry of a send.
public struct SendResult: Sendable, Hashable {
    /// The new message's id, or the original message's id for a duplicate.
    public var messageId: String
    /// True when the deduplication id was seen within 5 minutes: accepted, not enqueued.
    public var duplicate: Bool

    public init(messageId: String, duplicate: Bool) {
        self.messageId = messageId
        self.duplicate = duplicate
    }
}

/// Proof of one particular receive of a message; only the most recent one may delete or extend it.
public struct ReceiptHandle: Sendable, Hashable, CustomStringConvertible {
    /// The opaque text form, safe to log and to pass back.
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }
}

/// A received message.
public struct ReceivedMessage: Sendable {
    public var messageId: String
    public var receiptHandle: ReceiptHandle
    public var body: String
    public var attributes: [String: String]
    /// How many times the message has been received, this receive included.
    public var receiveCount: Int
    public var sentTimestamp: Date
    public var firstReceiveTimestamp: Date
    public var deduplicationId: String?
    /// Every failure reported for earlier attempts, oldest first.
    public var failures: [FailureRecord]

    public init(
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
public struct FailureRecord: Sendable, Codable, Hashable {
    public var time: Date
    /// The error text (a Swift error's description, or "exit status 3").
    public var error: String
    /// A process worker's exit status, when there was one.
    public var exitStatus: Int32?
    /// The last lines of a process worker's stderr.
    public var stderrTail: String?

    public init(time: Date, error: String, exitStatus: Int32? = nil, stderrTail: String? = nil) {
        self.time = time
        self.error = error
        self.exitStatus = exitStatus
        self.stderrTail = stderrTail
    }
}

/// A snapshot of a queue's counts.
public struct QueueStats: Sendable, Hashable, Codable {
    /// Messages that a receive would return now.
    public var visible: Int
    /// Messages received and neither deleted nor visible again yet.
    public var inFlight: Int
    /// Messages sent with a delay that has not run out.
    public var delayed: Int
    /// Messages this queue has moved to the dead-letter directory since it was opened.
    public var deadLettered: Int
    /// Messages dropped since the queue was opened because they outlived the retention period.
    public var expired: Int

    public init(visible: Int = 0, inFlight: Int = 0, delayed: Int = 0, deadLettered: Int = 0, expired: Int = 0) {
        self.visible = visible
        self.inFlight = inFlight
        self.delayed = delayed
        self.deadLettered = deadLettered
        self.expired = expired
    }
}
