/// Lambda's event invoke configuration, as worker keys (`MaximumRetryAttempts`, `MaximumEventAgeInSeconds`,
/// `DestinationConfig`): what becomes of an asynchronous invocation (`InvocationType: Event`, `invoke --async`, a
/// worker's `enqueue`) when it fails, grows old, or succeeds.
package struct AsyncInvocationSettings: Sendable, Hashable {
    /// Retries after the first attempt fails (Lambda: 0 to 2, default 2).
    package var maximumRetryAttempts = 2
    /// How long after it was accepted an event may still be run (Lambda: 60 to 21,600 s, default 21,600).
    package var maximumEventAgeSeconds = 21_600
    package var onSuccess: AsyncDestination?
    package var onFailure: AsyncDestination?

    package init() {}

    package static let retryRange = 0...2
    package static let eventAgeRange = 60...21_600

    /// Attempts in all: the first one and its retries.
    package var maximumAttempts: Int { 1 + maximumRetryAttempts }
}
