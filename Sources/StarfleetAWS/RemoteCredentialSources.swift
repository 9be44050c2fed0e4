internal import FoundationEssentials

/// The sources reached over HTTP: ECS/EKS container credentials and EC2 IMDSv2.
struct RemoteCredentialSources: Sendable {
    let http: HTTPClient

    private struct Document: Decodable {
        var AccessKeyId: String
        var SecretAccessKey: String
        var Token: String?
        var Expiration: String?
    }

    private func decode(_ response: HTTPResponse, source: String) throws -> AWSCredentials {
        guard response.isSuccess, let document = try? JSONDecoder().decode(Document.self, from: Data(response.body)) else {
            throw CredentialsError("\(source) answered HTTP \(response.status) without a credentials document")
        }
        return AWSCredentials(
            accessKeyID: document.AccessKeyId, secretAccessKey: document.SecretAccessKey, sessionToken: document.Token,
            expiration: document.Expiration.flatMap(ISO8601UTC.parse), source: source)
    }

    /// Container credentials, when `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI` is set; `nil` otherwise.
    func container(_ env: [String: String]) async throws -> AWSCredentials? {
        let url: String
        if let relative = env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = "http://169.254.170.2" + relative
        } else if let full = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            guard let endpoint = AWSEndpoint(url: full), Self.isAllowedContainerHost(endpoint) else {
                throw CredentialsError("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback/ECS/EKS address")
            }
            url = full
        } else {
            return nil
        }
        var headers: [(name: String, value: String)] = []
        if let file = env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: file)) else {
                throw CredentialsError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file)")
            }
            headers.append(("Authorization", String(decoding: data, as: UTF8.self).trimmingWhitespace()))
        } else if let token = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            headers.append(("Authorization", token))
        }
        let response = try await http.send(HTTPRequest(method: "GET", url: url, headers: headers, timeout: 2))
        return try decode(response, source: "container credentials")
    }

    static func isAllowedContainerHost(_ endpoint: AWSEndpoint) -> Bool {
        if endpoint.scheme == "https" { return true }
        let host = endpoint.host.split(separator: ":").first.map(String.init) ?? endpoint.host
        return host == "localhost" || host.hasPrefix("127.") || host == "169.254.170.2" || host == "169.254.170.23"
            || endpoint.host.hasPrefix("[::1]") || endpoint.host.hasPrefix("[fd00:ec2::23]")
    }

    /// IMDSv2: token PUT, role name GET, credentials GET. `nil` when IMDS is disabled.
    func imds(_ env: [String: String]) async throws -> AWSCredentials? {
        if env["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        var base = env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while base.hasSuffix("/") { base.removeLast() }
        let once = RetryPolicy.none
        let tokenResponse = try await http.send(
            HTTPRequest(
                method: "PUT", url: base + "/latest/api/token",
                headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600"), ("Content-Type", "text/plain")], timeout: 1),
            retry: once)
        guard tokenResponse.isSuccess else {
            throw CredentialsError("IMDS refused a session token (HTTP \(tokenResponse.status))")
        }
        let token: [(name: String, value: String)] = [("X-aws-ec2-metadata-token", tokenResponse.text)]
        let listURL = base + "/latest/meta-data/iam/security-credentials/"
        let roles = try await http.send(HTTPRequest(method: "GET", url: listURL, headers: token, timeout: 1), retry: once)
        guard roles.isSuccess, let role = roles.text.split(separator: "\n").first.map({ $0.trimmingWhitespace() }),
            !role.isEmpty
        else { throw CredentialsError("IMDS lists no instance role (HTTP \(roles.status)); attach an instance profile") }
        let response = try await http.send(
            HTTPRequest(method: "GET", url: listURL + PercentEncoding.encode(role), headers: token, timeout: 1), retry: once)
        return try decode(response, source: "imds role \(role)")
    }
}
