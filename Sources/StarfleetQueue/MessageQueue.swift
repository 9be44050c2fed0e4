/// A queue with Amazon SQS semantics: send (with delay), receive (batch, long poll, visibility timeout),
/// delete, change visibility, receive count, dead letters.
///
/// Two implementations code against it: ``JournalQueue`` (durable, local, this module) and an SQS-backed one.
/// Delivery is at-least-once: a consumer may see a message again after a crash or when its visibility
/// timeout runs out, so consumers must be idempotent.
package protocol MessageQueue: Sendable {
    /// The queue's name (for a worker's queue, the worker's name).
    var name: String { get }

    /// Enqueues `entries`. Durable before it returns: each entry is acknowledged only once its record has been
    /// written and fdatasync'ed (group commit: one fdatasync covers every record written meanwhile).
    /// The local queue takes any count in one record run (the Starbase sends 1,000 at a time); an SQS-backed one
    /// batches by 10.
    func send(_ entries: [OutgoingMessage]) async throws -> [SendResult]

    /// Receives 1...10 messages. Waits up to `wait` seconds (0...20) and returns as soon as one is visible;
    /// returns an empty array when the wait ends with nothing visible. `visibilityTimeout` nil = queue default.
    /// The receive count is durable before a message is returned.
    func receive(max: Int, visibilityTimeout: Double?, wait: Double) async throws -> [ReceivedMessage]

    /// Deletes the message the handle was issued for. Returns false (not an error) when the handle is stale
    /// (the message was received again since) or unknown (already deleted, dead-lettered, purged, expired).
    func delete(_ receipt: ReceiptHandle) async throws -> Bool

    /// Makes the message visible again `timeout` seconds from now (0 = now). The total time in flight is capped
    /// at 12 h from the receive: asking for more is an error, not clamped.
    func changeVisibility(_ receipt: ReceiptHandle, timeout: Double) async throws
    /// A failed attempt: records `failure` durably in the message's failure history, then retries the message
    /// `retryAfter` seconds from now, or dead-letters it at once when this was the last attempt the queue allows
    /// (receive count = its maxReceiveCount, or SQS's RedrivePolicy). Returns what it did.
    func retryOrDeadLetter(_ receipt: ReceiptHandle, failure: FailureRecord, retryAfter: Double) async throws
        -> FailureDisposition
    /// Dead-letters the message at once with `failure` recorded: for failures no retry can fix.
    func deadLetter(_ receipt: ReceiptHandle, failure: FailureRecord) async throws -> FailureDisposition

    /// Waits for messages as long as it takes: returns as soon as one is visible, or (for a queue that polls) when
    /// one poll ends empty; cancellation ends the wait. A consumer's idle wait.
    func receiveWhenAvailable(max: Int) async throws -> [ReceivedMessage]
    /// Whether ``receiveWhenAvailable(max:)`` parks without a timer, woken by the send that makes a message visible
    /// (a local queue), rather than polling: a loop parked there need not beat the watchdog.
    var parksUntilWoken: Bool { get }

    /// Counts of visible, in-flight and delayed messages, and the dead-lettered and expired counters.
    func stats() async throws -> QueueStats
}
