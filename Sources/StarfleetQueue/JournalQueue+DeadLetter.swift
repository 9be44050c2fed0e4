import FoundationEssentials

/// Why a message left for the dead-letter directory (the `reason` in its file).
enum DeadLetterReason {
    case maxReceiveCountExceeded
    case failedOnLastAttempt
    case permanentFailure
    case unreadable(String)

    var text: String {
        switch self {
        case .maxReceiveCountExceeded: return "maxReceiveCount exceeded"
        case .failedOnLastAttempt: return "failed on its last allowed attempt (receive count reached maxReceiveCount)"
        case .permanentFailure: return "failed in a way no retry can fix"
        case .unreadable(let error): return "journal record unreadable: \(error)"
        }
    }
}

extension JournalQueue {
    /// Moves messages already marked `leaving` to the dead-letter directory: the file is written and made
    /// durable first (on the dead-letter queue, off the cooperative pool), then the `deadLetter` record is
    /// journaled and the message leaves the index. If the file cannot be written the message becomes visible
    /// again and a later receive tries once more. Returns what became of each item, in order.
    @discardableResult
    func deadLetter(_ items: [Taken], reason: DeadLetterReason) async -> [FailureDisposition] {
        var outcomes: [FailureDisposition] = []
        for item in items {
            let letter = makeDeadLetter(item, reason: reason)
            let written: Result<Void, QueueError> = await withCheckedContinuation { c in
                deadLetterQueue.async {
                    do {
                        try self.options.deadLetters.write(letter)
                        c.resume(returning: .success(()))
                    } catch {
                        c.resume(returning: .failure(self.asQueueError(error)))
                    }
                }
            }
            switch written {
            case .success:
                let path = (try? options.deadLetters.path(worker: name, id: item.id.description)) ?? ""
                outcomes.append(.deadLettered(location: path, attempts: Int(item.entry.receiveCount)))
                state.withLock { s in
                    guard s.index[item.id]?.leaving == true, !s.closed, s.broken == nil else { return }
                    s.index.remove(item.id)
                    s.append(.deadLetter(id: item.id, reason: letter.reason))
                    s.deadLettered += 1
                    scheduleFlush(&s)
                }
                logger.warning(
                    "message dead-lettered",
                    metadata: [
                        "queue": "\(name)", "WORKER": "\(name)", "MESSAGE_ID": "\(item.id)",
                        "RECEIVE_COUNT": "\(item.entry.receiveCount)", "reason": "\(letter.reason)",
                        "path": "\(path)",
                    ])
            case .failure(let error):
                outcomes.append(.kept("the dead-letter file could not be written (\(error)); visible again in 1 s"))
                logger.error(
                    "could not write the dead-letter file; the message stays on the queue",
                    metadata: [
                        "queue": "\(name)", "MESSAGE_ID": "\(item.id)", "error": "\(error)",
                    ])
                let wake = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                    guard var entry = s.index[item.id], entry.leaving else { return [] }
                    let now = nowMs()
                    entry.leaving = false
                    // Back off a little so a full disk does not turn into a busy loop of attempts.
                    entry.visibleAtMs = now + 1000
                    s.index.update(item.id, entry, nowMs: now)
                    return s.signalReceivers()
                }
                for c in wake { c.resume() }
            }
        }
        return outcomes
    }

    private func makeDeadLetter(_ item: Taken, reason: DeadLetterReason) -> DeadLetter {
        var reasonText = reason.text
        var body = ""
        var attributes: [String: String] = [:]
        var dedup: String?
        do {
            let record = try readMessageRecord(id: item.id, entry: item.entry, segment: item.segment)
            body = String(decoding: record.body, as: UTF8.self)
            attributes = record.attributes
            dedup = record.deduplicationId
        } catch {
            if case .unreadable = reason {} else { reasonText += "; journal record unreadable: \(error)" }
        }
        return DeadLetter(
            queue: name, messageId: item.id.description, reason: reasonText, bodyText: body, attributes: attributes,
            deduplicationId: dedup, receiveCount: Int(item.entry.receiveCount), maxReceiveCount: self.maxReceiveCount,
            sentTimestamp: Milliseconds.date(item.entry.sentMs),
            firstReceiveTimestamp: item.entry.firstReceiveMs == 0 ? nil : Milliseconds.date(item.entry.firstReceiveMs),
            deadLetteredTimestamp: clock.now(), failures: item.entry.failures)
    }
}
