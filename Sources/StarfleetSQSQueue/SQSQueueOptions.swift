import StarfleetAWS
package import StarfleetQueue

/// How an ``SQSQueue`` behaves: the defaults the local queue would use, and what SQS cannot know (where the
/// operator's dead-letter files go, how FIFO messages are grouped).
package struct SQSQueueOptions: Sendable {
    /// Seconds a received message stays hidden when the receive does not say (the worker's VisibilityTimeoutSeconds).
    package var visibilityTimeout: Double
    /// The worker's MaxReceiveCount: used only when the queue has no RedrivePolicy (then starfleetd dead-letters the
    /// message itself, locally, and deletes it from SQS). With a RedrivePolicy its maxReceiveCount wins.
    package var maxReceiveCount: Int
    /// Where dead-letter files go: `<state>/dead-letter/<queue name>/<MessageId>.json`.
    package var deadLetters: DeadLetterDirectory
    /// FIFO queues: the MessageGroupId of a message (SQS delivers one group's messages one batch at a time).
    package var messageGroup: @Sendable (OutgoingMessage) -> String
    /// SendMessageBatch calls in flight at once for a large send (the Starbase sends thousands of payloads).
    package var sendConcurrency: Int
    /// How long the RedrivePolicy read from the queue is trusted before being read again.
    package var attributesTTL: Double
    /// How long ``SQSQueue/stats()`` reuses SQS's counts (the daemon reports every 2 s; SQS's counts are approximate
    /// and lag anyway, and every GetQueueAttributes call is billed).
    package var statsTTL: Double

    package init(
        visibilityTimeout: Double = 300, maxReceiveCount: Int = 4, deadLetters: DeadLetterDirectory,
        messageGroup: @escaping @Sendable (OutgoingMessage) -> String, sendConcurrency: Int = 4, attributesTTL: Double = 300,
        statsTTL: Double = 10
    ) {
        self.visibilityTimeout = visibilityTimeout
        self.maxReceiveCount = maxReceiveCount
        self.deadLetters = deadLetters
        self.messageGroup = messageGroup
        self.sendConcurrency = max(1, sendConcurrency)
        self.attributesTTL = attributesTTL
        self.statsTTL = statsTTL
    }
}
