import Foundation
import StarfleetWorkerKit
import Testing

@testable import StarfleetDaemon
@testable import StarfleetLambda

/// The SQS trigger's event for a batch: one record per message, each with its own id, receipt handle, body, receive
/// count, timestamps, attributes and MD5, in Lambda's field names.
@Suite struct SQSBatchEventTests {
    func record(_ n: Int, body: String, receiveCount: Int) -> SQSBatchRecord {
        SQSBatchRecord(
            invocation: WorkerInvocation(
                worker: "Orders", body: Array(body.utf8), account: nil, region: nil, commit: false, messageId: "m-\(n)",
                receiveCount: receiveCount),
            receiptHandle: "rh-\(n)", attributes: ["Kind": "k\(n)"],
            sentTimestamp: Date(timeIntervalSince1970: 1_700_000_000 + Double(n)),
            firstReceiveTimestamp: Date(timeIntervalSince1970: 1_700_000_100 + Double(n)))
    }

    @Test func eachRecordCarriesItsOwnMessageFacts() throws {
        let bytes = LambdaEvent.sqsBatch(
            [record(1, body: #"{"a":1}"#, receiveCount: 1), record(2, body: "plain \"text\"\n", receiveCount: 3)],
            region: "eu-west-1")
        let event = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let records = try #require(event["Records"] as? [[String: Any]])
        #expect(records.count == 2)
        for (i, r) in records.enumerated() {
            let n = i + 1
            #expect(r["messageId"] as? String == "m-\(n)")
            #expect(r["receiptHandle"] as? String == "rh-\(n)")
            #expect(r["eventSource"] as? String == "aws:sqs" && r["awsRegion"] as? String == "eu-west-1")
            #expect(r["eventSourceARN"] as? String == "arn:aws:sqs:eu-west-1:000000000000:Orders")
            let attributes = try #require(r["attributes"] as? [String: String])
            #expect(attributes["SentTimestamp"] == "170000000\(n)000")
            #expect(attributes["ApproximateFirstReceiveTimestamp"] == "170000010\(n)000")
            #expect(attributes["SenderId"] == "starfleetd")
            let message = try #require(r["messageAttributes"] as? [String: [String: Any]])
            #expect(message["Kind"]?["stringValue"] as? String == "k\(n)")
        }
        #expect(records[1]["body"] as? String == "plain \"text\"\n")
        #expect((records[1]["attributes"] as? [String: String])?["ApproximateReceiveCount"] == "3")
        #expect(records[0]["md5OfBody"] as? String == "bb6cb5c68df4652941caf652a366f2d8")  // md5 of {"a":1}
    }

    @Test func theDaemonsOwnAttributesAreNotTheSendersAndTheTraceIsAWSTraceHeader() throws {
        var traced = record(1, body: "{}", receiveCount: 1)
        traced.invocation.traceHeader = "Root=1-6b17163e-b235e81943c786731563897a;Sampled=0"
        traced.attributes = [
            "Kind": "k1", "StarfleetEvent": "template|K/all.yaml|abc|1",
            "StarfleetTraceHeader": "Root=1-6b17163e-b235e81943c786731563897a",
        ]
        let bytes = LambdaEvent.sqsBatch([traced], region: "us-east-1")
        let event = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let r = try #require((event["Records"] as? [[String: Any]])?.first)
        let message = try #require(r["messageAttributes"] as? [String: [String: Any]])
        #expect(Set(message.keys) == ["Kind"])
        #expect((r["attributes"] as? [String: String])?["AWSTraceHeader"] == traced.invocation.traceHeader)
    }
}
