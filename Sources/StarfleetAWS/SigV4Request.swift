/// A request about to be signed: what the caller means, before any encoding. The signer both encodes it and
/// produces the URL to send, so what is signed is byte for byte what goes on the wire.
public struct SigV4Request: Sendable {
    /// Upper-case HTTP method.
    public var method: String
    /// `https` or `http`.
    public var scheme: String
    /// Host, with `:port` when it is not the scheme's default; this is the signed `host` header.
    public var host: String
    /// The decoded path, starting with `/` (an S3 key's bytes as they are: the signer encodes them once).
    public var path: String
    /// Decoded query parameters; order does not matter (the canonical query is sorted).
    public var query: [(name: String, value: String)]
    /// Headers to send and sign (besides `host`, `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token`,
    /// which the signer adds).
    public var headers: [(name: String, value: String)]
    /// The request body.
    public var body: [UInt8]
    /// Overrides the payload hash (`UNSIGNED-PAYLOAD`); `nil` means hex SHA-256 of `body`.
    public var payloadHash: String?

    public init(
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
public struct SignedRequest: Sendable {
    /// `scheme://host/encoded-path?canonical-query`.
    public var url: String
    /// Every header to send, `Host` and `Authorization` included.
    public var headers: [(name: String, value: String)]
    /// The canonical request (six lines), as AWS computes it when it checks the signature.
    public var canonicalRequest: String
    /// The string to sign.
    public var stringToSign: String
    /// The `Authorization` header's value.
    public var authorization: String
    /// The hex signature.
    public var signature: String
}
