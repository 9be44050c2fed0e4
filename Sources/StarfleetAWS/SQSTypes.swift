package import FoundationEssentials

/// One message of a SendMessageBatch call.
package struct SQSSendEntry: Sendable, Hashable {
    /// Unique within the batch: `[A-Za-z0-9_-]{1,80}`.
    package var id: String
    package var body: String
    /// Per-message delay; standard queues only (FIFO queues take the queue's delay).
    package var delaySeconds: Int?
    /// String message attributes.
    package var attributes: [String: String]
    /// FIFO only: the ordering group.
    package var messageGroupId: String?
    /// FIFO only: a send with an id seen within 5 minutes is accepted and not delivered.
    package var deduplicationId: String?
    /// The `AWSTraceHeader` system attribute (an X-Ray header): SQS passes it on as Lambda does, and it does not
    /// count toward the message's size or its 10 attributes.
    package var traceHeader: String? = nil

    package init(
        id: String, body: String, delaySeconds: Int? = nil, attributes: [String: String] = [:],
        messageGroupId: String? = nil, deduplicationId: String? = nil
    ) {
        self.id = id
        self.body = body
        self.delaySeconds = delaySeconds
        self.attributes = attributes
        self.messageGroupId = messageGroupId
        self.deduplicationId = deduplicationId
    }

    /// The bytes this entry counts toward a batch's size limit: the body and every attribute's name, type and value.
    var payloadBytes: Int {
        body.utf8.count + attributes.reduce(0) { $0 + $1.key.utf8.count + "String".utf8.count + $1.value.utf8.count }
    }
}

/// One received message, its system attributes decoded.
package struct SQSMessage: Sendable, Hashable {
    package var messageId: String
    package var receiptHandle: String
    package var body: String
    /// String and Number message attributes (Binary ones are skipped: starfleetd never sends them).
    package var attributes: [String: String]
    /// The system attributes as SQS sent them (`ApproximateReceiveCount`, `SentTimestamp`, `MessageGroupId`, …).
    package var systemAttributes: [String: String]

    /// `ApproximateReceiveCount`: receives so far, this one included (1 when missing).
    package var receiveCount: Int { systemAttributes["ApproximateReceiveCount"].flatMap { Int($0) } ?? 1 }
    /// `SentTimestamp` (epoch milliseconds).
    package var sentTimestamp: Date? { Self.date(systemAttributes["SentTimestamp"]) }
    /// `ApproximateFirstReceiveTimestamp` (epoch milliseconds).
    package var firstReceiveTimestamp: Date? { Self.date(systemAttributes["ApproximateFirstReceiveTimestamp"]) }
    package var deduplicationId: String? { systemAttributes["MessageDeduplicationId"] }
    package var messageGroupId: String? { systemAttributes["MessageGroupId"] }

    static func date(_ milliseconds: String?) -> Date? {
        guard let text = milliseconds, let value = Double(text) else { return nil }
        return Date(timeIntervalSince1970: value / 1000)
    }
}

/// What a batch call did per entry: ids that succeeded (with their result) and ids that failed.
package struct SQSBatchResult<Success: Sendable & Hashable>: Sendable, Hashable {
    /// Entry id → result (the new MessageId for a send, the entry id for a delete).
    package var successful: [String: Success]
    package var failed: [SQSBatchFailure]

    package init(successful: [String: Success], failed: [SQSBatchFailure]) {
        self.successful = successful
        self.failed = failed
    }
}

/// A failed batch entry: `{Id, SenderFault, Code, Message}`.
package struct SQSBatchFailure: Sendable, Hashable, Codable {
    package var id: String
    /// True when the request was at fault (no retry helps); false for a service-side failure worth retrying.
    package var senderFault: Bool
    package var code: String
    package var message: String?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case senderFault = "SenderFault"
        case code = "Code"
        case message = "Message"
    }

    package init(id: String, senderFault: Bool, code: String, message: String?) {
        self.id = id
        self.senderFault = senderFault
        self.code = code
        self.message = message
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        senderFault = try c.decodeIfPresent(Bool.self, forKey: .senderFault) ?? false
        code = try c.decode(String.self, forKey: .code)
        message = try c.decodeIfPresent(String.self, forKey: .message)
    }
}

/// A queue's RedrivePolicy: where SQS moves a message once its receive count exceeds `maxReceiveCount`.
package struct SQSRedrivePolicy: Sendable, Hashable, Decodable {
    package var deadLetterTargetArn: String
    package var maxReceiveCount: Int

    enum CodingKeys: String, CodingKey { case deadLetterTargetArn, maxReceiveCount }

    package init(deadLetterTargetArn: String, maxReceiveCount: Int) {
        self.deadLetterTargetArn = deadLetterTargetArn
        self.maxReceiveCount = maxReceiveCount
    }

    /// maxReceiveCount comes as a number or as a string, depending on who wrote the policy.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        deadLetterTargetArn = try c.decode(String.self, forKey: .deadLetterTargetArn)
        if let number = try? c.decode(Int.self, forKey: .maxReceiveCount) {
            maxReceiveCount = number
        } else if let text = try? c.decode(String.self, forKey: .maxReceiveCount), let number = Int(text) {
            maxReceiveCount = number
        } else {
            throw DecodingError.dataCorruptedError(
                forKey: .maxReceiveCount, in: c, debugDescription: "maxReceiveCount is neither a number nor a numeric string")
        }
    }

    /// The policy in a `RedrivePolicy` attribute value (a JSON string); nil when absent or unreadable.
    package static func parse(_ text: String?) -> SQSRedrivePolicy? {
        guard let text, !text.isEmpty else { return nil }
        return try? JSONDecoder().decode(SQSRedrivePolicy.self, from: Data(text.utf8))
    }
}
