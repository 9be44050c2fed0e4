internal import FoundationEssentials
package import StarfleetClock

/// AWS Secrets Manager over its JSON 1.1 protocol (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`): the one
/// call Starfleet makes, GetSecretValue, for the secret named by `STARFLEET.SecretsManager`.
package struct SecretsManagerClient: Sendable {
    let http: HTTPClient
    let credentialsProvider: any AWSCredentialsProvider
    let signer: SigV4Signer
    let endpoint: AWSEndpoint
    let clock: any WallClock

    package init(
        http: HTTPClient, credentials: any AWSCredentialsProvider, region: String, endpoint: AWSEndpoint,
        clock: any WallClock = SystemWallClock()
    ) {
        self.http = http
        credentialsProvider = credentials
        signer = SigV4Signer(region: region, service: "secretsmanager")
        self.endpoint = endpoint
        self.clock = clock
    }

    /// The secret's `SecretString` (Starfleet keeps a JSON document there). Throws ``HTTPError`` when the service
    /// refuses (`ResourceNotFoundException`, `AccessDeniedException`, …) and ``SecretsManagerError`` when the
    /// secret holds only binary data.
    package func secretString(secretId: String) async throws -> String {
        struct Request: Encodable { let SecretId: String }
        struct Reply: Decodable { let SecretString: String? }
        let body = try await call("GetSecretValue", body: JSONEncoder().encode(Request(SecretId: secretId)))
        guard let reply = try? JSONDecoder().decode(Reply.self, from: Data(body)) else {
            throw SecretsManagerError("GetSecretValue for \(secretId) answered with a body that is not its JSON reply")
        }
        guard let text = reply.SecretString else {
            throw SecretsManagerError(
                "secret \(secretId) has no SecretString (binary secrets are not supported); store a JSON string")
        }
        return text
    }

    /// One signed JSON-protocol call; returns the body of a 2xx answer.
    func call(_ operation: String, body: Data) async throws -> [UInt8] {
        let bytes = [UInt8](body)
        let headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "secretsmanager.\(operation)"),
        ]
        let request = SigV4Request(
            method: "POST", scheme: endpoint.scheme, host: endpoint.host, path: endpoint.basePath + "/", query: [],
            headers: headers, body: bytes)
        let signed = signer.sign(request, credentials: try await credentialsProvider.credentials(), date: clock.now())
        let response = try await http.send(
            HTTPRequest(method: "POST", url: signed.url, headers: signed.headers.filter { $0.name != "Host" }, body: bytes))
        guard response.isSuccess else { throw response.error(method: "POST \(operation)", url: signed.url) }
        return response.body
    }
}

/// A Secrets Manager answer starfleetd cannot use.
package struct SecretsManagerError: Error, Sendable, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
