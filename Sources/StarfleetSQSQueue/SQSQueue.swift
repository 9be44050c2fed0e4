internal import FoundationEssentials
package import Logging
package import StarfleetAWS
package import StarfleetClock
internal import StarfleetCrypto
package import StarfleetQueue
internal import Synchronization

/// A ``MessageQueue`` backed by an Amazon SQS queue: what lets several starfleetd hosts share one worker queue.
///
/// - send → SendMessageBatch (10 entries / 256 KiB per call, a few calls in parallel); FIFO queues get a
///   MessageGroupId (``SQSQueueOptions/messageGroup``) and the message's deduplication id, so the same payload sent
///   by two hosts within 5 minutes is delivered once.
/// - receive → ReceiveMessage (long poll, visibility timeout, `ApproximateReceiveCount` as the receive count).
/// - delete → DeleteMessageBatch; changeVisibility → ChangeMessageVisibility.
/// - Dead letters (see docs/multi-host.md): with a RedrivePolicy, SQS owns them — on the failure of the last allowed
///   attempt the failure text goes to the local dead-letter file and the message is made visible at once, so SQS
///   moves it to its DLQ on the next receive; a permanent failure is copied to that DLQ and deleted. Without a
///   RedrivePolicy starfleetd applies the worker's MaxReceiveCount itself: file written, message deleted.
///
/// SQS keeps no failure history on a message, so ``ReceivedMessage/failures`` holds the failures this process saw.
package final class SQSQueue: MessageQueue {
    package let name: String
    package let url: SQSQueueURL
    let client: SQSClient
    let options: SQSQueueOptions
    let clock: any WallClock
    let logger: Logger
    let state = Mutex(State())
    let deletes: SQSDeleteBatcher

    /// A message received here and not settled yet, kept to write its dead-letter file.
    struct Held: Sendable {
        var message: SQSMessage
        var receivedAt: Date
    }

    /// What the queue's attributes say about dead letters.
    struct Settings: Sendable {
        var redrive: SQSRedrivePolicy?
        var fetchedAt: Date
    }

    struct State: Sendable {
        /// By receipt handle.
        var held: [String: Held] = [:]
        /// Message id → its latest receipt handle here.
        var latestReceipt: [String: String] = [:]
        /// Message id → the failures this process recorded for it, oldest first.
        var failures: [String: [FailureRecord]] = [:]
        var deadLettered = 0
        var settings: Settings?
        /// SQS's last counts and when they were read.
        var counts: (stats: QueueStats, readAt: Date)?
    }

    /// In a dead letter's reason, what precedes the ARN of the SQS dead-letter queue that holds the message: such a
    /// letter is a record, and redriving it would send a second copy (`starfleetctl dlq redrive` refuses it).
    package static let deadLetterQueueMarker = "in its SQS dead-letter queue "

    /// Unsettled messages older than this are forgotten (SQS caps the time in flight at 12 h).
    static let heldLifetime: Double = 43_200
    /// At most this many messages' failure histories are kept.
    static let maxTrackedFailures = 10_000

    package init(
        name: String, url: SQSQueueURL, client: SQSClient, options: SQSQueueOptions, clock: any WallClock, logger: Logger
    ) {
        self.name = name
        self.url = url
        self.client = client
        self.options = options
        self.clock = clock
        self.logger = logger
        deletes = SQSDeleteBatcher(client: client, queueUrl: url.url, clock: clock)
    }

    // MARK: Send

    package func send(_ entries: [OutgoingMessage]) async throws -> [SendResult] {
        let prepared = entries.enumerated().map { index, message in entry(message, id: "m\(index)") }
        let batches = SQSClient.batches(prepared)
        var ids: [String: String] = [:]
        try await withThrowingTaskGroup(of: [String: String].self) { group in
            var next = 0
            while next < min(options.sendConcurrency, batches.count) {
                let batch = batches[next]
                group.addTask { try await self.sendBatch(batch) }
                next += 1
            }
            while let done = try await group.next() {
                ids.merge(done) { $1 }
                if next < batches.count {
                    let batch = batches[next]
                    group.addTask { try await self.sendBatch(batch) }
                    next += 1
                }
            }
        }
        // SQS answers a FIFO duplicate like a fresh send, so `duplicate` is always false here.
        return prepared.map { SendResult(messageId: ids[$0.id] ?? "", duplicate: false) }
    }

    /// The SendMessageBatch entry for one message.
    func entry(_ message: OutgoingMessage, id: String) -> SQSSendEntry {
        // The payload's trace travels as SQS's own AWSTraceHeader system attribute, as X-Ray-traced producers send it.
        var attributes = message.attributes
        let trace = attributes.removeValue(forKey: DeadLetter.traceAttribute)
        var entry: SQSSendEntry
        if url.isFIFO {
            // FIFO needs a deduplication id; a message without one must not be deduplicated, so it gets a unique one.
            let dedup =
                message.deduplicationId ?? "\(id)-\(UInt64.random(in: 0...UInt64.max))-\(clock.now().timeIntervalSince1970)"
            entry = SQSSendEntry(
                id: id, body: message.body, attributes: attributes,
                messageGroupId: Self.fifoToken(options.messageGroup(message)),
                deduplicationId: Self.fifoToken(dedup))
        } else {
            entry = SQSSendEntry(
                id: id, body: message.body, delaySeconds: message.delaySeconds > 0 ? message.delaySeconds : nil,
                attributes: attributes)
        }
        entry.traceHeader = trace
        return entry
    }

    /// One batch, retrying entries SQS failed on its side (not the sender's fault) like the SDKs do.
    private func sendBatch(_ batch: [SQSSendEntry]) async throws -> [String: String] {
        var pending = batch
        var ids: [String: String] = [:]
        var attempt = 0
        while true {
            attempt += 1
            let result = try await client.sendMessageBatch(queueUrl: url.url, entries: pending)
            ids.merge(result.successful) { $1 }
            if result.failed.isEmpty { return ids }
            let retryable = result.failed.allSatisfy { !$0.senderFault }
            if !retryable || attempt >= 3 {
                let first = result.failed.first(where: \.senderFault) ?? result.failed[0]
                throw SQSError(
                    action: "SendMessageBatch", queueUrl: url.url, status: 200, code: first.code,
                    message: "\(result.failed.count) of \(pending.count) entries failed: \(first.message ?? first.code)",
                    attempts: attempt)
            }
            let failedIDs = Set(result.failed.map(\.id))
            pending = pending.filter { failedIDs.contains($0.id) }
            try await clock.sleep(seconds: 0.2 * Double(attempt))
        }
    }

    /// FIFO group and deduplication ids: at most 128 characters of letters, digits and ASCII punctuation.
    static func fifoToken(_ text: String) -> String {
        let cleaned = String(
            text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0.isPunctuation || $0.isSymbol) ? $0 : "_" })
        guard cleaned.count > 128 else { return cleaned.isEmpty ? "_" : cleaned }
        // Keep it unique when cut: a prefix plus the hash of the whole.
        return String(cleaned.prefix(63)) + "-" + Digest.sha256Hex(text)
    }

    // MARK: Receive

    package func receive(max count: Int, visibilityTimeout: Double?, wait: Double) async throws -> [ReceivedMessage] {
        guard (1...QueueLimits.maxReceiveBatch).contains(count), wait >= 0, wait <= QueueLimits.maxWaitSeconds else {
            throw QueueError(
                .invalidParameterValue, "receive takes 1...10 messages and waits 0...20 s",
                hint: "Pass max 1...10 and wait 0...20.", queue: name)
        }
        let settings = try await settings()
        let hidden = Int((visibilityTimeout ?? options.visibilityTimeout).rounded(.up))
        // One attempt: the consumer's loop retries a second later, and a receive must stay short enough for its loop
        // to keep beating the systemd watchdog while SQS is unreachable.
        let messages = try await client.receiveMessage(
            queueUrl: url.url, maxNumberOfMessages: count, visibilityTimeout: hidden, waitTimeSeconds: Int(wait.rounded(.up)),
            retry: RetryPolicy.none)
        let now = clock.now()
        var received: [ReceivedMessage] = []
        for message in messages {
            if settings.redrive == nil && message.receiveCount > options.maxReceiveCount {
                // No RedrivePolicy: starfleetd enforces MaxReceiveCount itself (e.g. after crashes mid-attempt).
                hold(message, at: now)
                do {
                    try await finish(message.receiptHandle, reason: "maxReceiveCount exceeded", permanent: false, copyTo: nil)
                } catch {
                    logger.error(
                        "could not dead-letter a message past MaxReceiveCount; it comes back later",
                        metadata: ["queue": "\(name)", "MESSAGE_ID": "\(message.messageId)", "error": "\(error)"])
                }
                continue
            }
            let failures = hold(message, at: now)
            received.append(
                ReceivedMessage(
                    messageId: message.messageId, receiptHandle: ReceiptHandle(rawValue: message.receiptHandle),
                    body: message.body,
                    attributes: Self.attributes(of: message), receiveCount: message.receiveCount,
                    sentTimestamp: message.sentTimestamp ?? now,
                    firstReceiveTimestamp: message.firstReceiveTimestamp ?? now, deduplicationId: message.deduplicationId,
                    failures: failures))
        }
        return received
    }

    /// The message attributes, with the AWSTraceHeader system attribute (ours, or another producer's X-Ray header)
    /// back under the attribute name the daemon reads it from.
    static func attributes(of message: SQSMessage) -> [String: String] {
        var attributes = message.attributes
        if attributes[DeadLetter.traceAttribute] == nil, let trace = message.systemAttributes["AWSTraceHeader"] {
            attributes[DeadLetter.traceAttribute] = trace
        }
        return attributes
    }

    /// Remembers a received message until it is settled; returns its failure history here.
    @discardableResult
    private func hold(_ message: SQSMessage, at now: Date) -> [FailureRecord] {
        state.withLock { s in
            if let older = s.latestReceipt[message.messageId] { s.held[older] = nil }
            s.held[message.receiptHandle] = Held(message: message, receivedAt: now)
            s.latestReceipt[message.messageId] = message.receiptHandle
            let cutoff = now.addingTimeInterval(-Self.heldLifetime)
            if s.held.count > 1000, s.held.values.contains(where: { $0.receivedAt < cutoff }) {
                for (receipt, held) in s.held where held.receivedAt < cutoff {
                    s.held[receipt] = nil
                    s.latestReceipt[held.message.messageId] = nil
                }
            }
            return s.failures[message.messageId] ?? []
        }
    }

    /// Forgets a settled message.
    func release(_ receipt: String) {
        state.withLock { s in
            guard let held = s.held.removeValue(forKey: receipt) else { return }
            if s.latestReceipt[held.message.messageId] == receipt { s.latestReceipt[held.message.messageId] = nil }
            s.failures[held.message.messageId] = nil
        }
    }

    // MARK: Settle

    /// Deletes through DeleteMessageBatch, together with the deletes other consumers make at the same moment.
    package func delete(_ receipt: ReceiptHandle) async throws -> Bool {
        defer { release(receipt.rawValue) }
        return try await deletes.delete(receipt.rawValue)
    }

    package func changeVisibility(_ receipt: ReceiptHandle, timeout: Double) async throws {
        try Self.checkVisibility(timeout, queue: name)
        try await client.changeMessageVisibility(
            queueUrl: url.url, receiptHandle: receipt.rawValue, visibilityTimeout: Int(timeout.rounded(.up)))
    }

    /// The last attempt is the one whose receive count reaches the RedrivePolicy's maxReceiveCount when the queue has
    /// one (SQS would move the message at its next receive), else this queue's own.
    package func retryOrDeadLetter(_ receipt: ReceiptHandle, failure: FailureRecord, retryAfter: Double) async throws
        -> FailureDisposition
    {
        try Self.checkVisibility(retryAfter, queue: name)
        let settings = try await settings()
        let limit = settings.redrive?.maxReceiveCount ?? options.maxReceiveCount
        let held = record(failure, for: receipt.rawValue)
        if let held, held.message.receiveCount >= limit {
            return await kept {
                let location = try await finish(
                    receipt.rawValue, reason: lastAttemptReason(settings), permanent: false, copyTo: nil)
                return .deadLettered(location: location, attempts: held.message.receiveCount)
            }
        }
        try await client.changeMessageVisibility(
            queueUrl: url.url, receiptHandle: receipt.rawValue, visibilityTimeout: Int(retryAfter.rounded(.up)))
        return .retried(
            visibleAt: clock.now().addingTimeInterval(retryAfter.rounded(.up)), attempt: held?.message.receiveCount ?? 0,
            maxReceiveCount: limit)
    }

    private static func checkVisibility(_ timeout: Double, queue: String) throws {
        guard timeout >= 0, timeout <= QueueLimits.maxVisibilityTimeout else {
            throw QueueError(
                .invalidParameterValue, "VisibilityTimeout \(timeout) is outside 0...43200",
                hint: "Use 0 to 43,200 seconds.", queue: queue)
        }
    }

    package func deadLetter(_ receipt: ReceiptHandle, failure: FailureRecord) async throws -> FailureDisposition {
        guard let held = record(failure, for: receipt.rawValue) else {
            throw QueueError(
                .receiptHandleIsInvalid, "the receipt handle was not issued by this queue in this process",
                hint: "Pass the receiptHandle of a ReceivedMessage unchanged.", queue: name)
        }
        let settings = try await settings()
        let target = settings.redrive.flatMap { SQSQueueURL(arn: $0.deadLetterTargetArn) }
        var reason = "failed in a way no retry can fix"
        if let target { reason += "; copied by starfleetd, now " + Self.deadLetterQueueMarker + target.arn }
        return await kept {
            let location = try await finish(receipt.rawValue, reason: reason, permanent: true, copyTo: target)
            return .deadLettered(location: location, attempts: held.message.receiveCount)
        }
    }

    /// A dead letter that could not be written or moved leaves the message on the queue: it comes back when its
    /// visibility timeout ends, and the caller hears so rather than of a dead letter that never happened.
    private func kept(_ body: () async throws -> FailureDisposition) async -> FailureDisposition {
        do {
            return try await body()
        } catch {
            return .kept("the dead letter could not be made (\(error)); the message comes back when its visibility timeout ends")
        }
    }

    /// One long poll: the consumer polls again while it is empty (an HTTP long poll is not cut short by
    /// cancellation, so it bounds how late a stop is noticed).
    /// A long poll of up to ``idlePollSeconds``. Cancelling the caller (a stop or reload) returns at once with
    /// CancellationError, but the poll itself runs on: SQS would keep a closed poll open on its side anyway and hand it
    /// the next message, which would then stay hidden for the whole visibility timeout. Whatever the abandoned poll
    /// receives is made visible again at once (ChangeMessageVisibility 0) for the next poll, on this host or another.
    package func receiveWhenAvailable(max: Int) async throws -> [ReceivedMessage] {
        let race = AbandonablePoll()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard race.start(continuation) else { return }
                Task {
                    let result: Result<[ReceivedMessage], any Error>
                    do {
                        result = .success(
                            try await self.receive(max: max, visibilityTimeout: nil, wait: Self.idlePollSeconds))
                    } catch {
                        result = .failure(error)
                    }
                    guard !race.finish(result), case .success(let messages) = result else { return }
                    await self.giveBack(messages)
                }
            }
        } onCancel: {
            race.abandon()
        }
    }

    /// Makes messages an abandoned poll received visible again at once.
    private func giveBack(_ messages: [ReceivedMessage]) async {
        for message in messages {
            do {
                try await client.changeMessageVisibility(
                    queueUrl: url.url, receiptHandle: message.receiptHandle.rawValue, visibilityTimeout: 0)
            } catch {
                logger.notice(
                    "a message received by a cancelled poll could not be made visible again; it comes back after its visibility timeout",
                    metadata: ["queue": "\(name)", "MESSAGE_ID": "\(message.messageId)", "error": "\(error)"])
            }
            release(message.receiptHandle.rawValue)
        }
    }

    package var parksUntilWoken: Bool { false }

    /// How long one idle receive waits for a message: SQS's longest long poll, as AWS's own Lambda pollers use (three
    /// ReceiveMessage calls a minute per idle receive loop). SQS answers as soon as a message arrives, and a stop or
    /// reload cancels the poll instead of waiting it out.
    package static let idlePollSeconds = 20.0

    private func lastAttemptReason(_ settings: Settings) -> String {
        let base = "failed on its last allowed attempt (receive count reached maxReceiveCount)"
        guard let redrive = settings.redrive else { return base + "; deleted from \(url.arn)" }
        return base + "; moved by SQS (RedrivePolicy), now " + Self.deadLetterQueueMarker + redrive.deadLetterTargetArn
    }

    /// Appends a failure to the message's history here; returns the held message (nil when unknown here).
    private func record(_ failure: FailureRecord, for receipt: String) -> Held? {
        state.withLock { s in
            guard let held = s.held[receipt] else { return nil }
            var list = s.failures[held.message.messageId] ?? []
            list.append(failure)
            if list.count > QueueLimits.maxFailuresKept { list.removeFirst(list.count - QueueLimits.maxFailuresKept) }
            if s.failures[held.message.messageId] == nil, s.failures.count >= Self.maxTrackedFailures,
                let victim = s.failures.keys.first
            {
                s.failures[victim] = nil
            }
            s.failures[held.message.messageId] = list
            return held
        }
    }

    // MARK: Stats

    /// SQS's approximate counts (GetQueueAttributes, one attempt with a short timeout: a status report must not
    /// hang on an unreachable SQS; reused for ``SQSQueueOptions/statsTTL`` seconds), plus this process's dead-letter
    /// count.
    package func stats() async throws -> QueueStats {
        let now = clock.now()
        if let cached = state.withLock({ s in s.counts.map { (stats: $0.stats, readAt: $0.readAt, dead: s.deadLettered) } }),
            now.timeIntervalSince(cached.readAt) < options.statsTTL, now >= cached.readAt
        {
            var stats = cached.stats
            stats.deadLettered = cached.dead
            return stats
        }
        let attributes = try await client.getQueueAttributes(
            queueUrl: url.url,
            names: [
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
            ],
            timeout: 5, retry: RetryPolicy.none)
        func count(_ key: String) -> Int { attributes[key].flatMap { Int($0) } ?? 0 }
        return state.withLock { s in
            let stats = QueueStats(
                visible: count("ApproximateNumberOfMessages"), inFlight: count("ApproximateNumberOfMessagesNotVisible"),
                delayed: count("ApproximateNumberOfMessagesDelayed"), deadLettered: s.deadLettered)
            s.counts = (stats, now)
            return stats
        }
    }

    /// The RedrivePolicy, read from the queue and trusted for ``SQSQueueOptions/attributesTTL`` seconds.
    func settings() async throws -> Settings {
        let now = clock.now()
        if let cached = state.withLock({ $0.settings }), now.timeIntervalSince(cached.fetchedAt) < options.attributesTTL {
            return cached
        }
        let attributes = try await client.getQueueAttributes(
            queueUrl: url.url, names: ["RedrivePolicy"], timeout: 5, retry: RetryPolicy.none)
        let settings = Settings(redrive: SQSRedrivePolicy.parse(attributes["RedrivePolicy"]), fetchedAt: now)
        let changed = state.withLock { s -> Bool in
            defer { s.settings = settings }
            return s.settings?.redrive != settings.redrive
        }
        if changed {
            if let redrive = settings.redrive {
                if redrive.maxReceiveCount != options.maxReceiveCount {
                    logger.notice(
                        "the SQS queue's RedrivePolicy sets maxReceiveCount; it wins over the worker's MaxReceiveCount",
                        metadata: [
                            "queue": "\(name)", "url": "\(url)", "maxReceiveCount": "\(redrive.maxReceiveCount)",
                            "MaxReceiveCount": "\(options.maxReceiveCount)", "dlq": "\(redrive.deadLetterTargetArn)",
                        ])
                }
            } else {
                logger.notice(
                    "the SQS queue has no RedrivePolicy; starfleetd dead-letters after MaxReceiveCount receives itself (file, then delete)",
                    metadata: ["queue": "\(name)", "url": "\(url)", "MaxReceiveCount": "\(options.maxReceiveCount)"])
            }
        }
        return settings
    }
}
