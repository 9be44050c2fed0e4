import FoundationEssentials
import Testing

@testable import StarfleetAWS

/// AWS's published SigV4 test-suite vectors (aws-sig-v4-test-suite, 2015-08-30) and S3's documented example.
@Suite struct SigV4SignerTests {
    static let suiteCredentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let signer = SigV4Signer(region: "us-east-1", service: "service", sendsContentSHA256: false)

    static func suiteSign(_ request: SigV4Request, credentials: AWSCredentials = suiteCredentials) -> SignedRequest {
        signer.sign(request, credentials: credentials, date: suiteDate)
    }

    @Test func timestampsAreUTC() {
        let (amzDate, day) = SigV4Signer.timestamps(Self.suiteDate)
        #expect(amzDate == "20150830T123600Z")
        #expect(day == "20150830")
    }

    @Test func getVanilla() {
        let signed = Self.suiteSign(SigV4Request(method: "GET", host: "example.amazonaws.com", path: "/"))
        #expect(
            signed.canonicalRequest
                == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
                + SigV4Signer.emptyPayloadHash)
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        )
    }

    @Test func getVanillaQueryOrderKeyCase() {
        let signed = Self.suiteSign(
            SigV4Request(
                method: "GET", host: "example.amazonaws.com", path: "/",
                query: [("Param2", "value2"), ("Param1", "value1")]))
        #expect(signed.url == "https://example.amazonaws.com/?Param1=value1&Param2=value2")
        #expect(signed.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test func postFormURLEncoded() {
        let signed = Self.suiteSign(
            SigV4Request(
                method: "POST", host: "example.amazonaws.com", path: "/",
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("Param1=value1".utf8)))
        #expect(signed.signature == "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
    }

    @Test func getUTF8() {
        let signed = Self.suiteSign(SigV4Request(method: "GET", host: "example.amazonaws.com", path: "/ሴ"))
        #expect(signed.url == "https://example.amazonaws.com/%E1%88%B4")
        #expect(signed.signature == "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85")
    }

    @Test func getSpace() {
        let signed = Self.suiteSign(SigV4Request(method: "GET", host: "example.amazonaws.com", path: "/example space/"))
        #expect(signed.signature == "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741")
    }

    @Test func sessionTokenIsSigned() {
        let token =
            "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
        var credentials = Self.suiteCredentials
        credentials.sessionToken = token
        let signed = Self.suiteSign(
            SigV4Request(method: "POST", host: "example.amazonaws.com", path: "/"), credentials: credentials)
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
        )
        #expect(signed.headers.contains { $0.name == "X-Amz-Security-Token" && $0.value == token })
    }

    /// S3 "GET Object" example from the S3 API reference (sig-v4-header-based-auth).
    @Test func s3GetObjectExample() {
        let credentials = AWSCredentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        let signer = SigV4Signer(region: "us-east-1", service: "s3")
        let signed = signer.sign(
            SigV4Request(
                method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                headers: [("Range", "bytes=0-9")]),
            credentials: credentials, date: Date(timeIntervalSince1970: 1_369_353_600))  // 2013-05-24T00:00:00Z
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test func queryAndPathEncoding() {
        #expect(
            SigV4Signer.canonicalQuery([("prefix", "jobs/"), ("list-type", "2"), ("a", "b c+~")])
                == "a=b%20c%2B~&list-type=2&prefix=jobs%2F")
        #expect(SigV4Signer.canonicalQuery([("k", "b"), ("k", "a")]) == "k=a&k=b")
        #expect(PercentEncoding.encode("a b/+ü", keepSlash: true) == "a%20b/%2B%C3%BC")
        #expect(PercentEncoding.decode("a%20b%2Bc+d", plusIsSpace: true) == "a b+c d")
    }

    @Test func credentialsDescriptionRedactsSecrets() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s3cr3t", sessionToken: "tok3n")
        #expect(!"\(credentials)".contains("s3cr3t"))
        #expect(!"\(credentials)".contains("tok3n"))
        #expect("\(credentials)".contains("AKID"))
    }
}
