import FoundationEssentials

extension JournalQueue {
    /// A message taken by a receive, with what is needed to read it and to undo the receive.
    struct Taken {
        var id: MessageID
        var entry: MessageEntry
        var before: MessageEntry
        var segment: SegmentFile?
    }

    private struct ReceivePass {
        var taken: [Taken] = []
        var leaving: [Taken] = []
        var waiter: UInt64?
    }

    package func receive(max: Int, visibilityTimeout: Double?, wait: Double) async throws -> [ReceivedMessage] {
        guard (1...QueueLimits.maxReceiveBatch).contains(max) else {
            throw QueueError(
                .invalidParameterValue,
                "Value \(max) for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided",
                hint: "Ask for 1 to 10 messages.", queue: name)
        }
        guard wait >= 0, wait <= QueueLimits.maxWaitSeconds else {
            throw QueueError(
                .invalidParameterValue, "WaitTimeSeconds \(wait) is outside 0...20", hint: "Wait 0 to 20 seconds.", queue: name)
        }
        let timeout = visibilityTimeout ?? self.visibilityTimeout
        guard timeout >= 0, timeout <= QueueLimits.maxVisibilityTimeout else {
            throw QueueError(
                .invalidParameterValue, "VisibilityTimeout \(timeout) is outside 0...43200",
                hint: "Use 0 to 43,200 seconds (12 h).", queue: name)
        }
        return try await receive(max: max, timeout: timeout, wait: wait)
    }

    /// Receives 1...10 messages, waiting as long as it takes for one to become visible: until a send (or a change of
    /// visibility) signals it, or the clock reaches the moment a delayed or in-flight message turns visible. Nothing
    /// else wakes it, so an idle consumer costs no CPU; it returns an empty array once its task is cancelled.
    package func receiveWaitingIndefinitely(max: Int, visibilityTimeout: Double?) async throws -> [ReceivedMessage] {
        guard (1...QueueLimits.maxReceiveBatch).contains(max) else {
            throw QueueError(
                .invalidParameterValue,
                "Value \(max) for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided",
                hint: "Ask for 1 to 10 messages.", queue: name)
        }
        let timeout = visibilityTimeout ?? options.visibilityTimeout
        guard timeout >= 0, timeout <= QueueLimits.maxVisibilityTimeout else {
            throw QueueError(
                .invalidParameterValue, "VisibilityTimeout \(timeout) is outside 0...43200",
                hint: "Use 0 to 43,200 seconds (12 h).", queue: name)
        }
        return try await receive(max: max, timeout: timeout, wait: nil)
    }

    package func receiveWhenAvailable(max: Int) async throws -> [ReceivedMessage] {
        try await receiveWaitingIndefinitely(max: max, visibilityTimeout: nil)
    }

    /// A send (or a message turning visible) wakes the waiting receive: no polling.
    package nonisolated var parksUntilWoken: Bool { true }

    /// The receive loop: `wait` nil waits until a message is visible or the task is cancelled.
    private func receive(max: Int, timeout: Double, wait: Double?) async throws -> [ReceivedMessage] {
        let deadline = wait.map { clock.now().addingTimeInterval($0) }
        while true {
            let (messages, waiter, movedAny) = try await receiveOnce(
                max: max, timeoutMs: Milliseconds.duration(timeout), registerWaiter: (wait ?? 1) > 0)
            if !messages.isEmpty {
                if let waiter { forgetWaiter(waiter) }
                return messages
            }
            guard let waiter else {
                // Nothing deliverable: look again only if poison messages were moved out of the way.
                if movedAny { continue }
                return []
            }
            let now = clock.now()
            if deadline.map({ now >= $0 }) ?? false || Task.isCancelled {
                forgetWaiter(waiter)
                return []
            }
            let nextDue = state.withLock { $0.index.nextDueMs }.map(Milliseconds.date)
            let wakeAt = [nextDue, deadline].compactMap { $0 }.min()
            await waitForSignal(waiter, orUntil: wakeAt)
            if state.withLock({ $0.closed }) { return [] }
        }
    }

