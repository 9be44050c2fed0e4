internal import FoundationEssentials
package import StarfleetClock

/// The default chain in the SDKs' order, with starfleetd's systemd credentials after the environment:
/// environment → `$CREDENTIALS_DIRECTORY` → shared credentials/config profile → container → IMDSv2.
/// The result is cached; temporary credentials are fetched again `refreshMargin` seconds before they expire.
package actor CredentialsChain: AWSCredentialsProvider {
    private let environment: [String: String]
    private let remote: RemoteCredentialSources
    private let clock: any WallClock
    private let refreshMargin: Double
    private var cached: AWSCredentials?

    /// - Parameters:
    ///   - environment: the process environment (tests pass their own).
    ///   - http: used for the container and IMDS sources.
    ///   - refreshMargin: seconds before `expiration` at which cached credentials are replaced (botocore: ~10 min).
    package init(
        environment: [String: String], http: HTTPClient, clock: any WallClock = SystemWallClock(),
        refreshMargin: Double = 600
    ) {
        self.environment = environment
        remote = RemoteCredentialSources(http: http)
        self.clock = clock
        self.refreshMargin = refreshMargin
    }

    /// Cached credentials while they are fresh, else the first source of the chain that has some.
    package func credentials() async throws -> AWSCredentials {
        if let cached, !needsRefresh(cached) { return cached }
        let fresh = try await resolve()
        cached = fresh
        return fresh
    }

    private func needsRefresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return clock.now().addingTimeInterval(refreshMargin) >= expiration
    }

    private func resolve() async throws -> AWSCredentials {
        // An explicitly chosen profile disables the environment keys, as in botocore.
        let explicitProfile = environment["AWS_PROFILE"].map { !$0.isEmpty } ?? false
        if !explicitProfile, let found = LocalCredentialSources.environment(environment) { return found }
        if let found = LocalCredentialSources.systemd(environment) { return found }
        if let found = LocalCredentialSources.profile(environment) { return found }
        if let found = try await remote.container(environment) { return found }
        do {
            if let found = try await remote.imds(environment) { return found }
        } catch {
            throw CredentialsError(
                "no AWS credentials: none in the environment, $CREDENTIALS_DIRECTORY, profile "
                    + "\(LocalCredentialSources.profileName(environment)) or container settings, and IMDS failed: \(error)")
        }
        throw CredentialsError(
            "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, LoadCredential= aws_access_key_id and "
                + "aws_secret_access_key, a profile in AWS_SHARED_CREDENTIALS_FILE, or run with an instance role")
    }
}
