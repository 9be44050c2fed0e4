internal import FoundationEssentials
package import StarfleetClock

/// The SQS actions starfleetd needs, over AWS JSON 1.0 (`POST /`, `Content-Type: application/x-amz-json-1.0`,
/// `X-Amz-Target: AmazonSQS.<Action>`), SigV4-signed for service `sqs`. Throttling, 5xx and network failures are
/// retried by ``HTTPClient``'s ``RetryPolicy``; refusals throw ``SQSError``, transport failures ``HTTPError``.
package struct SQSClient: Sendable {
    let http: HTTPClient
    let credentialsProvider: any AWSCredentialsProvider
    let signer: SigV4Signer
    let endpoint: AWSEndpoint
    let clock: any WallClock

    /// The most entries SQS takes in one batch call.
    package static let maxBatchEntries = 10
    /// starfleetd keeps each SendMessageBatch under 256 KiB (the limit before Aug 2025, and still every queue's
    /// limit whose MaximumMessageSize was never raised), so batches fit any queue.
    package static let maxBatchBytes = 262_144

    package init(
        http: HTTPClient, credentials: any AWSCredentialsProvider, region: String, endpoint: AWSEndpoint,
        clock: any WallClock = SystemWallClock()
    ) {
        self.http = http
        credentialsProvider = credentials
        signer = SigV4Signer(region: region, service: "sqs")
        self.endpoint = endpoint
        self.clock = clock
    }

    /// The signing region.
    package var region: String { signer.region }

    // MARK: Actions

    /// SendMessageBatch: at most 10 entries. Entries SQS refuses come back in `failed`, not as a thrown error.
    package func sendMessageBatch(queueUrl: String, entries: [SQSSendEntry]) async throws -> SQSBatchResult<String> {
        let input = SQSWire.SendMessageBatchInput(
            QueueUrl: queueUrl,
            Entries: entries.map { entry in
                SQSWire.SendMessageBatchInput.Entry(
                    Id: entry.id, MessageBody: entry.body, DelaySeconds: entry.delaySeconds,
                    MessageAttributes: entry.attributes.isEmpty
                        ? nil : entry.attributes.mapValues { SQSWire.AttributeValue(DataType: "String", StringValue: $0) },
                    MessageSystemAttributes: entry.traceHeader.map {
                        ["AWSTraceHeader": SQSWire.AttributeValue(DataType: "String", StringValue: $0)]
                    },
                    MessageGroupId: entry.messageGroupId, MessageDeduplicationId: entry.deduplicationId)
            })
        let output = try await call("SendMessageBatch", input, queueUrl: queueUrl, as: SQSWire.SendMessageBatchOutput.self)
        var successful: [String: String] = [:]
        for entry in output.Successful ?? [] { successful[entry.Id] = entry.MessageId }
        return SQSBatchResult(successful: successful, failed: output.Failed ?? [])
    }

    /// ReceiveMessage with every system and message attribute. Long-polls up to `waitTimeSeconds` (0...20); the HTTP
    /// timeout is that plus a margin, as the SDKs require. A long poll runs on its own lane and a cancelled task
    /// gives it up (CancellationError) instead of waiting it out.
    package func receiveMessage(
        queueUrl: String, maxNumberOfMessages: Int, visibilityTimeout: Int?, waitTimeSeconds: Int, retry: RetryPolicy? = nil
    ) async throws -> [SQSMessage] {
        let wait = min(max(waitTimeSeconds, 0), 20)
        let input = SQSWire.ReceiveMessageInput(
            QueueUrl: queueUrl, MaxNumberOfMessages: min(max(maxNumberOfMessages, 1), 10),
            VisibilityTimeout: visibilityTimeout, WaitTimeSeconds: wait)
        let output = try await call(
            "ReceiveMessage", input, queueUrl: queueUrl, as: SQSWire.ReceiveMessageOutput.self, timeout: Double(wait) + 5,
            retry: retry, isLongPoll: wait > 0)
        return (output.Messages ?? []).map(Self.message)
    }

    /// DeleteMessageBatch: at most 10 `(id, receiptHandle)` entries; per-entry failures come back in `failed`.
    package func deleteMessageBatch(queueUrl: String, entries: [(id: String, receiptHandle: String)]) async throws
        -> SQSBatchResult<String>
    {
        let input = SQSWire.DeleteMessageBatchInput(
            QueueUrl: queueUrl, Entries: entries.map { .init(Id: $0.id, ReceiptHandle: $0.receiptHandle) })
        let output = try await call("DeleteMessageBatch", input, queueUrl: queueUrl, as: SQSWire.DeleteMessageBatchOutput.self)
        var successful: [String: String] = [:]
        for entry in output.Successful ?? [] { successful[entry.Id] = entry.Id }
        return SQSBatchResult(successful: successful, failed: output.Failed ?? [])
    }

    /// ChangeMessageVisibility: hide the message `visibilityTimeout` seconds from now (0 = visible at once).
    package func changeMessageVisibility(queueUrl: String, receiptHandle: String, visibilityTimeout: Int) async throws {
        let input = SQSWire.ChangeMessageVisibilityInput(
            QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: visibilityTimeout)
        _ = try await call("ChangeMessageVisibility", input, queueUrl: queueUrl, as: SQSWire.Empty.self)
    }

    /// GetQueueAttributes (`All` by default), as SQS returns them: strings.
    package func getQueueAttributes(
        queueUrl: String, names: [String] = ["All"], timeout: Double? = nil, retry: RetryPolicy? = nil
    ) async throws -> [String: String] {
        let input = SQSWire.GetQueueAttributesInput(QueueUrl: queueUrl, AttributeNames: names)
        let output = try await call(
            "GetQueueAttributes", input, queueUrl: queueUrl, as: SQSWire.GetQueueAttributesOutput.self, timeout: timeout,
            retry: retry)
        return output.Attributes ?? [:]
    }

    /// CreateQueue (idempotent for identical attributes); returns the queue's URL.
    package func createQueue(name: String, attributes: [String: String] = [:]) async throws -> String {
        let input = SQSWire.CreateQueueInput(QueueName: name, Attributes: attributes.isEmpty ? nil : attributes)
        return try await call("CreateQueue", input, queueUrl: nil, as: SQSWire.CreateQueueOutput.self).QueueUrl
    }

    /// SetQueueAttributes.
    package func setQueueAttributes(queueUrl: String, attributes: [String: String]) async throws {
        let input = SQSWire.SetQueueAttributesInput(QueueUrl: queueUrl, Attributes: attributes)
        _ = try await call("SetQueueAttributes", input, queueUrl: queueUrl, as: SQSWire.Empty.self)
    }

    // MARK: The protocol

    /// The signed HTTP request for `action` with the JSON body `input`.
    func request<Input: Encodable>(
        _ action: String, _ input: Input, credentials: AWSCredentials, date: Date, timeout: Double?, isLongPoll: Bool = false
    ) throws -> HTTPRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = [UInt8](try encoder.encode(input))
        let headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AmazonSQS.\(action)"),
        ]
        let signed = signer.sign(
            SigV4Request(
                method: "POST", scheme: endpoint.scheme, host: endpoint.host, path: endpoint.basePath + "/",
                headers: headers, body: body),
            credentials: credentials, date: date)
        var request = HTTPRequest(
            method: "POST", url: signed.url, headers: signed.headers.filter { $0.name != "Host" }, body: body, timeout: timeout)
        request.isLongPoll = isLongPoll
        return request
    }

    private func call<Input: Encodable, Output: Decodable>(
        _ action: String, _ input: Input, queueUrl: String?, as: Output.Type, timeout: Double? = nil,
        retry: RetryPolicy? = nil, isLongPoll: Bool = false
    ) async throws -> Output {
        let request = try request(
            action, input, credentials: try await credentialsProvider.credentials(), date: clock.now(), timeout: timeout,
            isLongPoll: isLongPoll)
        let response = try await http.send(request, retry: retry)
        return try Self.decode(response, action: action, queueUrl: queueUrl, as: Output.self)
    }

    /// The output of a response, or the ``SQSError`` it carries.
    static func decode<Output: Decodable>(_ response: HTTPResponse, action: String, queueUrl: String?, as: Output.Type)
        throws -> Output
    {
        guard response.isSuccess else { throw SQSError.parse(response, action: action, queueUrl: queueUrl) }
        let body = response.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D } ? Array("{}".utf8) : response.body
        do {
            return try JSONDecoder().decode(Output.self, from: Data(body))
        } catch {
            throw SQSError(
                action: action, queueUrl: queueUrl, status: response.status, code: "MalformedResponse",
                message: "the answer is not the JSON expected (\(String(response.text.prefix(200))))")
        }
    }

    static func message(_ wire: SQSWire.ReceiveMessageOutput.Message) -> SQSMessage {
        var attributes: [String: String] = [:]
        for (name, value) in wire.MessageAttributes ?? [:] {
            if let text = value.StringValue { attributes[name] = text }
        }
        return SQSMessage(
            messageId: wire.MessageId, receiptHandle: wire.ReceiptHandle, body: wire.Body ?? "", attributes: attributes,
            systemAttributes: wire.Attributes ?? [:])
    }

    /// `entries` cut into SendMessageBatch calls of at most 10 entries and ``maxBatchBytes`` bytes (an entry larger
    /// than that travels alone), in order.
    package static func batches(_ entries: [SQSSendEntry]) -> [[SQSSendEntry]] {
        var batches: [[SQSSendEntry]] = []
        var current: [SQSSendEntry] = []
        var bytes = 0
        for entry in entries {
            let size = entry.payloadBytes
            if !current.isEmpty && (current.count == maxBatchEntries || bytes + size > maxBatchBytes) {
                batches.append(current)
                current = []
                bytes = 0
            }
            current.append(entry)
            bytes += size
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}
