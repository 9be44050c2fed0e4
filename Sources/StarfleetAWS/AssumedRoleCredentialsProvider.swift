internal import FoundationEssentials
package import StarfleetClock

/// Credentials of an assumed role: STS AssumeRole with the base credentials, cached until `refreshMargin` seconds
/// before they expire, so a worker touching many accounts assumes each role once per hour, not once per call.
/// Concurrent callers share one AssumeRole in flight.
package actor AssumedRoleCredentialsProvider: AWSCredentialsProvider {
    /// The role assumed.
    package nonisolated let roleARN: String
    private let sts: STSClient
    private let sessionName: String
    private let durationSeconds: Int
    private let externalID: String?
    private let clock: any WallClock
    private let refreshMargin: Double
    private var cached: AWSCredentials?
    private var inFlight: Task<AWSCredentials, any Error>?
    /// How many AssumeRole calls this provider has made (what the cache saves is visible in tests and logs).
    private(set) var assumeCalls = 0

    /// - Parameters:
    ///   - sts: an STS client signed with the credentials that may assume the role.
    ///   - refreshMargin: seconds before expiry at which the role is assumed again (5 min by default).
    package init(
        roleARN: String, sessionName: String, sts: STSClient, durationSeconds: Int = 3_600, externalID: String? = nil,
        clock: any WallClock = SystemWallClock(), refreshMargin: Double = 300
    ) {
        self.roleARN = roleARN
        self.sessionName = STSClient.sessionName(sessionName)
        self.sts = sts
        self.durationSeconds = durationSeconds
        self.externalID = externalID
        self.clock = clock
        self.refreshMargin = refreshMargin
    }

    package func credentials() async throws -> AWSCredentials {
        if let cached, let expiration = cached.expiration, clock.now().addingTimeInterval(refreshMargin) < expiration {
            return cached
        }
        if let inFlight { return try await inFlight.value }
        let task = Task { [sts, roleARN, sessionName, durationSeconds, externalID] in
            do {
                return try await sts.assumeRole(
                    roleARN: roleARN, sessionName: sessionName, durationSeconds: durationSeconds, externalID: externalID)
            } catch let error as CredentialsError {
                throw error
            } catch {
                throw CredentialsError("cannot assume \(roleARN): \(error)")
            }
        }
        inFlight = task
        assumeCalls += 1
        defer { inFlight = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh
    }
}
