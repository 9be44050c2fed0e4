import Foundation
import Logging
import Testing

@testable import StarfleetAWS

/// SQS's JSON protocol without a server: request encoding and signing, response and error parsing, batching,
/// queue URLs and RedrivePolicy.
@Suite struct SQSProtocolTests {
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    static func client(endpoint: String = "https://sqs.eu-west-1.amazonaws.com") -> SQSClient {
        SQSClient(
            http: HTTPClient(logger: Logger(label: "test")), credentials: StaticCredentialsProvider(credentials),
            region: "eu-west-1", endpoint: AWSEndpoint(url: endpoint, isOverride: false)!)
    }

    @Test func requestIsAWSJSON10SignedForSQS() throws {
        let input = SQSWire.SendMessageBatchInput(
            QueueUrl: "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs.fifo",
            Entries: [
                .init(
                    Id: "m0", MessageBody: #"{"a":"b/c"}"#, DelaySeconds: nil,
                    MessageAttributes: ["StarfleetAccount": .init(DataType: "String", StringValue: "123")],
                    MessageGroupId: "123", MessageDeduplicationId: "abc")
            ])
        let date = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z
        let request = try Self.client().request(
            "SendMessageBatch", input, credentials: Self.credentials, date: date, timeout: nil)
        #expect(request.method == "POST")
        #expect(request.url == "https://sqs.eu-west-1.amazonaws.com/")
        let headers = Dictionary(request.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(headers["content-type"] == "application/x-amz-json-1.0")
        #expect(headers["x-amz-target"] == "AmazonSQS.SendMessageBatch")
        #expect(headers["x-amz-date"] == "20250101T000000Z")
        let authorization = try #require(headers["authorization"])
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/eu-west-1/sqs/aws4_request, "))
        #expect(authorization.contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target,"))
        // Member names as in the API, nil members left out, no escaped slashes, keys sorted (stable bytes to sign).
        #expect(
            String(decoding: request.body, as: UTF8.self) == """
                {"Entries":[{"Id":"m0","MessageAttributes":{"StarfleetAccount":{"DataType":"String","StringValue":"123"}},\
                "MessageBody":"{\\"a\\":\\"b/c\\"}","MessageDeduplicationId":"abc","MessageGroupId":"123"}],\
                "QueueUrl":"https://sqs.eu-west-1.amazonaws.com/111122223333/jobs.fifo"}
                """)
    }

    @Test func endpointOverrideKeepsThePathPrefix() throws {
        let input = SQSWire.GetQueueAttributesInput(QueueUrl: "u", AttributeNames: ["All"])
        let request = try Self.client(endpoint: "http://127.0.0.1:4566/prefix").request(
            "GetQueueAttributes", input, credentials: Self.credentials, date: Date(), timeout: 5)
        #expect(request.url == "http://127.0.0.1:4566/prefix/")
        #expect(request.timeout == 5)
    }

