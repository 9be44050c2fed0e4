import FoundationEssentials
package import Logging
package import StarfleetClock
internal import Synchronization

/// What every AWS call of a process shares: the HTTP client, the base credentials (the default chain), the
/// environment endpoints are resolved from, and the default region. Roles assumed through it are cached per
/// role ARN and session name, so their credentials are reused until near expiry.
package final class AWSSession: Sendable {
    /// The HTTP client every client made from this session uses.
    package let http: HTTPClient
    /// The process's own credentials (the chain, or what a test hands over).
    package let credentials: any AWSCredentialsProvider
    /// The region used when a caller names none: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's, else us-east-1.
    package let region: String
    /// Where endpoint overrides (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`) are read from.
    package let environment: [String: String]
    let clock: any WallClock
    private let roles = Mutex<[String: AssumedRoleCredentialsProvider]>([:])

    package init(
        http: HTTPClient, credentials: any AWSCredentialsProvider, region: String? = nil, environment: [String: String],
        clock: any WallClock = SystemWallClock()
    ) {
        self.http = http
        self.credentials = credentials
        self.region = region ?? LocalCredentialSources.region(environment) ?? "us-east-1"
        self.environment = environment
        self.clock = clock
    }

    /// A session over the default credentials chain of `environment`, with 16 HTTP lanes: workers share it, and
    /// the account index generator alone keeps several calls per account in flight.
    package convenience init(environment: [String: String], logger: Logger, clock: any WallClock = SystemWallClock()) {
        var configuration = HTTPClient.Configuration()
        configuration.lanes = 16
        let http = HTTPClient(configuration: configuration, clock: clock, logger: logger)
        self.init(
            http: http, credentials: CredentialsChain(environment: environment, http: http, clock: clock),
            environment: environment, clock: clock)
    }

    /// The session of this process, made on first use from its environment: what workers get unless the caller
    /// hands them another.
    package static let processDefault = AWSSession(
        environment: ProcessInfo.processInfo.environment, logger: Logger(label: "starfleet.aws"))

    /// The endpoint of `service` in `region` (this session's region when `nil`), overrides included.
    package func endpoint(service: String, region: String? = nil) -> AWSEndpoint {
        AWSEndpoint.resolve(service: service, region: region ?? self.region, environment: environment)
    }

    /// Clients acting with the process's own credentials.
    package func clients() -> AWSClients {
        AWSClients(session: self, credentials: credentials, roleARN: nil)
    }

    /// Clients acting as `arn:<partition>:iam::<account>:role/<role>`, assumed with the process's credentials on
    /// first use and cached until five minutes before expiry.
    package func clients(account: String, role: String, sessionName: String) -> AWSClients {
        let arn = Self.roleARN(account: account, role: role, region: region)
        let key = arn + "\u{0}" + sessionName
        let provider = roles.withLock { cache in
            if let existing = cache[key] { return existing }
            let sts = clients().sts()
            let made = AssumedRoleCredentialsProvider(roleARN: arn, sessionName: sessionName, sts: sts, clock: clock)
            cache[key] = made
            return made
        }
        return AWSClients(session: self, credentials: provider, roleARN: arn)
    }

    /// `arn:aws:iam::<account>:role/<role>`, in the China or GovCloud partition when the region is there. A role
    /// given with a path (`path/name`) keeps it.
    package static func roleARN(account: String, role: String, region: String) -> String {
        "arn:\(partition(region: region)):iam::\(account):role/\(role)"
    }

    /// `aws`, `aws-cn` or `aws-us-gov`.
    package static func partition(region: String) -> String {
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        return "aws"
    }
}

/// Clients for one set of credentials (the process's own or an assumed role's): what a worker builds its S3, STS,
/// Organizations and EC2 clients from. Regions default to the session's.
public struct AWSClients: Sendable {
    package let session: AWSSession
    /// The credentials every client made here signs with.
    package let credentials: any AWSCredentialsProvider
    /// The assumed role, or `nil` for the process's own credentials.
    package let roleARN: String?

    public func s3(region: String? = nil, pathStyle: Bool? = nil) -> S3Client {
        let region = region ?? session.region
        return S3Client(
            http: session.http, credentials: credentials, region: region,
            endpoint: session.endpoint(service: "s3", region: region), pathStyle: pathStyle, clock: session.clock)
    }

    public func sts(region: String? = nil) -> STSClient {
        let region = region ?? session.region
        return STSClient(
            http: session.http, credentials: credentials, region: region,
            endpoint: session.endpoint(service: "sts", region: region), clock: session.clock)
    }

    /// Organizations (a us-east-1 service, whatever the session's region).
    public func organizations() -> OrganizationsClient {
        OrganizationsClient(
            http: session.http, credentials: credentials, endpoint: session.endpoint(service: "organizations"),
            clock: session.clock)
    }

    public func ec2(region: String? = nil) -> EC2Client {
        let region = region ?? session.region
        return EC2Client(
            http: session.http, credentials: credentials, region: region,
            endpoint: session.endpoint(service: "ec2", region: region), clock: session.clock)
    }
}
