package import FoundationEssentials

/// One dead-lettered message: the self-describing JSON document at
/// `<state>/dead-letter/<Worker>/<MessageId>.json` that an operator reads with `ls` and `jq`.
package struct DeadLetter: Sendable, Codable, Hashable {
    /// The document's format version (1).
    package var formatVersion: Int
    /// The queue (worker) the message came from.
    package var queue: String
    package var messageId: String
    /// Why it was dead-lettered: "maxReceiveCount exceeded", "failed on its last allowed attempt", …
    package var reason: String
    /// The body as JSON when it parses as JSON, else as a string.
    package var body: JSONValue
    package var bodyIsJSON: Bool
    /// The exact body text, present only when re-encoding `body` would not reproduce it byte for byte
    /// (redrive sends this text).
    package var rawBody: String?
    package var attributes: [String: String]
    /// The X-Ray Root the message ran under (from its `StarfleetTraceHeader` attribute); absent when it had none.
    /// Added in place (readers accept unknown keys), so the format stays version 1.
    package var traceId: String?
    package var deduplicationId: String?
    package var receiveCount: Int
    package var maxReceiveCount: Int
    package var sentTimestamp: Date
    package var firstReceiveTimestamp: Date?
    package var firstFailureTimestamp: Date?
    package var lastFailureTimestamp: Date?
    package var deadLetteredTimestamp: Date
    /// Every failure reported, oldest first: error text, exit status, stderr tail.
    package var failures: [FailureRecord]

    package init(
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
        self.traceId = Self.root(ofTraceHeader: attributes[Self.traceAttribute])
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

    /// The attribute carrying the payload's trace header (StarfleetCore's `TraceHeader.attribute`; this layer does not
    /// import the core, a unit test holds the two equal).
    package static let traceAttribute = "StarfleetTraceHeader"

    /// `1-…-…` from `Root=1-…-…;Sampled=0`.
    static func root(ofTraceHeader header: String?) -> String? {
        guard let header else { return nil }
        for field in header.split(separator: ";") where field.hasPrefix("Root=") {
            let root = field.dropFirst(5)
            return root.isEmpty || root.utf8.count > 64 ? nil : String(root)
        }
        return nil
    }

    /// The body to send again on redrive: exactly what was sent.
    package var bodyText: String {
        if let rawBody { return rawBody }
        if !bodyIsJSON, case .string(let text) = body { return text }
        return body.compactText() ?? ""
    }
}

/// A line of `dlq list`: enough to choose what to show, redrive or purge.
package struct DeadLetterSummary: Sendable, Hashable, Codable {
    package var worker: String
    package var messageId: String
    package var reason: String
    package var receiveCount: Int
    package var deadLetteredTimestamp: Date
    package var lastError: String?
    package var path: String
}

/// Which dead letters an operation takes: named ones, or all of a worker's (`--all`, never implied).
package enum DeadLetterSelection: Sendable, Hashable {
    case ids([String])
    case all
}

/// The outcome of a redrive.
package struct RedriveResult: Sendable, Hashable {
    /// Original dead-letter id → the new message id on the queue.
    package var redriven: [String: String] = [:]
    /// Dead-letter id → why it was not redriven (left in place).
    package var failed: [String: String] = [:]

    package init() {}
}