    @Test func receivedMessagesCarryReceiveCountTimestampsAndAttributes() throws {
        let json = """
            {"Messages": [{"MessageId": "m-1", "ReceiptHandle": "rh-1", "MD5OfBody": "x", "Body": "{\\"k\\": 1}",
              "Attributes": {"ApproximateReceiveCount": "3", "SentTimestamp": "1735689600123",
                             "ApproximateFirstReceiveTimestamp": "1735689601000", "MessageDeduplicationId": "d",
                             "MessageGroupId": "g"},
              "MessageAttributes": {"StarfleetRegion": {"DataType": "String", "StringValue": "eu-west-1"},
                                    "Blob": {"DataType": "Binary", "BinaryValue": "AAE="}}}]}
            """
        let response = HTTPResponse(status: 200, headers: [], body: Array(json.utf8))
        let output = try SQSClient.decode(
            response, action: "ReceiveMessage", queueUrl: "q", as: SQSWire.ReceiveMessageOutput.self)
        let message = SQSClient.message(try #require(output.Messages?.first))
        #expect(message.messageId == "m-1" && message.receiptHandle == "rh-1" && message.body == #"{"k": 1}"#)
        #expect(message.receiveCount == 3)
        #expect(message.sentTimestamp == Date(timeIntervalSince1970: 1_735_689_600.123))
        #expect(message.firstReceiveTimestamp == Date(timeIntervalSince1970: 1_735_689_601))
        #expect(message.deduplicationId == "d" && message.messageGroupId == "g")
        #expect(message.attributes == ["StarfleetRegion": "eu-west-1"])
    }

    @Test func emptyReceiveAndEmptyBodiesDecode() throws {
        let none = HTTPResponse(status: 200, headers: [], body: Array("{}".utf8))
        #expect(
            try SQSClient.decode(none, action: "ReceiveMessage", queueUrl: nil, as: SQSWire.ReceiveMessageOutput.self).Messages
                == nil)
        let empty = HTTPResponse(status: 200, headers: [], body: [])
        _ = try SQSClient.decode(empty, action: "ChangeMessageVisibility", queueUrl: nil, as: SQSWire.Empty.self)
        let junk = HTTPResponse(status: 200, headers: [], body: Array("<html>".utf8))
        #expect(throws: SQSError.self) {
            try SQSClient.decode(junk, action: "ReceiveMessage", queueUrl: nil, as: SQSWire.ReceiveMessageOutput.self)
        }
    }

    @Test func batchFailuresDecodeWithOrWithoutSenderFault() throws {
        let json =
            #"{"Successful": [{"Id": "a", "MessageId": "1"}], "Failed": [{"Id": "b", "Code": "InternalError"}, {"Id": "c", "SenderFault": true, "Code": "InvalidMessageContents", "Message": "bad"}]}"#
        let output = try SQSClient.decode(
            HTTPResponse(status: 200, headers: [], body: Array(json.utf8)), action: "SendMessageBatch", queueUrl: nil,
            as: SQSWire.SendMessageBatchOutput.self)
        #expect(output.Successful?.map(\.MessageId) == ["1"])
        #expect(
            output.Failed == [
                SQSBatchFailure(id: "b", senderFault: false, code: "InternalError", message: nil),
                SQSBatchFailure(id: "c", senderFault: true, code: "InvalidMessageContents", message: "bad"),
            ])
    }

    @Test func jsonErrorsUseTheShortTypeAndKeepTheQueryCode() {
        let response = HTTPResponse(
            status: 400,
            headers: [("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")],
            body: Array(#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#.utf8)
        )
        let error = SQSError.parse(response, action: "ReceiveMessage", queueUrl: "https://sqs.us-east-1.amazonaws.com/1/q")
        #expect(error.code == "QueueDoesNotExist")
        #expect(error.queryCode == "AWS.SimpleQueueService.NonExistentQueue")
        #expect(error.message == "The specified queue does not exist.")
        #expect(
            error.description.contains("SQS ReceiveMessage on https://sqs.us-east-1.amazonaws.com/1/q failed: QueueDoesNotExist"))
        #expect(error.description.contains("check InvocationQueueUrl/FanOutQueueUrl"))
        // ministack sends the bare shape name.
        let bare = HTTPResponse(
            status: 400, headers: [], body: Array(#"{"__type": "ReceiptHandleIsInvalid", "message": "no"}"#.utf8))
        #expect(SQSError.parse(bare, action: "DeleteMessageBatch", queueUrl: nil).code == "ReceiptHandleIsInvalid")
    }

    @Test func xmlAuthenticationErrorsAreParsedToo() {
        // moto answers a refused signature on the JSON protocol with the query protocol's XML.
        let xml = """
            <?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type>\
            <Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match.</Message></Error>\
            <RequestId>r</RequestId></ErrorResponse>
            """
        let error = SQSError.parse(
            HTTPResponse(status: 403, headers: [], body: Array(xml.utf8)), action: "ReceiveMessage", queueUrl: nil)
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.message == "The request signature we calculated does not match.")
        #expect(error.hint.contains("signature"))
        let opaque = SQSError.parse(
            HTTPResponse(status: 502, headers: [], body: Array("bad gateway".utf8)), action: "X", queueUrl: nil)
        #expect(opaque.code == "HTTP502" && opaque.message == "bad gateway")
    }

    @Test func batchesHoldTenEntriesAndAtMost256KiB() {
        let small = (0..<25).map { SQSSendEntry(id: "m\($0)", body: "x") }
        #expect(SQSClient.batches(small).map(\.count) == [10, 10, 5])
        let hundredK = String(repeating: "a", count: 100_000)
        let big = (0..<5).map { SQSSendEntry(id: "b\($0)", body: hundredK, attributes: ["k": "v"]) }
        #expect(SQSClient.batches(big).map(\.count) == [2, 2, 1])
        let huge = SQSSendEntry(id: "h", body: String(repeating: "z", count: 300_000))
        let mixed = SQSClient.batches([SQSSendEntry(id: "s", body: "x"), huge, SQSSendEntry(id: "t", body: "y")])
        #expect(mixed.map { $0.map(\.id) } == [["s"], ["h"], ["t"]])
        #expect(SQSClient.batches([]).isEmpty)
    }

    @Test(arguments: [
        ("https://sqs.us-east-1.amazonaws.com/111122223333/jobs", "us-east-1", "jobs", false),
        ("https://sqs.eu-west-1.amazonaws.com/111122223333/jobs.fifo", "eu-west-1", "jobs.fifo", true),
        ("https://us-east-2.queue.amazonaws.com/123456789012/WorkerQueue1", "us-east-2", "WorkerQueue1", false),
        ("https://queue.amazonaws.com/123456789012/q", "us-east-1", "q", false),
        ("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", "cn-north-1", "q", false),
        ("https://sqs.ap-south-2.api.aws/123456789012/q-1_2", "ap-south-2", "q-1_2", false),
    ])
    func sqsQueueURLs(url: String, region: String, name: String, fifo: Bool) throws {
        let parsed = try #require(SQSQueueURL(url))
        #expect(parsed.region == region && parsed.queueName == name && parsed.isFIFO == fifo)
    }

    @Test(arguments: [
        "https://sqs.DEPLOYMENT-REGION.amazonaws.com/DEPLOYMENT-ACCOUNT-ID/starbase-fanout-queue",  // Starfleet's placeholder
        "https://sqs.amazonaws.com/fanout-queue", "http://sqs.us-east-1.amazonaws.com/111122223333/q",
        "https://sqs.us-east-1.amazonaws.com/11112222333/q", "https://sqs.us-east-1.amazonaws.com/111122223333/",
        "https://sqs.us-east-1.amazonaws.com/111122223333/bad.name", "https://example.com/111122223333/q",
        "https://sqs.us-east-1.amazonaws.com/111122223333/q/extra",
    ])
    func notSQSQueueURLs(url: String) {
        #expect(SQSQueueURL(url) == nil)
    }

    @Test func arnsAndRedrivePolicies() throws {
        let url = try #require(SQSQueueURL("https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"))
        #expect(url.arn == "arn:aws:sqs:eu-west-1:111122223333:jobs")
        #expect(SQSQueueURL(arn: url.arn) == url)
        #expect(
            SQSQueueURL(arn: "arn:aws:sqs:us-east-1:123456789012:dlq.fifo")?.url
                == "https://sqs.us-east-1.amazonaws.com/123456789012/dlq.fifo")
        #expect(SQSQueueURL(arn: "arn:aws:s3:::bucket") == nil)
        let asString = SQSRedrivePolicy.parse(#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d","maxReceiveCount":"3"}"#)
        let asNumber = SQSRedrivePolicy.parse(#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d","maxReceiveCount":3}"#)
        #expect(asString == SQSRedrivePolicy(deadLetterTargetArn: "arn:aws:sqs:us-east-1:1:d", maxReceiveCount: 3))
        #expect(asNumber == asString)
        #expect(SQSRedrivePolicy.parse(nil) == nil && SQSRedrivePolicy.parse("") == nil && SQSRedrivePolicy.parse("{}") == nil)
    }
}
