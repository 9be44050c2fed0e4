import StarfleetCore
import StarfleetCrypto
import StarfleetQueue

/// Sends a planned fan-out to the worker's queue in bounded chunks: each chunk's bodies are built, encoded and made
/// durable before the next one is built, so a 100,000-payload fan-out holds one chunk of payloads at a time instead of
/// every body, its message and its encoded record at once (738 MB at peak for 100,011 payloads of ~1 KiB).
///
/// What a failure part-way leaves is what a crash during one big send always could: the chunks already durable stay
/// on the worker's queue. The fan-out message is then retried (a failed send) or delivered again (a crash), and every
/// payload's deduplication id — the event, worker, template and target, as before — makes the resend of a chunk that
/// is already durable a duplicate, not a second payload (within the queue's five-minute deduplication window).
/// Before anything is sent, every message is checked against the queue's rules, so a payload that can never be sent
/// fails the fan-out with nothing enqueued.
struct FanOutSender {
    /// At most this many payloads are built and sent at once…
    static let chunkPayloads = 1_000
    /// …and no more bodies than this (payloads run up to 1 MiB each).
    static let chunkBytes = 4 << 20

    let targets: FanOutTargets
    let key: String
    let eventID: String
    var chunkPayloads = Self.chunkPayloads
    var chunkBytes = Self.chunkBytes
    /// The fan-out event's trace: every payload carries its Root (attribute `StarfleetTraceHeader`).
    var trace: TraceHeader? = nil

    /// How far a send got: what is durable on the queue (new or already there) when it returns or throws.
    struct Progress {
        var sent = 0
        var duplicates = 0
    }

    /// The first payload the queue would refuse whatever is retried (too large, a character SQS refuses), with the
    /// queue's error; nil when every message can be sent.
    func firstInvalid(queue: String) -> (payload: WorkerPayload, error: any Error)? {
        for index in 0..<targets.count {
            let payload = targets.payload(at: index)
            do {
                try message(for: payload, deduplicated: false).validate(queue: queue)
            } catch {
                return (payload, error)
            }
        }
        return nil
    }

    /// Sends every payload, chunk by chunk, in the plan's order. `progress` says how much was durable, also when it throws.
    func send(to queue: any MessageQueue, progress: inout Progress) async throws {
        var start = 0
        while start < targets.count {
            var chunk: [OutgoingMessage] = []
            chunk.reserveCapacity(min(chunkPayloads, targets.count - start))
            var bytes = 0
            while start + chunk.count < targets.count, chunk.count < chunkPayloads, chunk.isEmpty || bytes < chunkBytes {
                let message = message(for: targets.payload(at: start + chunk.count), deduplicated: true)
                bytes += message.body.utf8.count
                chunk.append(message)
            }
            let results = try await queue.send(chunk)
            let duplicates = results.filter(\.duplicate).count
            progress.sent += chunk.count - duplicates
            progress.duplicates += duplicates
            start += chunk.count
        }
    }

    private func message(for payload: WorkerPayload, deduplicated: Bool) -> OutgoingMessage {
        var attributes = PayloadAddress(account: payload.account, region: payload.region, template: key).attributes
        attributes[FanOutEvent.attribute] = eventID
        if let trace { attributes[TraceHeader.attribute] = TraceHeader(root: trace.root, sampled: trace.sampled).text }
        return OutgoingMessage(
            body: payload.bodyText, attributes: attributes,
            deduplicationId: deduplicated ? Digest.sha256Hex("\(eventID)|\(targets.worker)|\(key)|\(payload.target)") : nil)
    }
}