    /// One look at the queue: takes up to `max` visible messages, makes their receive records durable, moves
    /// poison messages to the dead-letter directory, and reads the bodies. When nothing was visible and a wait
    /// was asked for, registers a long-poll waiter in the same critical section (so no send can slip between).
    private func receiveOnce(
        max: Int, timeoutMs: Int64, registerWaiter: Bool
    ) async throws -> ([ReceivedMessage], UInt64?, movedAny: Bool) {
        let maxReceiveCount = Int32(self.maxReceiveCount)
        let retentionMs = Milliseconds.duration(options.retention)
        let (pass, _) = try await journaled(
            { s -> ReceivePass in
                var pass = ReceivePass()
                let now = nowMs()
                while pass.taken.count < max, let id = s.index.nextVisible(nowMs: now), var entry = s.index[id] {
                    // Subtracted from now, not added to the send time: a send time read from the journal can be
                    // anything, and `sentMs + retentionMs` would trap near Int64.max.
                    if entry.sentMs <= now - retentionMs {
                        s.index.remove(id)
                        s.expired += 1
                        logger.info(
                            "message expired (retention period passed)", metadata: ["queue": "\(name)", "MESSAGE_ID": "\(id)"])
                        continue
                    }
                    let before = entry
                    if entry.receiveCount >= maxReceiveCount {
                        // SQS's rule: this receive would take the count past maxReceiveCount.
                        entry.leaving = true
                        s.index.update(id, entry, nowMs: now)
                        pass.leaving.append(Taken(id: id, entry: entry, before: before, segment: s.segments[entry.segment]))
                        continue
                    }
                    entry.receiveCount += 1
                    if entry.firstReceiveMs == 0 { entry.firstReceiveMs = now }
                    entry.lastReceiveMs = now
                    entry.visibleAtMs = now + timeoutMs
                    s.index.update(id, entry, nowMs: now)
                    s.append(
                        .receive(
                            id: id, receiveCount: entry.receiveCount, receivedMs: now, visibleAtMs: entry.visibleAtMs,
                            firstReceiveMs: entry.firstReceiveMs))
                    pass.taken.append(
                        Taken(id: id, entry: s.index[id] ?? entry, before: before, segment: s.segments[entry.segment]))
                }
                if pass.taken.isEmpty && pass.leaving.isEmpty && registerWaiter {
                    s.nextWaiterID += 1
                    s.receiveWaiters[s.nextWaiterID] = .armed
                    pass.waiter = s.nextWaiterID
                }
                return pass
            },
            undo: { s, pass in
                // The receive records did not become durable: put the messages back as they were.
                let now = self.nowMs()
                for t in pass.taken + pass.leaving {
                    guard let current = s.index[t.id], current.version == t.entry.version || t.entry.leaving else { continue }
                    var restored = t.before
                    restored.visibleAtMs = Swift.min(restored.visibleAtMs, now)

                    restored.version = current.version
                    s.index.update(t.id, restored, nowMs: now)
                }
            })

        if !pass.leaving.isEmpty {
            await deadLetter(pass.leaving, reason: .maxReceiveCountExceeded)
        }
        var messages: [ReceivedMessage] = []
        messages.reserveCapacity(pass.taken.count)
        var unreadable: [(Taken, QueueError)] = []
        for (taken, outcome) in zip(pass.taken, readAll(pass.taken)) {
            switch outcome {
            case .success(let message): messages.append(message)
            case .failure(let error): unreadable.append((taken, error))
            }
        }
        for (taken, error) in unreadable {
            logger.error(
                "message record unreadable; dead-lettering it",
                metadata: [
                    "queue": "\(name)", "MESSAGE_ID": "\(taken.id)", "error": "\(error)",
                ])
            markLeaving(taken.id)
            await deadLetter([taken], reason: .unreadable(error.description))
        }
        return (messages, pass.waiter, !pass.leaving.isEmpty || !unreadable.isEmpty)
    }

