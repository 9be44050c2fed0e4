import Testing

@testable import StarfleetDaemon

/// Issue 13: a failed webhook's body is logged redacted and bounded (Slack and proxies echo tokens and URLs).
@Suite struct ResponseExcerptTests {
    @Test func tokensURLsAndOpaqueStringsAreMaskedAndTheExcerptIsBounded() {
        let token = "xoxb-123456789012-abcdefABCDEF"
        let body = """
            Internal error for https://hooks.slack.com/services/T0001/B0002/s3cr3tPart while posting with \(token)
            Authorization: Bearer abc.def.ghi token=zzz9 id 9f8e7d6c5b4a39281706f5e4d3c2b1a0
            """ + String(repeating: " filler", count: 100)
        let excerpt = ResponseExcerpt.make(Array(body.utf8))
        #expect(!excerpt.contains("xoxb"))
        #expect(!excerpt.contains("hooks.slack.com"))
        #expect(!excerpt.contains("s3cr3t"))
        #expect(!excerpt.contains("zzz9"))
        #expect(!excerpt.contains("9f8e7d6c5b4a"))
        #expect(excerpt.hasPrefix("Internal error for [redacted] while posting with [redacted]"))
        #expect(excerpt.count <= ResponseExcerpt.limit + 1)
        #expect(!excerpt.contains("\n"))
    }

    @Test func plainErrorTextIsKept() {
        #expect(ResponseExcerpt.make(Array("no_service: channel not found".utf8)) == "no_service: channel not found")
    }
}
