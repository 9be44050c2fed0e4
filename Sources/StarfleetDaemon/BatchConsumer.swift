import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetWorkerKit

/// Lambda's SQS trigger over one worker queue: forms batches of records (``gather(limit:stop:slot:)``), runs each
/// as one invocation with at most `batchesAtOnce` at a time, and settles every record on its own through the queue
/// (deleted, retried after its own backoff, or dead-lettered at its own receive count). Messages the filters refuse
/// are deleted unseen. On stop it forms no new batch and waits for the running ones (drain).
struct BatchConsumer: Sendable {
    /// The queue, clock, backoff, logging and settlement of the worker's queue, shared with the one-message consumer.
    let consumer: QueueConsumer
    let settings: SQSTriggerSettings
    let batchesAtOnce: Int
    /// Runs one batch; one outcome per record, in order.
    let run: @Sendable ([ReceivedMessage]) async -> [HandlingOutcome]
    /// Told of each message the filters refused, after it was deleted.
    var filtered: (@Sendable (ReceivedMessage) async -> Void)? = nil
    /// Received records a batch could not take without passing 6 MB: the next batch starts with them.
    let carried = Locked<[ReceivedMessage]>([])

    var queue: any MessageQueue { consumer.queue }
    var clock: any WallClock { consumer.clock }

    func run(stop: StopToken) async {
        let pool = SlotPool(capacity: batchesAtOnce)
        let slot = HeartbeatSlot(consumer.heartbeat, name: consumer.name)
        defer { slot.end() }
        let size = settings.batchSize
        // Without a window, each free slot takes a batch of what the queue has at once (one receive of ten serves ten
        // batches of one); with a window, batches form one at a time, so each leaves as soon as it is full.
        let slotsPerGather = settings.maximumBatchingWindowSeconds == 0 ? max(1, 10 / size) : 1
        await withTaskGroup(of: Void.self) { watcher in
            watcher.addTask {
                await stop.wait()
                pool.shut()
            }
            await withDiscardingTaskGroup { group in
                while !stop.isStopped {
                    slot.beat()
                    let reserved = pool.reserve(upTo: slotsPerGather)
                    if reserved == 0 {
                        await slot.waiting { await pool.waitForFree() }
                        continue
                    }
                    let records: [ReceivedMessage]
                    do {
                        records = try await gather(limit: reserved * size, stop: stop, slot: slot)
                    } catch {
                        pool.release(reserved)
                        consumer.logger.error(
                            "receive failed; retrying in 1 s", metadata: ["queue": "\(queue.name)", "error": "\(error)"])
                        try? await clock.sleep(seconds: 1)
                        continue
                    }
                    let batches = stride(from: 0, to: records.count, by: size).map {
                        Array(records[$0..<min($0 + size, records.count)])
                    }
                    pool.release(reserved - batches.count)
                    for batch in batches {
                        group.addTask {
                            await process(batch)
                            pool.release(1)
                        }
                    }
                }
            }
            watcher.cancelAll()
        }
        // Records received for a batch that could not take them are in flight: run them too (drain), rather than leave
        // them hidden until their visibility timeout with a receive count spent.
        let left = carried.withLock { held in
            defer { held.removeAll() }
            return held
        }
        for start in stride(from: 0, to: left.count, by: size) {
            await process(Array(left[start..<min(start + size, left.count)]))
        }
    }

    /// Runs one batch and settles each record as its outcome says, side by side (their journal writes share commits).
    /// Runs one batch and settles each record as its outcome says, side by side (their journal writes share commits).
    /// Everything on the queue is an SQS record here, `invoke --async` and Event invokes included (docs/workers.md).
    func process(_ batch: [ReceivedMessage]) async {
        let outcomes = await run(batch)
        await withDiscardingTaskGroup { group in
            for (message, outcome) in zip(batch, outcomes) {
                group.addTask { await consumer.settle(message, outcome) }
            }
        }
    }

    /// Deletes the messages no filter matches (Lambda drops them unseen) and returns the others, in order.
    func admit(_ messages: [ReceivedMessage]) async -> [ReceivedMessage] {
        guard !settings.filters.isEmpty else { return messages }
        var admitted: [ReceivedMessage] = []
        for message in messages {
            if EventFilter.admits(settings.filters, body: message.body, messageAttributes: message.attributes) {
                admitted.append(message)
                continue
            }
            do {
                _ = try await queue.delete(message.receiptHandle)
                await filtered?(message)
            } catch {
                // Not deleted: it comes back after its visibility timeout and is filtered then.
                consumer.logger.warning(
                    "could not delete a filtered message; it will be filtered again",
                    metadata: ["queue": "\(queue.name)", "message_id": "\(message.messageId)", "error": "\(error)"])
            }
        }
        return admitted
    }
}
