import CStarfleetQueueSupport

/// SQS's send-side rules (semantics.md §A1): size, allowed characters, delay, attributes.
enum MessageValidation {
    static func validate(_ message: OutgoingMessage, queue: String) throws {
        var size = 0
        var body = message.body
        let bodyOK = body.withUTF8 { utf8 -> Bool in
            size = utf8.count
            return isAllowed(utf8)
        }
        guard size > 0 else {
            throw QueueError(
                .invalidMessageContents, "the message body is empty", hint: "Send at least one character.", queue: queue)
        }
        guard bodyOK else {
            throw QueueError(
                .invalidMessageContents,
                "the message body holds a character SQS does not allow (a control character other than tab, LF, CR, or U+FFFE/U+FFFF)",
                hint: "Encode binary payloads (base64) or strip control characters.", queue: queue)
        }
        guard (0...QueueLimits.maxDelaySeconds).contains(message.delaySeconds) else {
            throw QueueError(
                .invalidParameterValue, "DelaySeconds \(message.delaySeconds) is outside 0...900",
                hint: "Use a delay between 0 and 900 seconds.", queue: queue)
        }
        guard message.attributes.count <= QueueLimits.maxAttributes else {
            throw QueueError(
                .invalidParameterValue, "the message has \(message.attributes.count) attributes; at most 10 are allowed",
                hint: "Move extra data into the body.", queue: queue)
        }
        for (key, value) in message.attributes {
            guard !key.isEmpty else {
                throw QueueError(
                    .invalidParameterValue, "a message attribute has an empty name", hint: "Name every attribute.", queue: queue)
            }
            size += key.utf8.count + value.utf8.count
        }
        guard size <= QueueLimits.maxMessageBytes else {
            throw QueueError(
                .messageTooLarge,
                "the message is \(size) bytes (body plus attributes); the limit is 1 MiB (1,048,576 bytes)",
                hint: "Send a smaller payload, or store it elsewhere (S3, a file) and send a reference.", queue: queue)
        }
        if let dedup = message.deduplicationId, dedup.isEmpty || dedup.utf8.count > 128 {
            throw QueueError(
                .invalidParameterValue, "a deduplication id must be 1 to 128 characters",
                hint: "Use a shorter deduplication id (a hash of the payload works).", queue: queue)
        }
    }

    /// Allowed: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. Swift strings cannot hold surrogates,
    /// so only C0 controls and U+FFFE/U+FFFF need checking (in C: this runs over every byte sent).
    private static func isAllowed(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        sfq_sqs_body_allowed(utf8.baseAddress, utf8.count) != 0
    }
}

extension OutgoingMessage {
    /// Checks this message against the rules a send applies (size, characters, delay, attributes), without sending:
    /// for a sender that sends in parts and must find a message that can never be sent before it sends any.
    package func validate(queue: String) throws {
        try MessageValidation.validate(self, queue: queue)
    }
}