    /// Reads the records of a receive's messages, one pread per run of records that lie back to back in a
    /// segment (a FIFO receive usually takes consecutive sends: ten messages, one system call).
    private func readAll(_ taken: [Taken]) -> [Result<ReceivedMessage, QueueError>] {
        var results = [Result<ReceivedMessage, QueueError>?](repeating: nil, count: taken.count)
        let order = taken.indices.sorted {
            (taken[$0].entry.segment, taken[$0].entry.offset) < (taken[$1].entry.segment, taken[$1].entry.offset)
        }
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count {
                let previous = taken[order[end - 1]].entry
                let next = taken[order[end]].entry
                guard next.segment == previous.segment, next.offset == previous.offset + Int64(previous.length) else { break }
                end += 1
            }
            let first = taken[order[start]]
            let last = taken[order[end - 1]].entry
            let run = order[start..<end]
            do {
                guard let segment = first.segment else {
                    throw QueueError(.corruptData, "the message's journal segment is gone", hint: "Check the journal directory.")
                }
                let bytes = try segment.read(
                    at: first.entry.offset, count: Int(last.offset - first.entry.offset) + Int(last.length))
                bytes.withUnsafeBytes { raw in
                    for index in run {
                        let item = taken[index]
                        let from = Int(item.entry.offset - first.entry.offset)
                        let frame = UnsafeRawBufferPointer(rebasing: raw[from..<(from + Int(item.entry.length))])
                        results[index] = Result {
                            try received(item, try decodeMessageRecord(frame, id: item.id, path: segment.path))
                        }
                        .mapError(asQueueError)
                    }
                }
            } catch {
                // Fall back to one read per message so one bad record does not take its neighbours with it.
                for index in run {
                    results[index] = Result { try read(taken[index]) }.mapError(asQueueError)
                }
            }
            start = end
        }
        return results.map { $0 ?? .failure(QueueError(.corruptData, "not read", hint: "Report this bug.", queue: name)) }
    }

    /// Reads and checks a message's record and builds what the receiver gets.
    func read(_ taken: Taken) throws -> ReceivedMessage {
        try received(taken, try readMessageRecord(id: taken.id, entry: taken.entry, segment: taken.segment))
    }

    private func received(_ taken: Taken, _ record: MessageRecord) throws -> ReceivedMessage {
        ReceivedMessage(
            messageId: taken.id.description,
            receiptHandle: ReceiptHandle(id: taken.id, receiveCount: taken.entry.receiveCount),
            body: String(decoding: record.body, as: UTF8.self),
            attributes: record.attributes,
            receiveCount: Int(taken.entry.receiveCount),
            sentTimestamp: Milliseconds.date(taken.entry.sentMs),
            firstReceiveTimestamp: Milliseconds.date(taken.entry.firstReceiveMs),
            deduplicationId: record.deduplicationId,
            failures: taken.entry.failures)
    }

    /// Reads the `message` record an index entry points at, checking its frame and that it is the right message.
    func readMessageRecord(id: MessageID, entry: MessageEntry, segment: SegmentFile?) throws -> MessageRecord {
        guard let segment else {
            throw QueueError(
                .corruptData, "the message's journal segment is gone", hint: "Check the journal directory.",
                queue: name, messageId: id.description)
        }
        let bytes = try segment.read(at: entry.offset, count: Int(entry.length))
        return try bytes.withUnsafeBytes { try decodeMessageRecord($0, id: id, path: segment.path) }
    }

    /// Checks one framed `message` record and decodes it.
    private func decodeMessageRecord(_ raw: UnsafeRawBufferPointer, id: MessageID, path: String) throws -> MessageRecord {
        let record: JournalRecord? = JournalRecord.validFrame(raw) == raw.count ? try JournalRecord.decode(frame: raw) : nil
        guard case .message(let message)? = record, message.id == id else {
            throw QueueError(
                .corruptData, "the message's journal record fails its checksum",
                hint:
                    "The disk corrupted the journal; the message goes to the dead-letter directory with this error.",
                queue: name, path: path, messageId: id.description)
        }
        return message
    }

    func markLeaving(_ id: MessageID) {
        state.withLock { s in
            guard var entry = s.index[id] else { return }
            entry.leaving = true
            s.index.update(id, entry, nowMs: nowMs())
        }
    }

    // MARK: Long-poll waiters

    /// Suspends until a send (or anything else that makes a message visible) signals, the clock reaches `date` (nil:
    /// no timer at all), or the task is cancelled.
    private func waitForSignal(_ waiter: UInt64, orUntil date: Date?) async {
        if let date {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await self.clock.sleep(until: date) }
                group.addTask { await self.suspend(waiter) }
                _ = await group.next()
                group.cancelAll()
                self.release(waiter)
                await group.waitForAll()
            }
        } else {
            await withTaskCancellationHandler {
                await suspend(waiter)
            } onCancel: {
                release(waiter)
            }
        }
        // The next look registers a fresh waiter atomically with its check of the queue.
        state.withLock { s in _ = s.receiveWaiters.removeValue(forKey: waiter) }
    }

    private func suspend(_ waiter: UInt64) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                guard case .armed? = s.receiveWaiters[waiter], !s.closed else { return true }
                s.receiveWaiters[waiter] = .waiting(c)
                return false
            }
            if resumeNow { c.resume() }
        }
    }

    /// Wakes the waiter's suspension if it is still suspended (the clock won the race).
    private func release(_ waiter: UInt64) {
        let c = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard case .waiting(let c)? = s.receiveWaiters[waiter] else {
                s.receiveWaiters[waiter] = .signalled
                return nil
            }
            s.receiveWaiters[waiter] = .signalled
            return c
        }
        c?.resume()
    }

    private func forgetWaiter(_ waiter: UInt64) {
        let c = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard case .waiting(let c)? = s.receiveWaiters.removeValue(forKey: waiter) else { return nil }
            return c
        }
        c?.resume()
    }
}
