import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetSystemd
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

    /// How long one receive waits for a message; it also bounds how late the loop notices a stop.
    static let pollSeconds = 1.0

    /// Receive loops per consumer: one per ten slots (at most eight), so that with high concurrency several
    /// receives share each group commit of their receive counts instead of queueing behind one another.
    var receivers: Int { max(1, min(8, concurrency / 10)) }

    func run(stop: StopToken) async {
        let inUse = Locked(0)
        let slot = HeartbeatSlot(heartbeat, name: name)
        defer { slot.end() }
        await withDiscardingTaskGroup { group in
            for _ in 0..<receivers {
                group.addTask { await receiveLoop(stop: stop, inUse: inUse, slot: slot) }
            }
        }
    }

    /// Takes free slots' worth of messages and runs each as a child task; returns when stopped and every child it
    /// started has finished (drain).
    private func receiveLoop(stop: StopToken, inUse: Locked<Int>, slot: HeartbeatSlot) async {
        await withDiscardingTaskGroup { group in
            while !stop.isStopped {
                slot.beat()
                // Reserve up to ten free slots before receiving, so that parallel receive loops never overfill.
                let reserved = inUse.withLock { used -> Int in
                    let take = min(10, concurrency - used)
                    used += max(take, 0)
                    return max(take, 0)
                }
                if reserved == 0 {
                    // Saturated: poll briefly so the loop keeps beating while long executions run.
                    try? await Task.sleep(nanoseconds: 20_000_000)
                    continue
                }
                let messages: [ReceivedMessage]
                do {
                    messages = try await queue.receive(max: reserved, visibilityTimeout: nil, wait: Self.pollSeconds)
                } catch {
                    inUse.withLock { $0 -= reserved }
                    logger.error("receive failed; retrying in 1 s", metadata: ["queue": "\(queue.name)", "error": "\(error)"])
                    try? await Task.sleep(nanoseconds: 1_000_000_000)
                    continue
                }
                inUse.withLock { $0 -= reserved - messages.count }
                for message in messages {
                    group.addTask {
                        await process(message)
                        inUse.withLock { $0 -= 1 }
                    }
                }
            }
        }
    }

    func process(_ message: ReceivedMessage) async {
        let outcome = await handle(message)
        do {
            switch outcome {
            case .done:
                _ = try await queue.delete(message.receiptHandle)
            case .retry(let failure):
                let delay = backoff.delay(afterAttempt: message.receiveCount, unit: Double.random(in: 0..<1))
                try await queue.changeVisibility(message.receiptHandle, timeout: delay, failure: record(failure))
            case .permanent(let failure):
                try await queue.deadLetter(message.receiptHandle, failure: record(failure))
            }
        } catch {
            // The message comes back when its visibility timeout ends: nothing is lost.
            logger.error("could not settle the message; it will be delivered again", metadata: [
                "queue": "\(queue.name)", "message_id": "\(message.messageId)", "error": "\(error)",
            ])
        }
    }

    func record(_ failure: WorkerFailure) -> FailureRecord {
        FailureRecord(time: clock.now(), error: failure.message, exitStatus: failure.exitStatus, stderrTail: failure.stderrTail)
    }
}
