import Testing

@testable import StarfleetSQSQueue

/// FIFO MessageGroupIds and deduplication ids are built from worker names, accounts and event keys: SQS takes at most
/// 128 characters of ASCII letters, digits and punctuation, so anything else is replaced and a long id is cut in a
/// way that keeps it unique.
@Suite struct SQSQueueFIFOTokenTests {
    @Test func fifoTokensAreShortAndPrintable() {
        #expect(SQSQueue.fifoToken("123456789012/eu-west-1") == "123456789012/eu-west-1")
        #expect(SQSQueue.fifoToken("a b\u{e9}") == "a_b_")
        #expect(SQSQueue.fifoToken("") == "_")
        let long = String(repeating: "k", count: 300)
        let token = SQSQueue.fifoToken(long)
        #expect(token.count == 128 && token.hasPrefix(String(repeating: "k", count: 63) + "-"))
        #expect(SQSQueue.fifoToken(long + "x") != token)
    }
}
