package import FoundationEssentials
package import StarfleetClock
package import StarfleetQueue

/// A ``MessageQueue`` in memory, on the test's clock: SQS's visibility timeout and receive count, and a record of
/// every send and settlement, so a test can say what was sent where and what was deleted, retried or
/// dead-lettered. A receive with a wait parks until a send or the end of its wait on the clock; ``failReceives(_:)``
/// makes the next receives throw.
package final class InMemoryQueue: MessageQueue {
    /// How one received message was settled.
    package enum Settlement: Sendable, Hashable, CustomStringConvertible {
        case deleted(body: String)
        case retried(body: String, after: Double, error: String?)
        case deadLettered(body: String, error: String)

        package var body: String {
            switch self {
            case .deleted(let body), .retried(let body, _, _), .deadLettered(let body, _): return body
            }
        }

        package var description: String {
            switch self {
            case .deleted(let body): return "deleted \(body)"
            case .retried(let body, let after, let error): return "retried \(body) after \(after) s (\(error ?? "-"))"
            case .deadLettered(let body, let error): return "dead-lettered \(body) (\(error))"
            }
        }
    }

    package struct Message: Sendable {
        package var id: String
        package var body: String
        package var attributes: [String: String]
        package var deduplicationId: String?
        package var receiveCount = 0
        package var visibleAt: Date
        package var receipt: String?
        package var failures: [FailureRecord] = []
    }

    package struct Contents: Sendable, CustomStringConvertible {
        package var messages: [Message] = []
        package var sent: [OutgoingMessage] = []
        package var settlements: [Settlement] = []
        package var receives = 0
        package var failingReceives = 0
        /// Bumped by every send: wakes long polls.
        package var sends = 0

        package var description: String {
            "\(messages.count) message(s), \(sent.count) sent, \(receives) receive(s), settlements \(settlements)"
        }
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package let name: String
    package let visibilityTimeout: Double
    package let maxReceiveCount: Int
    private let clock: any WallClock
    /// What the queue holds and what was done to it; tests wait on it.
    package let contents = Watched(Contents())

    package init(name: String = "Worker", clock: any WallClock, visibilityTimeout: Double = 30, maxReceiveCount: Int = 4) {
        self.name = name
        self.clock = clock
        self.visibilityTimeout = visibilityTimeout
        self.maxReceiveCount = maxReceiveCount
    }

    package var sent: [OutgoingMessage] { contents.value.sent }
    package var settlements: [Settlement] { contents.value.settlements }

    /// Makes the next `count` receives throw.
    package func failReceives(_ count: Int) { contents.update { $0.failingReceives += count } }

    /// Waits (event-driven) until `count` messages have been settled.
    package func waitForSettlements(_ count: Int, timeout: Duration = .seconds(30)) async throws {
        try await contents.wait(for: "\(count) settlement(s) on \(name)", timeout: timeout) { $0.settlements.count >= count }
    }

    package func send(_ entries: [OutgoingMessage]) async throws -> [SendResult] {
        let now = clock.now()
        return contents.update { c in
            entries.map { entry in
                c.sent.append(entry)
                if let dedup = entry.deduplicationId, let original = c.messages.first(where: { $0.deduplicationId == dedup }) {
                    return SendResult(messageId: original.id, duplicate: true)
                }
                let id = "m\(c.sent.count)"
                c.messages.append(
                    Message(
                        id: id, body: entry.body, attributes: entry.attributes, deduplicationId: entry.deduplicationId,
                        visibleAt: now.addingTimeInterval(Double(entry.delaySeconds))))
                c.sends += 1
                return SendResult(messageId: id, duplicate: false)
            }
        }
    }

    package func receive(max: Int, visibilityTimeout: Double?, wait: Double) async throws -> [ReceivedMessage] {
        let sendsBefore = contents.value.sends
        let taken = try take(max: max, visibilityTimeout: visibilityTimeout)
        if !taken.isEmpty || wait <= 0 { return taken }
        // Long poll: until a send or the end of the wait on the clock (cancellation ends it too).
        let clock = self.clock
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await self.contents.wait(for: "a send", timeout: .seconds(3600)) { $0.sends > sendsBefore } }
            group.addTask { try? await clock.sleep(seconds: wait) }
            await group.next()
            group.cancelAll()
        }
        return try take(max: max, visibilityTimeout: visibilityTimeout)
    }

    private func take(max: Int, visibilityTimeout: Double?) throws -> [ReceivedMessage] {
        let now = clock.now()
        let timeout = visibilityTimeout ?? self.visibilityTimeout
        return try contents.update { c -> Result<[ReceivedMessage], Failure> in
            c.receives += 1
            if c.failingReceives > 0 {
                c.failingReceives -= 1
                return .failure(Failure(description: "receive failed (injected)"))
            }
            var out: [ReceivedMessage] = []
            for index in c.messages.indices where out.count < max && c.messages[index].visibleAt <= now {
                c.messages[index].receiveCount += 1
                c.messages[index].visibleAt = now.addingTimeInterval(timeout)
                let receipt = "\(c.messages[index].id)#\(c.messages[index].receiveCount)"
                c.messages[index].receipt = receipt
                let m = c.messages[index]
                out.append(
                    ReceivedMessage(
                        messageId: m.id, receiptHandle: ReceiptHandle(rawValue: receipt), body: m.body, attributes: m.attributes,
                        receiveCount: m.receiveCount, sentTimestamp: now, firstReceiveTimestamp: now,
                        deduplicationId: m.deduplicationId, failures: m.failures))
            }
            return .success(out)
        }.get()
    }

    package func delete(_ receipt: ReceiptHandle) async throws -> Bool {
        contents.update { c in
            guard let index = c.messages.firstIndex(where: { $0.receipt == receipt.rawValue }) else { return false }
            c.settlements.append(.deleted(body: c.messages.remove(at: index).body))
            return true
        }
    }

    package func changeVisibility(_ receipt: ReceiptHandle, timeout: Double) async throws {
        let now = clock.now()
        contents.update { c in
            guard let index = c.messages.firstIndex(where: { $0.receipt == receipt.rawValue }) else { return }
            c.messages[index].visibleAt = now.addingTimeInterval(timeout)
        }
    }

    package func retryOrDeadLetter(_ receipt: ReceiptHandle, failure: FailureRecord, retryAfter: Double) async throws
        -> FailureDisposition
    {
        let now = clock.now()
        let maxReceiveCount = self.maxReceiveCount
        return contents.update { c -> FailureDisposition in
            guard let index = c.messages.firstIndex(where: { $0.receipt == receipt.rawValue }) else {
                return .kept("the receipt handle is stale")
            }
            c.messages[index].failures.append(failure)
            let attempt = c.messages[index].receiveCount
            // As the journal queue does: the last attempt's failure dead-letters at once.
            if attempt >= maxReceiveCount {
                let message = c.messages.remove(at: index)
                c.settlements.append(.deadLettered(body: message.body, error: failure.error))
                return .deadLettered(location: "memory:\(message.id)", attempts: attempt)
            }
            c.messages[index].visibleAt = now.addingTimeInterval(retryAfter)
            c.settlements.append(.retried(body: c.messages[index].body, after: retryAfter, error: failure.error))
            return .retried(visibleAt: c.messages[index].visibleAt, attempt: attempt, maxReceiveCount: maxReceiveCount)
        }
    }

    package func deadLetter(_ receipt: ReceiptHandle, failure: FailureRecord) async throws -> FailureDisposition {
        contents.update { c -> FailureDisposition in
            guard let index = c.messages.firstIndex(where: { $0.receipt == receipt.rawValue }) else {
                return .kept("the receipt handle is stale")
            }
            let message = c.messages.remove(at: index)
            c.settlements.append(.deadLettered(body: message.body, error: failure.error))
            return .deadLettered(location: "memory:\(message.id)", attempts: message.receiveCount)
        }
    }

    package func receiveWhenAvailable(max: Int) async throws -> [ReceivedMessage] {
        try await receive(max: max, visibilityTimeout: nil, wait: 1)
    }

    package var parksUntilWoken: Bool { false }

    package func stats() async throws -> QueueStats {
        let now = clock.now()
        return contents.update { c in
            var stats = QueueStats()
            for m in c.messages {
                if m.visibleAt <= now {
                    stats.visible += 1
                } else if m.receiveCount > 0 {
                    stats.inFlight += 1
                } else {
                    stats.delayed += 1
                }
            }
            stats.deadLettered = c.settlements.filter { if case .deadLettered = $0 { return true } else { return false } }.count
            return stats
        }
    }
}
