/// The SDKs' "standard" retry mode: a bounded number of attempts, exponential backoff with full jitter, retries
/// only for failures a second try can fix (network errors, timeouts, 5xx, 429, S3 `SlowDown`/`RequestTimeout`,
/// throttling codes).
package struct RetryPolicy: Sendable {
    /// Attempts in all, the first included (standard mode: 3).
    package var maxAttempts: Int
    /// Backoff base in seconds: attempt n waits a random time in `0 ..< min(maxDelay, baseDelay * 2^(n-1))`.
    package var baseDelay: Double
    /// Upper bound of one wait, in seconds.
    package var maxDelay: Double

    package init(maxAttempts: Int = 3, baseDelay: Double = 0.5, maxDelay: Double = 20) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No retries: one attempt.
    package static let none = RetryPolicy(maxAttempts: 1)

    /// AWS error codes that mean "try again later" whatever the status.
    static let retryableCodes: Set<String> = [
        "SlowDown", "RequestTimeout", "RequestTimeoutException", "Throttling", "ThrottlingException",
        "ThrottledException", "RequestThrottled", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "PriorRequestNotComplete", "InternalError",
        "ServiceUnavailable",
    ]

    /// The full-jitter wait before attempt `attempt + 1`, given that `attempt` (1-based) just failed.
    func delay(afterAttempt attempt: Int, random: Double) -> Double {
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 30)))
        return ceiling * random
    }

    /// Whether a response is worth another attempt.
    static func isRetryable(status: Int, awsCode: String?) -> Bool {
        if let awsCode, retryableCodes.contains(awsCode) { return true }
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504
    }

    /// Whether a transport failure is worth another attempt.
    static func isRetryable(_ code: HTTPError.Code) -> Bool {
        code == .network || code == .timeout
    }
}
