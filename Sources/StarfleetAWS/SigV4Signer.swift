package import FoundationEssentials
internal import Glibc
internal import StarfleetCrypto

/// AWS Signature Version 4 (header form), pure: no clock, no I/O. Checked against AWS's published test-suite
/// vectors and S3's documented examples.
///
/// Paths are encoded once, keeping `/`, and never normalized: that is S3's rule (botocore's `S3SigV4Auth`), and
/// for the simple paths SQS, STS and Organizations use it is the same as the general rule.
package struct SigV4Signer: Sendable {
    /// The region in the credential scope, such as `us-east-1`.
    package var region: String
    /// The service in the credential scope: `s3`, `sqs`, `sts`, `organizations`.
    package var service: String
    /// Adds and signs `x-amz-content-sha256` (S3 requires it on every request; the generic vectors omit it).
    package var sendsContentSHA256: Bool

    /// The payload hash of an empty body.
    package static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    package init(region: String, service: String, sendsContentSHA256: Bool = true) {
        self.region = region
        self.service = service
        self.sendsContentSHA256 = sendsContentSHA256
    }

    /// Signs `request` with `credentials` at `date`.
    package func sign(_ request: SigV4Request, credentials: AWSCredentials, date: Date) -> SignedRequest {
        let (amzDate, day) = Self.timestamps(date)
        let payloadHash = request.payloadHash ?? Digest.sha256Hex(request.body)

        var headers = request.headers.filter { $0.name.lowercased() != "host" }
        headers.insert(("Host", request.host), at: 0)
        headers.append(("X-Amz-Date", amzDate))
        if sendsContentSHA256 { headers.append(("X-Amz-Content-SHA256", payloadHash)) }
        if let token = credentials.sessionToken { headers.append(("X-Amz-Security-Token", token)) }

        let canonicalPath = PercentEncoding.encode(request.path.isEmpty ? "/" : request.path, keepSlash: true)
        let canonicalQuery = Self.canonicalQuery(request.query)
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        let canonicalRequest = [
            request.method.uppercased(), canonicalPath, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Digest.sha256Hex(canonicalRequest)]
            .joined(separator: "\n")
        let key = signingKey(secret: credentials.secretAccessKey, day: day)
        let signature = Digest.hex(Digest.hmacSHA256(key: key, message: Array(stringToSign.utf8)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        headers.append(("Authorization", authorization))

        var url = "\(request.scheme)://\(request.host)\(canonicalPath)"
        if !canonicalQuery.isEmpty { url += "?" + canonicalQuery }
        return SignedRequest(
            url: url, headers: headers, canonicalRequest: canonicalRequest, stringToSign: stringToSign,
            authorization: authorization, signature: signature)
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, day), region), service), "aws4_request")`.
    func signingKey(secret: String, day: String) -> [UInt8] {
        var key = Array(("AWS4" + secret).utf8)
        for part in [day, region, service, "aws4_request"] {
            key = Digest.hmacSHA256(key: key, message: Array(part.utf8))
        }
        return key
    }

    /// Pairs encoded with the unreserved set, sorted by encoded name then encoded value, joined with `&`.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map {
            (PercentEncoding.encode($0.name), PercentEncoding.encode($0.value))
        }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// Lower-cased names, trimmed values with inner runs of spaces collapsed, repeats joined with `,`, sorted.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (text: String, signed: String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            merged[name.lowercased(), default: []].append(collapse(value))
        }
        let names = merged.keys.sorted()
        let text = names.map { "\($0):\(merged[$0, default: []].joined(separator: ","))\n" }.joined()
        return (text, names.joined(separator: ";"))
    }

    private static func collapse(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` and `YYYYMMDD` in UTC.
    static func timestamps(_ date: Date) -> (amzDate: String, day: String) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let day = pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2)
        return (day + "T" + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z", day)
    }
}
