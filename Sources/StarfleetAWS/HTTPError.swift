/// Why an AWS or HTTP call failed: what kind of failure, where (the URL without its query, which may carry
/// tokens), what curl or the service said, and a sentence saying what to do.
package struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package enum Code: Sendable, Equatable {
        /// Could not connect, connection reset, body cut short, DNS failure.
        case network
        /// The attempt ran past its connect or total timeout.
        case timeout
        /// The body was larger than the client's cap.
        case responseTooLarge
        /// TLS handshake or certificate verification failed.
        case tls
        /// The request could not be built (bad URL, bad option).
        case invalidRequest
        /// The caller cancelled the transfer (a long poll on stop or reload).
        case cancelled
        /// A non-success status with no AWS error code in the body.
        case httpStatus(Int)
        /// A non-success status with an AWS error code (`NoSuchKey`, `SlowDown`, `AccessDenied`, …).
        case service(status: Int, awsCode: String)
    }

    /// The kind of failure.
    package var code: Code
    /// Method and URL without the query string.
    package var subject: String
    /// curl's error text or the service's message, when there is one.
    package var detail: String?
    /// What happened and what to do, as a sentence.
    package var hint: String
    /// How many attempts were made.
    package var attempts: Int

    package init(code: Code, subject: String, detail: String? = nil, hint: String, attempts: Int = 1) {
        self.code = code
        self.subject = subject
        self.detail = detail
        self.hint = hint
        self.attempts = attempts
    }

    /// The AWS error code, if the service sent one.
    package var awsCode: String? {
        if case .service(_, let awsCode) = code { return awsCode }
        return nil
    }

    /// The HTTP status, if a response arrived.
    package var status: Int? {
        switch code {
        case .httpStatus(let status), .service(let status, _): return status
        default: return nil
        }
    }

    package var description: String {
        var text = "\(subject): \(code)"
        if let detail, !detail.isEmpty { text += " (\(detail))" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        return text + "; " + hint
    }

    /// `METHOD scheme://host/path` — the query is dropped because presigned URLs and tokens live there.
    static func subject(method: String, url: String) -> String {
        let withoutQuery = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return "\(method) \(withoutQuery)"
    }
}
