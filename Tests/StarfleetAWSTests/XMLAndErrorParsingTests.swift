import Testing

@testable import StarfleetAWS

/// The hand-written XML reader and the error-body parser on the documents S3 and SQS send, and on junk.
@Suite struct XMLAndErrorParsingTests {
    @Test func listingWithNamespaceEntitiesAndURLEncoding() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><EncodingType>url</EncodingType>
            <IsTruncated>true</IsTruncated><NextContinuationToken>tok&amp;en</NextContinuationToken>
            <Contents><Key>in/a+b%2Bc.yaml</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
            <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size></Contents>
            <Contents><Key>in/&#x1234;</Key><ETag>"abc-2"</ETag><Size>1</Size></Contents><CommonPrefixes><Prefix>in/sub/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """
        let page = try #require(S3ListPage.parse(Array(xml.utf8)))
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "tok&en")
        #expect(page.objects.map(\.key) == ["in/a b+c.yaml", "in/ሴ"])
        #expect(page.objects[0].etag == "fba9dede5f27731c9771645a39863328")
        #expect(page.objects[0].size == 434_234)
        #expect(page.objects[1].etag == "abc-2")
    }

    @Test func tokenOnlyWhenTruncated() throws {
        let xml =
            "<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>x</NextContinuationToken></ListBucketResult>"
        let page = try #require(S3ListPage.parse(Array(xml.utf8)))
        #expect(page.nextContinuationToken == nil)
    }

    @Test func malformedDocumentsAreRejectedNotTrapped() {
        for junk in [
            "", "<ListBucketResult>", "<a><b></a>", "<<<>>>", "<ListBucketResult><Contents></Contents></ListBucketResult>",
            "\u{0}\u{1}",
        ] {
            #expect(S3ListPage.parse(Array(junk.utf8)) == nil)
        }
    }

    @Test func errorBodiesOfEachProtocol() {
        let s3 = HTTPResponse(
            status: 404, headers: [], body: Array("<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>".utf8))
        #expect(AWSErrorBody.parse(s3) == AWSErrorBody(code: "NoSuchKey", message: "gone"))
        let query = HTTPResponse(
            status: 400, headers: [],
            body: Array(
                "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code></Error></ErrorResponse>".utf8))
        #expect(AWSErrorBody.parse(query)?.code == "InvalidParameterValue")
        let json = HTTPResponse(
            status: 400, headers: [("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")],
            body: Array(#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#.utf8)
        )
        #expect(
            AWSErrorBody.parse(json)
                == AWSErrorBody(code: "AWS.SimpleQueueService.NonExistentQueue", message: "The specified queue does not exist."))
        let plainJSON = HTTPResponse(
            status: 400, headers: [], body: Array(#"{"__type":"com.amazonaws.sqs#OverLimit","Message":"m"}"#.utf8))
        #expect(AWSErrorBody.parse(plainJSON) == AWSErrorBody(code: "OverLimit", message: "m"))
        #expect(AWSErrorBody.parse(HTTPResponse(status: 502, headers: [], body: Array("bad gateway".utf8))) == nil)
    }

    @Test func retryPolicyBounds() {
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: 0.5, maxDelay: 1.5)
        #expect(policy.delay(afterAttempt: 1, random: 0.999) < 0.5)
        #expect(policy.delay(afterAttempt: 3, random: 0.999) <= 1.5)
        #expect(policy.delay(afterAttempt: 40, random: 0.5) == 0.75)
        #expect(RetryPolicy.isRetryable(status: 400, awsCode: "RequestTimeout"))
        #expect(!RetryPolicy.isRetryable(status: 404, awsCode: "NoSuchKey"))
        #expect(RetryPolicy.isRetryable(status: 429, awsCode: nil))
        #expect(ISO8601UTC.parse("2026-01-01T06:00:00Z")?.timeIntervalSince1970 == 1_767_247_200)
        #expect(ISO8601UTC.parse("2026-13-01T06:00:00Z") == nil)
    }
}
