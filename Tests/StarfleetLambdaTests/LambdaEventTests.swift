import Foundation
import Logging
import StarfleetWorkerKit
import StarfleetWorkers
import Testing

@testable import StarfleetCore
@testable import StarfleetDaemon
@testable import StarfleetLambda

/// The event a Lambda handler gets, the client context with Starfleet's facts, and how a warm process's lines are logged.
@Suite struct LambdaEventTests {
    let invocation: WorkerInvocation = {
        var i = WorkerInvocation(
            worker: "AwsConfig", body: Array(#"{"TemplateName":"t","StarbaseAssignedAccount":"111122223333"}"#.utf8),
            account: "111122223333", region: "eu-west-1", commit: true, messageId: "m-1", receiveCount: 2)
        i.template = "AwsConfig/t.yaml"
        return i
    }()

    @Test func anSQSEventIsOneRecordAsAnSQSTriggeredFunctionSeesIt() throws {
        let bytes = LambdaEvent.make(
            invocation, shape: .sqs, region: "us-east-1", template: "AwsConfig/t.yaml",
            sentAt: Date(timeIntervalSince1970: 1_700_000_000))
        let event = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let records = try #require(event["Records"] as? [[String: Any]])
        #expect(records.count == 1)
        let record = records[0]
        #expect(record["messageId"] as? String == "m-1")
        #expect(record["eventSource"] as? String == "aws:sqs")
        #expect(record["eventSourceARN"] as? String == "arn:aws:sqs:us-east-1:000000000000:AwsConfig")
        #expect(record["body"] as? String == String(decoding: invocation.body, as: UTF8.self))
        #expect(record["md5OfBody"] as? String == "14016cc0be45fad4900a25e9ffe8145d")  // md5sum of the body
        let attributes = try #require(record["attributes"] as? [String: String])
        #expect(attributes["ApproximateReceiveCount"] == "2" && attributes["SentTimestamp"] == "1700000000000")
        let message = try #require(record["messageAttributes"] as? [String: [String: Any]])
        #expect(message["StarfleetAccount"]?["stringValue"] as? String == "111122223333")
        #expect(message["StarfleetRegion"]?["dataType"] as? String == "String")
    }

    @Test func anSQSRecordCarriesThePayloadsTraceAsAWSTraceHeader() throws {
        var traced = invocation
        traced.traceHeader = "Root=1-6571a2b0-0123456789abcdef01234567;Sampled=0"
        let bytes = LambdaEvent.make(traced, shape: .sqs, region: "us-east-1", template: nil, sentAt: Date())
        let event = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let record = try #require((event["Records"] as? [[String: Any]])?.first)
        let attributes = try #require(record["attributes"] as? [String: String])
        #expect(attributes["AWSTraceHeader"] == "Root=1-6571a2b0-0123456789abcdef01234567;Sampled=0")
        let untraced = LambdaEvent.make(invocation, shape: .sqs, region: "us-east-1", template: nil, sentAt: Date())
        #expect(!String(decoding: untraced, as: UTF8.self).contains("AWSTraceHeader"))
    }

    @Test func aPayloadEventIsThePayloadItself() {
        #expect(
            LambdaEvent.make(invocation, shape: .payload, region: "us-east-1", template: nil, sentAt: Date()) == invocation.body)
    }

    @Test func theClientContextCarriesStarfleetsFactsAsStrings() throws {
        let text = LambdaEvent.clientContext(invocation, template: "AwsConfig/t.yaml")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["client"] is NSNull && object["env"] is NSNull)
        #expect(
            object["custom"] as? [String: String] == [
                "StarfleetWorker": "AwsConfig", "StarfleetAccount": "111122223333", "StarfleetRegion": "eu-west-1",
                "StarfleetCommit": "true", "StarfleetMessageId": "m-1", "StarfleetReceiveCount": "2",
                "StarfleetTemplate": "AwsConfig/t.yaml",
            ])
    }

    @Test func aLinesLevelWordBecomesItsPriority() {
        #expect(WarmProcessOutput.level(of: "INFO fetching 1234") == (.info, "fetching 1234"))
        #expect(WarmProcessOutput.level(of: "[ERROR] ValueError: boom") == (.error, "ValueError: boom"))
        #expect(WarmProcessOutput.level(of: "WARNING: disk") == (.warning, "disk"))
        #expect(WarmProcessOutput.level(of: "INFORMATION is power") == (.info, "INFORMATION is power"))
        #expect(WarmProcessOutput.level(of: "plain line") == (.info, "plain line"))
    }

    @Test func anErrorDocumentKeepsOneCopyOfTheTrace() {
        let document = LambdaErrorDocument(
            errorMessage: "boom", errorType: "ValueError",
            stackTrace: ["  File \"main.py\", line 3, in execute\n", "    raise ValueError\n"])
        let printed = document.failure(
            stderrTail: "[ERROR] ValueError: boom\n  File \"main.py\", line 3, in execute\n    raise ValueError\n")
        #expect(printed.message == "ValueError: boom" && printed.errorType == "ValueError" && printed.errorMessage == "boom")
        #expect(printed.stderrTail?.components(separatedBy: "in execute").count == 2)
        let silent = document.failure(stderrTail: "")
        #expect(silent.stderrTail?.hasPrefix("Traceback (most recent call last):\n  File \"main.py\"") == true)
    }
}
