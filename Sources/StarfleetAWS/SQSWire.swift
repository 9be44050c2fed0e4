/// The JSON shapes of the SQS actions starfleetd calls (AWS JSON 1.0: member names as in the API, PascalCase).
/// Optional members that are nil are left out of the request, as the SDKs do.
enum SQSWire {
    struct AttributeValue: Codable, Hashable {
        var DataType: String
        var StringValue: String?
    }

    struct SendMessageBatchInput: Encodable {
        struct Entry: Encodable {
            var Id: String
            var MessageBody: String
            var DelaySeconds: Int?
            var MessageAttributes: [String: AttributeValue]?
            var MessageSystemAttributes: [String: AttributeValue]?
            var MessageGroupId: String?
            var MessageDeduplicationId: String?
        }
        var QueueUrl: String
        var Entries: [Entry]
    }

    struct SendMessageBatchOutput: Decodable {
        struct Entry: Decodable {
            var Id: String
            var MessageId: String
        }
        var Successful: [Entry]?
        var Failed: [SQSBatchFailure]?
    }

    struct ReceiveMessageInput: Encodable {
        var QueueUrl: String
        var MaxNumberOfMessages: Int
        var VisibilityTimeout: Int?
        var WaitTimeSeconds: Int
        var MessageSystemAttributeNames = ["All"]
        var MessageAttributeNames = ["All"]
    }

    struct ReceiveMessageOutput: Decodable {
        struct Message: Decodable {
            var MessageId: String
            var ReceiptHandle: String
            var Body: String?
            var Attributes: [String: String]?
            var MessageAttributes: [String: AttributeValue]?
        }
        var Messages: [Message]?
    }

    struct DeleteMessageBatchInput: Encodable {
        struct Entry: Encodable {
            var Id: String
            var ReceiptHandle: String
        }
        var QueueUrl: String
        var Entries: [Entry]
    }

    struct DeleteMessageBatchOutput: Decodable {
        struct Entry: Decodable { var Id: String }
        var Successful: [Entry]?
        var Failed: [SQSBatchFailure]?
    }

    struct ChangeMessageVisibilityInput: Encodable {
        var QueueUrl: String
        var ReceiptHandle: String
        var VisibilityTimeout: Int
    }

    struct GetQueueAttributesInput: Encodable {
        var QueueUrl: String
        var AttributeNames: [String]
    }

    struct GetQueueAttributesOutput: Decodable {
        var Attributes: [String: String]?
    }

    struct CreateQueueInput: Encodable {
        var QueueName: String
        var Attributes: [String: String]?
    }

    struct CreateQueueOutput: Decodable {
        var QueueUrl: String
    }

    struct SetQueueAttributesInput: Encodable {
        var QueueUrl: String
        var Attributes: [String: String]
    }

    /// Operations without output answer `{}` or nothing.
    struct Empty: Decodable {}
}
