import FoundationEssentials
package import Logging
package import StarfleetAWS
package import StarfleetClock
package import StarfleetCore

/// The AWS plumbing one process shares: one ``AWSSession`` (an HTTP client whose lanes reuse connections, one
/// cached credentials chain, the environment endpoints and regions are resolved from) that the template bucket,
/// the account index and the workers' `context.aws(…)` all use. Built once by the daemon (and by starfleetctl when
/// it needs S3). SQS long polls and alert webhooks keep HTTP clients of their own (QueueRouter, AlertDispatcher),
/// so a 20 s receive or a hanging webhook never holds a lane an S3 call is waiting for.
package struct AWSResources: Sendable {
    package let session: AWSSession
    let clock: any WallClock
    let logger: Logger

    package var http: HTTPClient { session.http }
    package var credentials: any AWSCredentialsProvider { session.credentials }
    package var environment: [String: String] { session.environment }

    /// - Parameters:
    ///   - timeout: seconds per attempt. A transfer cannot be interrupted, so this also bounds how long a
    ///   stop waits for an S3 call in flight.
    ///   - environment: nil takes this process's.
    package init(
        environment: [String: String]? = nil, clock: any WallClock = SystemWallClock(), logger: Logger, timeout: Double = 20
    ) {
        let environment = environment ?? ProcessInfo.processInfo.environment
        var settings = HTTPClient.Configuration()
        settings.timeout = timeout
        // The account index may be large; templates are capped by their readers.
        settings.maxResponseBytes = 256 * 1_048_576
        // Workers share these lanes; the account index generator alone keeps several calls per account in flight.
        settings.lanes = 16
        let http = HTTPClient(configuration: settings, clock: clock, logger: logger)
        session = AWSSession(
            http: http, credentials: CredentialsChain(environment: environment, http: http, clock: clock),
            environment: environment, clock: clock)
        self.clock = clock
        self.logger = logger
    }

    /// An S3 client signing for `region`, at `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` when set.
    package func s3(region: String) -> S3Client {
        S3Client(
            http: http, credentials: credentials, region: region,
            endpoint: AWSEndpoint.resolve(service: "s3", region: region, environment: environment), clock: clock)
    }

    /// The region of the template bucket and the queues: `STARFLEET.DeploymentRegion` (as in Starfleet), else the
    /// environment's `AWS_REGION` / `AWS_DEFAULT_REGION`, else us-east-1.
    package func deploymentRegion(_ configuration: Configuration) -> String {
        if let region = configuration.starfleet.deploymentRegion { return region }
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return "us-east-1"
    }

    /// Where templates are listed and read: the template bucket when `STARFLEET.TemplateBucket` is set, else the
    /// template directory.
    package func templateStore(for configuration: Configuration) -> any TemplateStore {
        guard let bucket = configuration.starfleet.templateBucket else {
            return DirectoryTemplateStore(directory: configuration.starfleet.templateDirectory)
        }
        return S3TemplateStore(bucket: S3TemplateBucket(s3: s3(region: deploymentRegion(configuration)), name: bucket))
    }

    /// The account index: the local file, or Starfleet's S3 object (`StarfleetDefaultAccountIndex`).
    package func accountIndex(for configuration: Configuration, stateDirectory: String) -> AccountIndexCache {
        switch configuration.accountIndex {
        case .local:
            return AccountIndexCache(
                source: configuration.accountIndex,
                path: configuration.localAccountIndexPath(stateDirectory: stateDirectory))
        case .s3(let bucket, let region, let key):
            return AccountIndexCache(
                s3Object: S3AccountIndexObject(s3: s3(region: region), bucket: bucket, key: key), logger: logger,
                mirror: AccountIndexCache.mirrorPath(stateDirectory: stateDirectory))
        }
    }
}
