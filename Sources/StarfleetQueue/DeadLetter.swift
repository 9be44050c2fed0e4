public import FoundationEssentials

/// One dead-lettered message: the self-describing JSON document at
/// `<state>/dead-letter/<Worker>/<MessageId>.json` that an operator reads with `ls` and `jq`.
public struct DeadLetter: Sendable, Codable, Hashable {
    /// The document's format version (1).
    public var formatVersion: Int
    /// The queue (worker) the message came from.
    public var queue: String
    public var messageId: String
    /// Why it was dead-lettered: "maxReceiveCount exceeded", "failed on its last allowed attempt", …
    public var reason: String
    /// The body as JSON when it parses as JSON, else as a string.
    public var body: JSONValue
    public var bodyIsJSON: Bool
    /// The exact body text, present only when re-encoding `body` would not reproduce it byte for byte
    /// (redrive sends this text).
    public var rawBody: String?
    public var attributes: [String: String]
    public var deduplicationId: String?
    public var receiveCount: Int
    public var maxReceiveCount: Int
    public var sentTimestamp: Date
    public var firstReceiveTimestamp: Date?
    public var firstFailureTimestamp: Date?
    public var lastFailureTimestamp: Date?
    public var deadLetteredTimestamp: Date
    /// Every failure reported, oldest first: error text, exit status, stderr tail.
    public var failures: [FailureRecord]

    public init(
        queue: String, messageId: String, reason: String, bodyText: String, attributes: [String: String],
        deduplicationId: String?, receiveCount: Int, maxReceiveCount: Int, sentTimestamp: Date,
        firstReceiveTimestamp: Date?, deadLetteredTimestamp: Date, failures: [FailureRecord]
    ) {
        formatVersion = 1
        self.queue = queue
        self.messageId = messageId
        self.reason = reason
        if let json = JSONValue.parse(bodyText) {
            body = json
            bodyIsJSON = true
            rawBody = json.compactText() == bodyText ? nil : bodyText
        } else {
            body = .string(bodyText)
            bodyIsJSON = false
            rawBody = nil
        }
        self.attributes = attributes
        self.deduplicationId = deduplicationId
        self.receiveCount = receiveCount
        self.maxReceiveCount = maxReceiveCount
        self.sentTimestamp = sentTimestamp
        self.firstReceiveTimestamp = firstReceiveTimestamp
        self.firstFailureTimestamp = failures.first?.time
        self.lastFailureTimestamp = failures.last?.time
        self.deadLetteredTimestamp = deadLetteredTimestamp
        self.failures = failures
    }

    /// The body to send again on redrive: exactly what was sent.
    public var bodyText: String {
        if let rawBody { return rawBody }
        if !bodyIsJSON, case .string(let text) = body { return text }
        return body.compactText() ?? ""
    }
}

/// A line of `dlq list`: enough to choose what to show, redrive or purge.
public struct DeadLetterSummary: Sendable, Hashable, Codable {
    public var worker: String
    public var messageId: String
    public var reason: String
    public var receiveCount: Int
    public var deadLetteredTimestamp: Date
    public var lastError: String?
    public var path: String
}

/// Which dead letters an operation takes: named ones, or all of a worker's (`--all`, never implied).
public enum DeadLetterSelection: Sendable, Hashable {
    case ids([String])
    case all
}

/// The outcome of a redrive.
public struct RedriveResult: Sendable, Hashable {
    /// Original dead-letter id → the new message id on the queue.
    public var redriven: [String: String] = [:]
    /// Dead-letter id → why it was not redriven (left in place).
    public var failed: [String: String] = [:]
}
