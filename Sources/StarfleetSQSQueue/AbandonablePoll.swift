internal import StarfleetQueue
internal import Synchronization

/// The meeting point of a long poll and its caller: whichever comes first — the poll's result or the caller's
/// cancellation — resumes the caller; a result that comes after the caller left is the poll's to give back.
final class AbandonablePoll: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<[ReceivedMessage], any Error>)
        case done
    }

    private let state = Mutex(State.idle)

    /// Registers the caller; false (and the caller resumed with CancellationError) when it was already cancelled.
    func start(_ continuation: CheckedContinuation<[ReceivedMessage], any Error>) -> Bool {
        let accepted = state.withLock { s -> Bool in
            guard case .idle = s else { return false }
            s = .waiting(continuation)
            return true
        }
        if !accepted { continuation.resume(throwing: CancellationError()) }
        return accepted
    }

    /// Hands the poll's result to the caller; false when the caller had left (the result is the poll's own).
    func finish(_ result: Result<[ReceivedMessage], any Error>) -> Bool {
        let waiting = state.withLock { s -> CheckedContinuation<[ReceivedMessage], any Error>? in
            guard case .waiting(let continuation) = s else { return nil }
            s = .done
            return continuation
        }
        waiting?.resume(with: result)
        return waiting != nil
    }

    /// The caller was cancelled: it resumes now with CancellationError.
    func abandon() {
        let waiting = state.withLock { s -> CheckedContinuation<[ReceivedMessage], any Error>? in
            defer { s = .done }
            guard case .waiting(let continuation) = s else { return nil }
            return continuation
        }
        waiting?.resume(throwing: CancellationError())
    }
}
