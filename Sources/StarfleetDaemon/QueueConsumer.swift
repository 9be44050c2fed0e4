import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetSystemd
import StarfleetWorkerKit
import StarfleetWorkers
import Synchronization

/// Receives from one queue and runs each message through a handler with at most `concurrency` at a time:
/// success deletes, a retryable failure hides the message for a backoff delay (recording the failure), a permanent
/// one dead-letters it. On stop it takes no more messages and waits for the running ones (drain).
struct QueueConsumer: Sendable {
    let queue: any MessageQueue
    /// The name the watchdog heartbeat and logs know this loop by.
    let name: String
    let concurrency: Int
    let backoff: BackoffPolicy
    let clock: any WallClock
    let logger: Logger
    let heartbeat: WatchdogHeartbeat?
    let handle: @Sendable (ReceivedMessage) async -> HandlingOutcome
    /// Told what the queue did with each failure (retried, dead-lettered, kept), for logs, alerts and run history.
    var settled: (@Sendable (ReceivedMessage, WorkerFailure, FailureDisposition) async -> Void)? = nil

    /// Receive loops per consumer: one per ten slots (at most eight), so that with high concurrency several
    /// receives share each group commit of their receive counts instead of queueing behind one another.
    var receivers: Int { max(1, min(8, concurrency / 10)) }

    func run(stop: StopToken) async {
        let pool = SlotPool(capacity: concurrency)
        let slot = HeartbeatSlot(heartbeat, name: name)
        defer { slot.end() }
        await withTaskGroup(of: Void.self) { watcher in
            // A stop frees every loop waiting for a slot; the loops' receives race the stop themselves.
            watcher.addTask {
                await stop.wait()
                pool.shut()
            }
            await withDiscardingTaskGroup { group in
                for _ in 0..<receivers {
                    group.addTask { await receiveLoop(stop: stop, pool: pool, slot: slot) }
                }
            }
            watcher.cancelAll()
        }
    }

    /// Takes free slots' worth of messages and runs each as a child task; returns when stopped and every child it
    /// started has finished (drain). Never sleeps for a fixed time: it waits for a free slot (woken by the execution
    /// that frees it) or for a message (woken by the send that makes it visible).
    private func receiveLoop(stop: StopToken, pool: SlotPool, slot: HeartbeatSlot) async {
        await withDiscardingTaskGroup { group in
            while !stop.isStopped {
                slot.beat()
                // Reserve up to ten free slots before receiving, so that parallel receive loops never overfill.
                let reserved = pool.reserve(upTo: 10)
                if reserved == 0 {
                    // Executions have their own timeouts; the watchdog need not hear from this loop meanwhile.
                    await slot.waiting { await pool.waitForFree() }
                    continue
                }
                let messages: [ReceivedMessage]
                do {
                    messages = try await receive(max: reserved, stop: stop, slot: slot)
                } catch {
                    pool.release(reserved)
                    logger.error("receive failed; retrying in 1 s", metadata: ["queue": "\(queue.name)", "error": "\(error)"])
                    try? await clock.sleep(seconds: 1)
                    continue
                }
                pool.release(reserved - messages.count)
                for message in messages {
                    group.addTask {
                        await process(message)
                        pool.release(1)
                    }
                }
            }
        }
    }

    /// One receive. From the local queue: first a look without waiting (the common case under load costs no more
    /// than that), then a wait with no timer, parked for the watchdog, that a send, a message turning visible or the
    /// stop ends. From a remote queue: a long poll of up to 20 s, parked too (its HTTP timeout bounds it), which the
    /// stop cancels rather than waits out.
    func receive(max: Int, stop: StopToken, slot: HeartbeatSlot) async throws -> [ReceivedMessage] {
        let queue = self.queue
        let parks = queue.parksUntilWoken
        if parks {
            let ready = try await queue.receive(max: max, visibilityTimeout: nil, wait: 0)
            if !ready.isEmpty || stop.isStopped { return ready }
        }
        let receive: @Sendable () async throws -> [ReceivedMessage] = { try await queue.receiveWhenAvailable(max: max) }
        let wait = {
            try await withThrowingTaskGroup(of: [ReceivedMessage]?.self) { group in
                group.addTask { try await receive() }
                group.addTask {
                    await stop.wait()
                    return nil
                }
                // The stop cancels the receive, which then returns what it already took (those still run: drain).
                do {
                    while let next = try await group.next() {
                        group.cancelAll()
                        if let messages = next { return messages }
                    }
                } catch is CancellationError where stop.isStopped {
                    // A remote long poll given up on stop: what SQS was handing over comes back after its timeout.
                }
                return []
            }
        }
        return try await slot.waiting(wait)
    }

    func process(_ message: ReceivedMessage) async {
        await settle(message, await handle(message))
    }

    /// Does what `outcome` says with the message: deletes it, retries it after its backoff, or dead-letters it.
    func settle(_ message: ReceivedMessage, _ outcome: HandlingOutcome) async {
        var failed: WorkerFailure?
        do {
            switch outcome {
            case .done:
                _ = try await queue.delete(message.receiptHandle)
            case .retry(let failure):
                failed = failure
                let delay = backoff.delay(afterAttempt: message.receiveCount, unit: Double.random(in: 0..<1))
                let disposition = try await queue.retryOrDeadLetter(
                    message.receiptHandle, failure: record(failure), retryAfter: delay)
                await settled?(message, failure, disposition)
            case .retryAfter(let failure, let seconds):
                failed = failure
                let disposition = try await queue.retryOrDeadLetter(
                    message.receiptHandle, failure: record(failure), retryAfter: seconds)
                await settled?(message, failure, disposition)
            case .permanent(let failure):
                failed = failure
                let disposition = try await queue.deadLetter(message.receiptHandle, failure: record(failure))
                await settled?(message, failure, disposition)
            }
        } catch {
            // The message comes back when its visibility timeout ends: nothing is lost.
            logger.error(
                "could not settle the message; it will be delivered again",
                metadata: [
                    "queue": "\(queue.name)", "message_id": "\(message.messageId)", "error": "\(error)",
                ])
            if let failed { await settled?(message, failed, .kept("the queue could not settle it: \(error)")) }
        }
    }

    func record(_ failure: WorkerFailure) -> FailureRecord {
        FailureRecord(time: clock.now(), error: failure.message, exitStatus: failure.exitStatus, stderrTail: failure.stderrTail)
    }
}
