package import StarfleetWorkerKit
import StarfleetWorkers

/// What handling one queue message came to, for the loop that received it.
package enum HandlingOutcome: Sendable, Equatable {
    /// Done (or nothing to do): delete the message.
    case done
    /// Failed in a way a later attempt may fix (a worker error, a missing file, a full disk): retry with backoff;
    /// after MaxReceiveCount attempts the queue dead-letters it.
    case retry(WorkerFailure)
    /// Failed, to be tried again after exactly this many seconds (an asynchronous invocation: its own rule chose the
    /// delay); the queue's MaxReceiveCount still applies.
    case retryAfter(WorkerFailure, seconds: Double)
    /// Failed in a way no retry can fix (an invalid template, an unknown worker): dead-letter it now.
    case permanent(WorkerFailure)

    static func retry(_ message: String) -> HandlingOutcome { .retry(WorkerFailure(message)) }
    static func permanent(_ message: String) -> HandlingOutcome { .permanent(WorkerFailure(message)) }
}
