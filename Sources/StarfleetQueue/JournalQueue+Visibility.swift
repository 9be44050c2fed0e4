extension JournalQueue {
    /// Deletes with the most recent receipt handle. The delete record goes out with the next group commit but
    /// is not waited for (a crash may lose it: the message is then delivered again, at-least-once).
    package func delete(_ receipt: ReceiptHandle) async throws -> Bool {
        guard let handle = receipt.parsed else { throw invalidHandle(receipt) }
        let (deleted, shrunk) = try state.withLock { s -> (Bool, Bool) in
            try checkUsable(s)
            guard let entry = s.index[handle.id], !entry.leaving, entry.receiveCount == handle.receiveCount else {
                return (false, false)
            }
            s.index.remove(handle.id)
            s.append(.delete(id: handle.id, receiveCount: handle.receiveCount))
            scheduleFlush(&s)
            return (true, s.index.shrinkIfEmpty())
        }
        // The queue drained after holding many messages: return the index's memory to the system.
        if shrunk { FreeMemory.release() }
        return deleted
    }

    private struct VisibilityChange {
        var deadLetterNow: Taken?
        var wakeReceivers: Bool
        var visibleAtMs: Int64 = 0
        var receiveCount: Int = 0
    }

    package func changeVisibility(_ receipt: ReceiptHandle, timeout: Double) async throws {
        _ = try await changeVisibility(receipt, timeout: timeout, failure: nil, permanent: false)
    }

    package func retryOrDeadLetter(_ receipt: ReceiptHandle, failure: FailureRecord, retryAfter: Double) async throws
        -> FailureDisposition
    {
        try await settleFailure { try await changeVisibility(receipt, timeout: retryAfter, failure: failure, permanent: false) }
    }

    /// Dead-letters the message now, whatever its receive count: for failures that no retry can fix (a template
    /// that fails its schema, a worker that does not exist). The failure is recorded in the dead-letter file.
    package func deadLetter(_ receipt: ReceiptHandle, failure: FailureRecord) async throws -> FailureDisposition {
        try await settleFailure { try await changeVisibility(receipt, timeout: 0, failure: failure, permanent: true) }
    }

    /// A handle that no longer names the message in flight (received again since, or gone) leaves it as it is.
    private func settleFailure(_ body: () async throws -> FailureDisposition) async throws -> FailureDisposition {
        do {
            return try await body()
        } catch let error as QueueError where error.code == .messageNotInflight {
            return .kept(error.message)
        }
    }

    private func changeVisibility(_ receipt: ReceiptHandle, timeout: Double, failure: FailureRecord?, permanent: Bool)
        async throws -> FailureDisposition
    {
        guard let handle = receipt.parsed else { throw invalidHandle(receipt) }
        guard timeout >= 0, timeout <= QueueLimits.maxVisibilityTimeout else {
            throw QueueError(
                .invalidParameterValue, "VisibilityTimeout \(timeout) is outside 0...43200",
                hint: "Use 0 to 43,200 seconds.", queue: name, messageId: handle.id.description)
        }
        let maxReceiveCount = Int32(self.maxReceiveCount)
        let (change, _) = try await journaled { s -> VisibilityChange in
            let now = nowMs()
            guard var entry = s.index[handle.id], !entry.leaving else {
                throw QueueError(
                    .messageNotInflight, "the message is no longer in the queue (deleted, dead-lettered, purged or expired)",
                    hint: "Nothing to do: the message has already left the queue.", queue: name, messageId: handle.id.description)
            }
            guard entry.receiveCount == handle.receiveCount else {
                throw QueueError(
                    .messageNotInflight,
                    "Message does not exist or is not available for visibility timeout change: the receipt handle is stale (received again since)",
                    hint: "Use the receipt handle of the most recent receive.", queue: name, messageId: handle.id.description)
            }
            let target = now + Milliseconds.duration(timeout)
            let capMs = Milliseconds.duration(QueueLimits.maxVisibilityTimeout)
            // The receive time came from the journal: a difference that overflows is past any cap.
            let sinceReceive = target.subtractingReportingOverflow(entry.lastReceiveMs)
            if sinceReceive.overflow || sinceReceive.partialValue > capMs {
                throw QueueError(
                    .invalidParameterValue,
                    "VisibilityTimeout \(timeout) would keep the message in flight more than 12 hours after its receive",
                    hint: "Ask for at most the time left until 12 h after the receive (SQS does not clamp).",
                    queue: name, messageId: handle.id.description)
            }
            let inFlight = entry.visibleAtMs > now
            var change = VisibilityChange(deadLetterNow: nil, wakeReceivers: false)
            if let failure {
                var trimmed = failure
                trimmed.stderrTail = failure.stderrTail.map(Self.tail)
                entry.failures.appendKeepingLatest(trimmed)
            }
            // An expired handle (the message already visible again, not yet re-received) changes nothing but
            // still records the failure: AWS answers such a call with success and does nothing.
            if inFlight { entry.visibleAtMs = target }
            let lastAttempt = failure != nil && (permanent || entry.receiveCount >= maxReceiveCount)
            if lastAttempt { entry.leaving = true }
            s.index.update(handle.id, entry, nowMs: now)
            s.append(
                .visibility(
                    id: handle.id, receiveCount: handle.receiveCount, visibleAtMs: entry.visibleAtMs,
                    failure: failure == nil ? nil : entry.failures.last))
            change.visibleAtMs = entry.visibleAtMs
            change.receiveCount = Int(entry.receiveCount)
            if lastAttempt {
                change.deadLetterNow = Taken(id: handle.id, entry: entry, before: entry, segment: s.segments[entry.segment])
            } else {
                // Visible now, or at a new time a waiting receiver has no timer for (it waits without one when
                // nothing was due): either way it must look again.
                change.wakeReceivers = true
            }
            return change
        }
        if let leaving = change.deadLetterNow {
            let outcomes = await deadLetter([leaving], reason: permanent ? .permanentFailure : .failedOnLastAttempt)
            return outcomes.first ?? .kept("the message was not dead-lettered")
        }
        if change.wakeReceivers {
            let wake = state.withLock { $0.signalReceivers() }
            for c in wake { c.resume() }
        }
        return .retried(
            visibleAt: Milliseconds.date(change.visibleAtMs), attempt: change.receiveCount, maxReceiveCount: Int(maxReceiveCount))
    }

    private func invalidHandle(_ receipt: ReceiptHandle) -> QueueError {
        QueueError(
            .receiptHandleIsInvalid, "the receipt handle \"\(receipt.rawValue)\" was not issued by this queue",
            hint: "Pass the receiptHandle of a ReceivedMessage unchanged.", queue: name)
    }

    /// The last ``QueueLimits/maxStderrTailBytes`` bytes of a stderr tail, cut at a character boundary.
    static func tail(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.count > QueueLimits.maxStderrTailBytes else { return text }
        var start = utf8.index(utf8.endIndex, offsetBy: -QueueLimits.maxStderrTailBytes)
        while start < utf8.endIndex, UTF8.isContinuation(utf8[start]) { start = utf8.index(after: start) }
        return String(text[start...])
    }
}
