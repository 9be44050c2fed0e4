import FoundationEssentials
import StarfleetCore
import StarfleetQueue

extension BatchConsumer {
    /// The next records, up to `limit`, as Lambda forms a batch: waits for a first record (or the stop), then adds
    /// more until `limit` is reached, the event reaches Lambda's 6 MB, or — with no batching window — the queue has
    /// nothing more at once, or — with a window — the window since the first record ends (on the injected clock).
    /// Messages the filters refuse are deleted on the way and do not count. A stop returns what was gathered (it runs).
    func gather(limit: Int, stop: StopToken, slot: HeartbeatSlot) async throws -> [ReceivedMessage] {
        // Records that did not fit the last batch open this one (they are in flight already).
        // At most `limit` of them: the rest wait for the next gather (more would run past the slots reserved).
        var batch = carried.withLock { held in
            let taken = Array(held.prefix(limit))
            held.removeFirst(taken.count)
            return taken
        }
        while batch.isEmpty {
            if stop.isStopped { return [] }
            slot.beat()
            batch = await admit(try await consumer.receive(max: min(10, limit), stop: stop, slot: slot))
        }
        let window = Double(settings.maximumBatchingWindowSeconds)
        let deadline = clock.now().addingTimeInterval(window)
        var bytes = batch.reduce(0) { $0 + Self.eventBytes($1) }
        while batch.count < limit && bytes < SQSTriggerSettings.maxEventBytes && !stop.isStopped {
            slot.beat()
            let want = min(10, limit - batch.count)
            let more: [ReceivedMessage]
            do {
                if window == 0 {
                    more = try await queue.receive(max: want, visibilityTimeout: nil, wait: 0)
                    if more.isEmpty { break }
                } else {
                    if clock.now() >= deadline { break }
                    // A wait bounded by the window (up to 300 s): parked, so the watchdog does not count it a hang.
                    more = try await slot.waiting { try await receive(max: want, until: deadline, stop: stop) }
                }
            } catch {
                // What was gathered runs; the failed receive is the next gather's to retry.
                consumer.logger.warning(
                    "receive failed while forming a batch; sending what it holds",
                    metadata: ["queue": "\(queue.name)", "error": "\(error)"])
                break
            }
            let admitted = await admit(more)
            bytes += admitted.reduce(0) { $0 + Self.eventBytes($1) }
            batch += admitted
        }
        // A batch leaves before its event passes 6 MB, as Lambda's does: what does not fit opens the next batch.
        var overflow: [ReceivedMessage] = []
        while bytes > SQSTriggerSettings.maxEventBytes && batch.count > 1, let last = batch.popLast() {
            bytes -= Self.eventBytes(last)
            overflow.insert(last, at: 0)
        }
        if !overflow.isEmpty { carried.withLock { $0 = overflow + $0 } }
        return batch
    }

    /// A record's share of the event: its body and attributes, and the fields around them (JSON escaping aside).
    static func eventBytes(_ message: ReceivedMessage) -> Int {
        message.body.utf8.count + message.attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 96 } + 640
    }

    /// One receive that waits at most until `deadline` (a long poll, raced against the clock and the stop). A
    /// receive cut short still hands back what it took, and that is kept.
    private func receive(max count: Int, until deadline: Date, stop: StopToken) async throws -> [ReceivedMessage] {
        let queue = self.queue
        let clock = self.clock
        let wait = min(20, max(0, deadline.timeIntervalSince(clock.now())))
        return try await withThrowingTaskGroup(of: [ReceivedMessage]?.self) { group in
            group.addTask {
                do {
                    return try await queue.receive(max: count, visibilityTimeout: nil, wait: wait)
                } catch is CancellationError {
                    // The window (or the stop) ended the poll: the normal end of a gather, not a failed receive.
                    return []
                }
            }
            group.addTask {
                try? await clock.sleep(until: deadline)
                return nil
            }
            group.addTask {
                await stop.wait()
                return nil
            }
            var taken: [ReceivedMessage] = []
            while let next = try await group.next() {
                group.cancelAll()
                if let messages = next { taken += messages }
            }
            return taken
        }
    }
}
