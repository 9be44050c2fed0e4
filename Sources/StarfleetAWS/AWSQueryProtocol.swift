import StarfleetClock

/// The AWS Query protocol (STS, EC2): a form-encoded POST of `Action`, `Version` and the parameters, answered
/// with an XML document named `<Action>Response`.
struct AWSQueryProtocol: Sendable {
    let caller: SignedServiceCaller
    /// The API version every request names, e.g. `2011-06-15` for STS.
    let version: String

    init(
        service: String, version: String, http: HTTPClient, credentials: any AWSCredentialsProvider, region: String,
        endpoint: AWSEndpoint, clock: any WallClock
    ) {
        caller = SignedServiceCaller(
            http: http, credentials: credentials, region: region, service: service, endpoint: endpoint, clock: clock)
        self.version = version
    }

    /// Calls `action` and returns the root element of its response; throws ``HTTPError`` for a failed call or
    /// an unreadable answer.
    func call(_ action: String, _ parameters: [(name: String, value: String)] = []) async throws -> XMLElement {
        let body = Self.formBody([("Action", action), ("Version", version)] + parameters)
        let (response, url) = try await caller.post(
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], body: Array(body.utf8))
        guard response.isSuccess else { throw response.error(method: "POST", url: url) }
        guard let root = MiniXML.parse(response.body), root.name == action + "Response" else {
            throw SignedServiceCaller.unreadable(response, url: url, expected: "\(action)Response")
        }
        return root
    }

    /// `name=value&…`, each side RFC 3986-encoded (what the SDKs send; `+` is never used for a space).
    static func formBody(_ parameters: [(name: String, value: String)]) -> String {
        parameters.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }.joined(separator: "&")
    }
}
