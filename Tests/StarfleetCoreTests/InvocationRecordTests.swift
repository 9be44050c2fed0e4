import Foundation
import StarfleetCore
import Testing

/// Issue 22 §2: the invocation record a destination receives is Lambda's, field for field.
@Suite struct InvocationRecordTests {
    func decoded(_ record: InvocationRecord) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(record.json())) as? [String: Any])
    }

    @Test func aFailedEventsRecordHasEveryFieldLambdaSends() throws {
        let record = InvocationRecord(
            timestamp: Date(timeIntervalSince1970: 1_573_755_365.568), requestId: "e4b46cbf-b738-4ee1-8880-a18cdf61200e",
            functionArn: InvocationRecord.functionArn(region: "us-east-2", account: "123456789012", worker: "my-function"),
            condition: .retriesExhausted, approximateInvokeCount: 3, requestPayload: Array(#"{"ORDER_IDS":["a","b"]}"#.utf8),
            functionError: "Unhandled",
            responsePayload: InvocationRecord.errorDocument(message: "boom", type: "ValueError"))
        let json = try decoded(record)
        #expect(json["version"] as? String == "1.0")
        #expect(json["timestamp"] as? String == "2019-11-14T18:16:05.568Z")
        let request = try #require(json["requestContext"] as? [String: Any])
        #expect(request["requestId"] as? String == "e4b46cbf-b738-4ee1-8880-a18cdf61200e")
        #expect(request["functionArn"] as? String == "arn:aws:lambda:us-east-2:123456789012:function:my-function:$LATEST")
        #expect(request["condition"] as? String == "RetriesExhausted")
        #expect(request["approximateInvokeCount"] as? Int == 3)
        #expect((json["requestPayload"] as? [String: Any])?["ORDER_IDS"] as? [String] == ["a", "b"])
        let response = try #require(json["responseContext"] as? [String: Any])
        #expect(response["statusCode"] as? Int == 200)
        #expect(response["executedVersion"] as? String == "$LATEST")
        #expect(response["functionError"] as? String == "Unhandled")
        #expect(json["responsePayload"] as? [String: String] == ["errorMessage": "boom", "errorType": "ValueError"])
    }

    @Test func aSuccessHasNoFunctionErrorAndPlainTextStaysValidJSON() throws {
        let record = InvocationRecord(
            timestamp: Date(timeIntervalSince1970: 0), requestId: "r", functionArn: "arn", condition: .success,
            approximateInvokeCount: 1, requestPayload: Array("not json".utf8), functionError: nil,
            responsePayload: Array("42".utf8))
        let json = try decoded(record)
        #expect(json["timestamp"] as? String == "1970-01-01T00:00:00.000Z")
        #expect((json["requestContext"] as? [String: Any])?["condition"] as? String == "Success")
        #expect((json["responseContext"] as? [String: Any])?["functionError"] == nil)
        #expect(json["requestPayload"] as? String == "not json")
        #expect(json["responsePayload"] as? Int == 42)
    }

    @Test func anEventThatNeverRanHasANullResponse() throws {
        let record = InvocationRecord(
            timestamp: Date(timeIntervalSince1970: 1), requestId: "r", functionArn: "arn", condition: .eventAgeExceeded,
            approximateInvokeCount: 0, requestPayload: Array("{}".utf8), functionError: "Unhandled", responsePayload: nil)
        let json = try decoded(record)
        #expect(json["responsePayload"] is NSNull)
        #expect((json["requestContext"] as? [String: Any])?["condition"] as? String == "EventAgeExceeded")
    }
}
