package import FoundationEssentials

/// Lambda's rules for one asynchronous event, as pure decisions on times the caller read from its clock: an event
/// older than MaximumEventAgeInSeconds is not run again, and one that failed 1 + MaximumRetryAttempts times is given up.
package struct AsyncEventRule: Sendable {
    package let settings: AsyncInvocationSettings

    package init(_ settings: AsyncInvocationSettings) { self.settings = settings }

    /// When an event accepted at `acceptedAt` may no longer be run.
    package func expiry(acceptedAt: Date) -> Date {
        acceptedAt.addingTimeInterval(Double(settings.maximumEventAgeSeconds))
    }

    /// Whether the event is older than its maximum age at `now` (it is then discarded with EventAgeExceeded).
    package func isExpired(acceptedAt: Date, now: Date) -> Bool { now > expiry(acceptedAt: acceptedAt) }

    package enum AfterFailure: Sendable, Equatable {
        /// Run it again after this many seconds.
        case retry(afterSeconds: Double)
        /// Its attempts are used up: RetriesExhausted.
        case exhausted
    }

    /// What follows failed attempt number `attempt` (1-based) at `now`, given the worker's backoff `delay`. A retry that
    /// would start after the event's expiry is not run: the event waits until it has expired (a second past it), and is
    /// then discarded with EventAgeExceeded, as Lambda discards an event that ages out in its queue.
    package func afterFailure(attempt: Int, acceptedAt: Date, now: Date, delay: Double) -> AfterFailure {
        if attempt >= settings.maximumAttempts { return .exhausted }
        let untilExpiry = expiry(acceptedAt: acceptedAt).timeIntervalSince(now)
        if delay > untilExpiry { return .retry(afterSeconds: max(0, untilExpiry) + 1) }
        return .retry(afterSeconds: delay)
    }
}

/// Why an invocation record was sent (`requestContext.condition`).
package enum AsyncInvocationCondition: String, Sendable {
    case success = "Success"
    case retriesExhausted = "RetriesExhausted"
    case eventAgeExceeded = "EventAgeExceeded"
}
