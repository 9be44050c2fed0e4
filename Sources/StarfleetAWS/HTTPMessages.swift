/// One HTTP request for ``HTTPClient``.
package struct HTTPRequest: Sendable {
    /// Upper-case method: GET, PUT, POST, DELETE, HEAD.
    package var method: String
    /// The full URL, already encoded.
    package var url: String
    /// Headers in sending order. An empty value removes a header curl would add on its own.
    package var headers: [(name: String, value: String)]
    /// The body (sent for any method when not empty, and for PUT/POST always, so `Content-Length: 0` goes out).
    package var body: [UInt8]
    /// Total time allowed for one attempt, in seconds; `nil` takes the client's default.
    package var timeout: Double?
    /// Connect to this Unix socket instead of the URL's host (the daemon's Invoke API); the URL still names the path.
    package var unixSocketPath: String?
    /// A long poll (SQS ReceiveMessage with a wait): it runs on a lane of its own, so that it never holds up other
    /// requests, and cancelling the task aborts it (within about a second) instead of waiting it out.
    package var isLongPoll = false

    package init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeout: Double? = nil, unixSocketPath: String? = nil
    ) {
        self.unixSocketPath = unixSocketPath
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A complete HTTP response: status, headers in arrival order, body.
package struct HTTPResponse: Sendable {
    /// The HTTP status code.
    package var status: Int
    /// Headers of the final response (interim 100-continue and redirect headers are dropped).
    package var headers: [(name: String, value: String)]
    /// The body bytes.
    package var body: [UInt8]

    package init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    package func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// True for 2xx.
    package var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text (invalid bytes repaired), for error messages and small documents.
    package var text: String { String(decoding: body, as: UTF8.self) }
}
