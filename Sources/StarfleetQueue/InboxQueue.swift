import FoundationEssentials

/// A send-only ``MessageQueue`` that hands messages to the running daemon through its ``QueueInbox`` (a `send`
/// request the daemon carries out within a second): what `starfleetctl` uses when the daemon holds the queue's lock.
package struct InboxQueue: MessageQueue {
    package let name: String
    package let inbox: QueueInbox

    /// - Parameter root: `<state>/inbox`.
    package init(root: String, queue: String) {
        name = queue
        inbox = QueueInbox(root: root)
    }

    package func send(_ entries: [OutgoingMessage]) async throws -> [SendResult] {
        try inbox.submit(
            QueueRequest(action: .send, requestedAt: Date(), messages: entries.map(QueueRequest.Message.init)), queue: name)
        // The daemon assigns the ids when it carries the request out.
        return entries.map { _ in SendResult(messageId: "(handed to the daemon)", duplicate: false) }
    }

    package func receive(max: Int, visibilityTimeout: Double?, wait: Double) async throws -> [ReceivedMessage] {
        try unsupported("receive")
    }
    package func delete(_ receipt: ReceiptHandle) async throws -> Bool { try unsupported("delete") }
    package func changeVisibility(_ receipt: ReceiptHandle, timeout: Double) async throws { try unsupported("changeVisibility") }
    package func retryOrDeadLetter(_ receipt: ReceiptHandle, failure: FailureRecord, retryAfter: Double) async throws
        -> FailureDisposition
    { try unsupported("retryOrDeadLetter") }
    package func deadLetter(_ receipt: ReceiptHandle, failure: FailureRecord) async throws -> FailureDisposition {
        try unsupported("deadLetter")
    }
    package func receiveWhenAvailable(max: Int) async throws -> [ReceivedMessage] { try unsupported("receive") }
    package var parksUntilWoken: Bool { false }
    package func stats() async throws -> QueueStats { try unsupported("stats") }

    private func unsupported(_ operation: String) throws -> Never {
        throw QueueError(
            .unavailable, "the daemon owns queue \(name); \(operation) is not possible through its inbox",
            hint: "Stop the daemon to operate on the queue directly.", queue: name)
    }
}
