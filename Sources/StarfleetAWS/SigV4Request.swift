/// A request about to be signed: what the caller means, before any encoding. The signer both encodes it and
/// produces the URL to send, so what is signed is byte for byte what goes on the wire.
package struct SigV4Request: Sendable {
    /// Upper-case HTTP method.
    package var method: String
    /// `https` or `http`.
    package var scheme: String
    /// Host, with `:port` when it is not the scheme's default; this is the signed `host` header.
    package var host: String
    /// The decoded path, starting with `/` (an S3 key's bytes as they are: the signer encodes them once).
    package var path: String
    /// Decoded query parameters; order does not matter (the canonical query is sorted).
    package var query: [(name: String, value: String)]
    /// Headers to send and sign (besides `host`, `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token`,
    /// which the signer adds).
    package var headers: [(name: String, value: String)]
    /// The request body.
    package var body: [UInt8]
    /// Overrides the payload hash (`UNSIGNED-PAYLOAD`); `nil` means hex SHA-256 of `body`.
    package var payloadHash: String?

    package init(
        method: String, scheme: String = "https", host: String, path: String = "/",
        query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
        body: [UInt8] = [], payloadHash: String? = nil
    ) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.payloadHash = payloadHash
    }
}

/// The signer's output: the exact URL and headers to send, plus the intermediate texts for diagnostics.
package struct SignedRequest: Sendable {
    /// `scheme://host/encoded-path?canonical-query`.
    package var url: String
    /// Every header to send, `Host` and `Authorization` included.
    package var headers: [(name: String, value: String)]
    /// The canonical request (six lines), as AWS computes it when it checks the signature.
    package var canonicalRequest: String
    /// The string to sign.
    package var stringToSign: String
    /// The `Authorization` header's value.
    package var authorization: String
    /// The hex signature.
    package var signature: String
}
