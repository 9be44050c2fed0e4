package import StarfleetClock

/// The STS calls starfleetd makes (Query protocol, version 2011-06-15): AssumeRole for workers that act in other
/// accounts, and GetCallerIdentity to say who a set of credentials is.
public struct STSClient: Sendable {
    let query: AWSQueryProtocol

    package init(
        http: HTTPClient, credentials: any AWSCredentialsProvider, region: String, endpoint: AWSEndpoint,
        clock: any WallClock = SystemWallClock()
    ) {
        query = AWSQueryProtocol(
            service: "sts", version: "2011-06-15", http: http, credentials: credentials, region: region, endpoint: endpoint,
            clock: clock)
    }

    /// Assumes `roleARN` and returns its temporary credentials (with their expiration).
    /// - Parameters:
    ///   - sessionName: `RoleSessionName`, shown in CloudTrail (2-64 of `[\w+=,.@-]`; see ``sessionName(_:)``).
    ///   - durationSeconds: 900 to the role's maximum (default 3,600).
    ///   - externalID: the `sts:ExternalId` condition value, when the role's trust policy asks for one.
    public func assumeRole(
        roleARN: String, sessionName: String, durationSeconds: Int = 3_600, externalID: String? = nil
    ) async throws -> AWSCredentials {
        var parameters: [(name: String, value: String)] = [
            ("RoleArn", roleARN), ("RoleSessionName", sessionName), ("DurationSeconds", String(durationSeconds)),
        ]
        if let externalID { parameters.append(("ExternalId", externalID)) }
        let root = try await query.call("AssumeRole", parameters)
        guard let credentials = Self.credentials(in: root, roleARN: roleARN) else {
            throw CredentialsError("STS AssumeRole of \(roleARN) answered without complete credentials")
        }
        return credentials
    }

    /// The account, ARN and user id behind the client's credentials.
    public func getCallerIdentity() async throws -> CallerIdentity {
        let root = try await query.call("GetCallerIdentity")
        guard let result = root.child("GetCallerIdentityResult"), let account = result.text(of: "Account"),
            let arn = result.text(of: "Arn")
        else { throw CredentialsError("STS GetCallerIdentity answered without an Account and Arn") }
        return CallerIdentity(account: account, arn: arn, userID: result.text(of: "UserId") ?? "")
    }

    /// Reads `AssumeRoleResult/Credentials`; `nil` when a field is missing or the expiration is unreadable.
    static func credentials(in root: XMLElement, roleARN: String) -> AWSCredentials? {
        guard let element = root.child("AssumeRoleResult")?.child("Credentials"),
            let key = element.text(of: "AccessKeyId"), !key.isEmpty,
            let secret = element.text(of: "SecretAccessKey"), !secret.isEmpty,
            let token = element.text(of: "SessionToken"), !token.isEmpty,
            let expiration = element.text(of: "Expiration").flatMap(ISO8601UTC.parse)
        else { return nil }
        return AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: token, expiration: expiration,
            source: "assumed role \(roleARN)")
    }

    /// A `RoleSessionName` made from any text: characters outside `[A-Za-z0-9+=,.@_-]` become `-`, cut to 64,
    /// padded to the minimum of 2.
    public static func sessionName(_ text: String) -> String {
        let allowed = Set("+=,.@_-")
        var name = String(text.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || allowed.contains($0) ? $0 : "-" }.prefix(64))
        while name.count < 2 { name += "-" }
        return name
    }
}

/// Who a set of credentials belongs to (GetCallerIdentity).
public struct CallerIdentity: Sendable, Equatable {
    /// The 12-digit account id.
    public var account: String
    /// The user's or assumed role session's ARN.
    public var arn: String
    /// The unique id (`AROA…:session` for an assumed role).
    public var userID: String
}
