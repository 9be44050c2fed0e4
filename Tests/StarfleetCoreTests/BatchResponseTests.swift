import StarfleetCore
import Testing

/// Lambda's partial batch response rules for SQS (ReportBatchItemFailures), one case per documented rule: what counts
/// as complete success, what fails the whole batch, and that only the named records are retried otherwise.
@Suite struct BatchResponseTests {
    let ids = ["m1", "m2", "m3"]

    func verdict(_ response: String, reports: Bool = true) -> BatchResponse.Verdict {
        BatchResponse.verdict(of: Array(response.utf8), messageIds: ids, reportsBatchItemFailures: reports)
    }

    @Test func namedRecordsFailAndTheRestSucceed() {
        #expect(
            verdict(#"{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m3"},{"itemIdentifier":"m2"}]}"#)
                == .someFailed(["m2", "m3"]))
    }

    @Test(arguments: ["", "  \n", "null", "{}", #"{"batchItemFailures":[]}"#, #"{"batchItemFailures":null}"#])
    func completeSuccess(_ response: String) {
        #expect(verdict(response) == .allSucceeded)
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        (#"{"batchItemFailures":"#, "not JSON"),
        (#""ok""#, "a string, not an object"),
        ("[]", "a list, not an object"),
        ("42", "a number, not an object"),
        (#"{"batchItemFailures":{"itemIdentifier":"m1"}}"#, "batchItemFailures is an object, not a list"),
        (#"{"batchItemFailures":"m1"}"#, "batchItemFailures is a string, not a list"),
        (#"{"batchItemFailures":["m1"]}"#, "batchItemFailures[0] is a string, not an object"),
        (#"{"batchItemFailures":[{"itemIdentifier":""}]}"#, "batchItemFailures[0].itemIdentifier is empty"),
        (#"{"batchItemFailures":[{"itemIdentifier":null}]}"#, "batchItemFailures[0].itemIdentifier is null"),
        (#"{"batchItemFailures":[{"itemId":"m1"}]}"#, "batchItemFailures[0] has no itemIdentifier"),
        (#"{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"zz"}]}"#, "\"zz\" is not in the batch"),
        (#"{"batchItemFailures":[{"itemIdentifier":7}]}"#, "itemIdentifier is a number, not text"),
    ])
    func malformedResponsesFailTheWholeBatch(_ response: String, _ reason: String) {
        guard case .allFailed(let why) = verdict(response) else {
            Issue.record("\(response) was not a whole-batch failure: \(verdict(response))")
            return
        }
        #expect(why.contains(reason), "\(why)")
    }

    @Test func withoutReportBatchItemFailuresTheResponseIsIgnored() {
        #expect(verdict(#"{"batchItemFailures":[{"itemIdentifier":"m1"}]}"#, reports: false) == .allSucceeded)
        #expect(verdict("not json", reports: false) == .allSucceeded)
    }
}
