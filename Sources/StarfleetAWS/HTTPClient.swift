package import Logging
package import StarfleetClock
internal import Synchronization

/// HTTP over libcurl for the AWS layer: a few lanes (one easy handle on one serial dispatch queue each, so
/// transfers never block Swift's cooperative pool and connections are reused), connect and total timeouts, a
/// response size cap, and the SDKs' standard retries (3 attempts, full-jitter backoff).
///
/// Non-success statuses are returned, not thrown, once retries are spent; callers turn them into
/// ``HTTPError``s with ``HTTPResponse/error(method:url:attempts:)``. Transport failures throw ``HTTPError``.
package final class HTTPClient: Sendable {
    /// Settings for every request made through one client.
    package struct Configuration: Sendable {
        /// Parallel transfers (one easy handle each).
        package var lanes: Int = 4
        /// Seconds allowed to connect.
        package var connectTimeout: Double = 5
        /// Seconds allowed for one whole attempt, unless the request says otherwise.
        package var timeout: Double = 30
        /// Largest body accepted, in bytes.
        package var maxResponseBytes: Int = 64 << 20
        /// Retries.
        package var retry = RetryPolicy()
        /// The User-Agent header.
        package var userAgent = "starfleetd"
        /// Keep true: false only for tests against self-signed servers.
        package var verifyTLS = true

        package init() {}
    }

    private let lanes: [CurlLane]
    private let load: Mutex<[Int]>
    /// Lanes for long polls, one per poll in flight, kept for reuse: a 20 s ReceiveMessage holds its lane for the
    /// whole wait, and must never make a send, delete or visibility change wait behind it. Their number is bounded
    /// by the receive loops that poll at once.
    private let idlePollLanes = Mutex<(idle: [CurlLane], made: Int)>(([], 0))
    private let limits: CurlLane.Limits
    private let retry: RetryPolicy
    private let clock: any WallClock
    private let logger: Logger

    package init(configuration: Configuration = Configuration(), clock: any WallClock = SystemWallClock(), logger: Logger) {
        let count = max(1, configuration.lanes)
        lanes = (0..<count).map { CurlLane(label: "starfleet.http.\($0)") }
        load = Mutex([Int](repeating: 0, count: count))
        limits = CurlLane.Limits(
            connectTimeout: configuration.connectTimeout, timeout: configuration.timeout,
            maxResponseBytes: configuration.maxResponseBytes, userAgent: configuration.userAgent,
            verifyTLS: configuration.verifyTLS)
        retry = configuration.retry
        self.clock = clock
        self.logger = logger
    }

    /// Sends a request, retrying transient failures, and returns the final response whatever its status.
    /// Throws ``HTTPError`` for transport failures (after retries) and `CancellationError` when cancelled.
    package func send(_ request: HTTPRequest, retry override: RetryPolicy? = nil) async throws -> HTTPResponse {
        let policy = override ?? retry
        var attempt = 0
        while true {
            try Task.checkCancellation()
            attempt += 1
            let outcome = request.isLongPoll ? await runOnPollLane(request) : await runOnLeastLoadedLane(request)
            if case .failure(let error) = outcome, error.code == .cancelled { throw CancellationError() }
            let retryable: Bool
            let reason: String
            switch outcome {
            case .success(let response):
                let awsCode = response.isSuccess ? nil : AWSErrorBody.parse(response)?.code
                retryable = RetryPolicy.isRetryable(status: response.status, awsCode: awsCode)
                if !retryable || attempt >= policy.maxAttempts { return response }
                reason = "HTTP \(response.status)" + (awsCode.map { " \($0)" } ?? "")
            case .failure(var error):
                retryable = RetryPolicy.isRetryable(error.code)
                if !retryable || attempt >= policy.maxAttempts {
                    error.attempts = attempt
                    throw error
                }
                reason = "\(error.code)"
            }
            let wait = policy.delay(afterAttempt: attempt, random: Double.random(in: 0..<1))
            logger.debug(
                "retrying",
                metadata: [
                    "request": "\(HTTPError.subject(method: request.method, url: request.url))", "reason": "\(reason)",
                    "attempt": "\(attempt)", "wait": "\(wait)",
                ])
            try await clock.sleep(seconds: wait)
        }
    }

    /// Convenience form of ``send(_:retry:)``.
    package func request(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeout: Double? = nil
    ) async throws -> HTTPResponse {
        try await send(HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: timeout))
    }

    private func runOnPollLane(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPError> {
        let lane = idlePollLanes.withLock { pool in
            if let lane = pool.idle.popLast() { return lane }
            pool.made += 1
            return CurlLane(label: "starfleet.http.poll.\(pool.made)")
        }
        defer { idlePollLanes.withLock { $0.idle.append(lane) } }
        return await lane.run(request, limits: limits)
    }

    /// How many long-poll lanes exist (for tests: one per concurrent poll, reused).
    package var pollLanesMade: Int { idlePollLanes.withLock { $0.made } }

    private func runOnLeastLoadedLane(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPError> {
        let index = load.withLock { counts in
            var best = 0
            for i in counts.indices where counts[i] < counts[best] { best = i }
            counts[best] += 1
            return best
        }
        defer { load.withLock { $0[index] -= 1 } }
        return await lanes[index].run(request, limits: limits)
    }
}

extension HTTPResponse {
    /// The ``HTTPError`` describing this non-success response: the AWS code and message when the body has them.
    package func error(method: String, url: String, attempts: Int = 1) -> HTTPError {
        let subject = HTTPError.subject(method: method, url: url)
        if let parsed = AWSErrorBody.parse(self) {
            return HTTPError(
                code: .service(status: status, awsCode: parsed.code), subject: subject, detail: parsed.message,
                hint: Self.hint(status: status, awsCode: parsed.code), attempts: attempts)
        }
        let snippet = String(text.prefix(200))
        return HTTPError(
            code: .httpStatus(status), subject: subject, detail: snippet.isEmpty ? nil : snippet,
            hint: Self.hint(status: status, awsCode: nil), attempts: attempts)
    }

    private static func hint(status: Int, awsCode: String?) -> String {
        switch (status, awsCode) {
        case (_, "SlowDown"), (429, _), (_, "Throttling"), (_, "ThrottlingException"):
            return "the service is throttling; the request was retried with backoff and may be retried later"
        case (_, "NoSuchBucket"): return "the bucket does not exist; check the bucket name and region"
        case (_, "NoSuchKey"): return "the object does not exist"
        case (_, "AccessDenied"), (403, _):
            return "access denied; check the credentials in use and the IAM policy"
        case (_, "SignatureDoesNotMatch"), (_, "InvalidAccessKeyId"):
            return "the request signature was refused; check the secret key, region and the system clock"
        case (500..<600, _): return "the service failed; it was retried and may be retried later"
        default: return "the service refused the request"
        }
    }
}
