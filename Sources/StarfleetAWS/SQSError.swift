/// An SQS call the service refused: which action on which queue, the error's short name (`QueueDoesNotExist`, from
/// the JSON `__type` after `#`, or the XML `<Code>` of an authentication error), the legacy query code SQS also
/// sends (`AWS.SimpleQueueService.NonExistentQueue`), the service's message, and what to do.
package struct SQSError: Error, Sendable, Hashable, CustomStringConvertible {
    package var action: String
    package var queueUrl: String?
    /// The HTTP status (200 for a failed batch entry).
    package var status: Int
    /// The error's short name, such as `QueueDoesNotExist`, `ReceiptHandleIsInvalid`, `SignatureDoesNotMatch`.
    package var code: String
    /// The `x-amzn-query-error` code, when sent and different from `code`.
    package var queryCode: String?
    package var message: String?
    package var hint: String
    package var attempts: Int

    package init(
        action: String, queueUrl: String?, status: Int, code: String, queryCode: String? = nil, message: String?,
        attempts: Int = 1
    ) {
        self.action = action
        self.queueUrl = queueUrl
        self.status = status
        self.code = code
        self.queryCode = queryCode == code ? nil : queryCode
        self.message = message
        self.attempts = attempts
        hint = Self.hint(code: code, queryCode: queryCode, status: status)
    }

    package var description: String {
        var text = "SQS \(action)"
        if let queueUrl { text += " on \(queueUrl)" }
        text += " failed: \(code)"
        if let queryCode { text += " (\(queryCode))" }
        text += " HTTP \(status)"
        if let message, !message.isEmpty { text += ": \(message)" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        return text + "; " + hint
    }

    /// The error in a failed response: JSON `__type`/`message`, else whatever ``AWSErrorBody`` finds (XML bodies,
    /// which moto sends for authentication failures even on the JSON protocol, or the headers).
    static func parse(_ response: HTTPResponse, action: String, queueUrl: String?, attempts: Int = 1) -> SQSError {
        let queryCode = response.header("x-amzn-query-error")?.split(separator: ";").first.map(String.init)
        let fallback = AWSErrorBody.parse(response)
        let code: String
        if let type = AWSErrorBody.jsonString("__type", in: response.text) ?? response.header("x-amzn-ErrorType") {
            let afterHash = type.split(separator: "#").last.map(String.init) ?? type
            code = afterHash.split(separator: ":").first.map(String.init) ?? afterHash
        } else if let fallback {
            code = fallback.code
        } else {
            code = "HTTP\(response.status)"
        }
        var message = fallback?.message
        if message == nil, !response.isSuccess, code == "HTTP\(response.status)" {
            let snippet = String(response.text.prefix(200))
            message = snippet.isEmpty ? nil : snippet
        }
        return SQSError(
            action: action, queueUrl: queueUrl, status: response.status, code: code, queryCode: queryCode,
            message: message, attempts: attempts)
    }

    static func hint(code: String, queryCode: String?, status: Int) -> String {
        switch code {
        case "QueueDoesNotExist", "NonExistentQueue", "AWS.SimpleQueueService.NonExistentQueue":
            return "no such queue: check InvocationQueueUrl/FanOutQueueUrl (account id, name, region) and create the queue"
        case "ReceiptHandleIsInvalid", "MessageNotInflight":
            return
                "the receipt handle is no longer valid (the message was deleted or received again); it comes back if not deleted"
        case "InvalidParameterValue", "InvalidAttributeValue", "MissingParameter", "InvalidAddress":
            return "SQS refused a parameter; for FIFO queues check MessageGroupId and the deduplication id"
        case "BatchRequestTooLong", "TooManyEntriesInBatchRequest", "BatchEntryIdsNotDistinct", "InvalidBatchEntryId",
            "EmptyBatchRequest":
            return "the batch broke SQS's limits (10 entries, 1 MiB); report this bug"
        case "InvalidMessageContents": return "the body holds characters SQS does not accept"
        case "SignatureDoesNotMatch", "InvalidAccessKeyId", "IncompleteSignature", "InvalidClientTokenId",
            "MissingAuthenticationToken", "InvalidSecurity":
            return "the request signature was refused; check the access key, secret, region and the system clock"
        case "AccessDenied", "AccessDeniedException", "KmsAccessDenied":
            return "access denied; the credentials need sqs:SendMessage/ReceiveMessage/DeleteMessage/"
                + "ChangeMessageVisibility/GetQueueAttributes on the queue (docs/multi-host.md)"
        case "OverLimit": return "too many messages in flight; lower Concurrency or delete faster"
        case "UnsupportedOperation": return "the queue does not support this (FIFO and standard queues differ)"
        default:
            if RetryPolicy.isRetryable(status: status, awsCode: code) {
                return "SQS failed or throttled; the call was retried with backoff and will be tried again later"
            }
            return "SQS refused the request"
        }
    }
}
