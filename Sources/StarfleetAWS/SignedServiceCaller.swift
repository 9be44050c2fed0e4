import StarfleetClock

/// Signs and sends requests to one service endpoint with one set of credentials: what the STS, Organizations and
/// EC2 clients share. The URL returned with each response is the signed one (its query is dropped from errors).
struct SignedServiceCaller: Sendable {
    let http: HTTPClient
    let credentials: any AWSCredentialsProvider
    let signer: SigV4Signer
    let endpoint: AWSEndpoint
    let clock: any WallClock

    init(
        http: HTTPClient, credentials: any AWSCredentialsProvider, region: String, service: String, endpoint: AWSEndpoint,
        clock: any WallClock
    ) {
        self.http = http
        self.credentials = credentials
        signer = SigV4Signer(region: region, service: service)
        self.endpoint = endpoint
        self.clock = clock
    }

    /// A POST of `body` to the endpoint's root path with `headers` (Content-Type always among them: moto and
    /// libcurl would otherwise treat the body as a form of their own choosing).
    func post(headers: [(name: String, value: String)], body: [UInt8]) async throws -> (response: HTTPResponse, url: String) {
        let request = SigV4Request(
            method: "POST", scheme: endpoint.scheme, host: endpoint.host, path: endpoint.basePath + "/", headers: headers,
            body: body)
        let signed = signer.sign(request, credentials: try await credentials.credentials(), date: clock.now())
        let response = try await http.send(
            HTTPRequest(method: "POST", url: signed.url, headers: signed.headers.filter { $0.name != "Host" }, body: body))
        return (response, signed.url)
    }

    /// An ``HTTPError`` for a 2xx answer whose body is not the document the action returns.
    static func unreadable(_ response: HTTPResponse, url: String, expected: String) -> HTTPError {
        HTTPError(
            code: .httpStatus(response.status), subject: HTTPError.subject(method: "POST", url: url),
            detail: String(response.text.prefix(200)), hint: "the service answered without a readable \(expected)")
    }
}
