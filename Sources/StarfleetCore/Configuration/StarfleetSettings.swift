/// The `STARFLEET` section: Starfleet's keys (cloud ones optional, since local mode needs none) plus the daemon's own.
package struct StarfleetSettings: Sendable, Hashable {
    package var deploymentRegion: String?
    package var templateBucket: String?
    package var fanOutQueueUrl: String?
    /// The account index source's name as written (`LocalAccountIndex`, `StarfleetDefaultAccountIndex`).
    package var accountIndexName: String
    package var scopeToRegions: [String]
    package var secretsManager: SecretsManagerLocation?
    package var slackEnabled: Bool
    package var logLevel: LogLevel
    package var thirdPartyLoggerLevels: [String: String]

    /// The watched template directory (absolute; relative paths in the file are resolved against the config directory).
    package var templateDirectory: String
    /// The state directory from the file, if any (the command line and $STATE_DIRECTORY take precedence).
    package var stateDirectory: String?
    package var s3PollIntervalSeconds: Int
    /// Whether a timed boundary missed while the daemon was down fires once at start.
    package var catchUpMissedRuns: Bool
    /// Each schedule fires up to this many seconds after its boundary (a fixed per-host offset, TimerJitter); 0: on it.
    package var timerJitterSeconds: Int
    /// Where `/metrics` is served (Prometheus text); nil: no metrics endpoint.
    package var metricsAddress: MetricsAddress?
    /// `STARFLEET.InvokeAddress`: a loopback `host:port` where the Invoke API is served besides its Unix socket.
    package var invokeAddress: MetricsAddress?
    /// `STARFLEET.ConsoleAddress`: where the web console is served (loopback or a Unix socket); nil: no console.
    package var consoleAddress: ConsoleAddress?
    /// `STARFLEET.ConsoleHostNames`: Host values the console answers besides its own address (a reverse proxy's name).
    package var consoleHostNames: [ConsoleHostName] = []
    /// The systemd credential (a file in $CREDENTIALS_DIRECTORY) holding the alert webhook URL; nil: none.
    package var alertWebhookCredential: String?
    /// `Scheduler: false` makes this host a consumer only: no timed events, no template watching (other hosts task).
    package var scheduler: Bool
    /// `STARFLEET.HostName`: the name this host gives its runs in the run history and its fleet records; nil: the
    /// machine's hostname.
    package var hostName: String?
    /// `RunHistoryMaxRuns` / `RunHistoryMaxAgeDays`: every worker's run-history bounds unless its section sets its own.
    package var runHistory = RunHistoryPolicy()
    /// `LambdaAccountId`: the account in the function ARN a Lambda handler sees (`invoked_function_arn`).
    package var lambdaAccountId = "000000000000"

    package init(templateDirectory: String) {
        deploymentRegion = nil
        templateBucket = nil
        fanOutQueueUrl = nil
        accountIndexName = AccountIndexSource.localName
        scopeToRegions = []
        secretsManager = nil
        slackEnabled = false
        logLevel = .info
        thirdPartyLoggerLevels = [:]
        self.templateDirectory = templateDirectory
        stateDirectory = nil
        s3PollIntervalSeconds = 60
        catchUpMissedRuns = true
        timerJitterSeconds = 0
        metricsAddress = nil
        alertWebhookCredential = nil
        scheduler = true
    }

    /// Every key the section accepts, for unknown-key hints.
    package static let keys = [
        "DeploymentRegion", "TemplateBucket", "FanOutQueueUrl", "AccountIndex", "ScopeToRegions", "SecretsManager",
        "SlackEnabled", "LogLevel", "ThirdPartyLoggerLevels", "StarbaseInvocationTopicArn",
        "TemplateDirectory", "StateDirectory", "S3PollIntervalSeconds", "CatchUpMissedRuns", "TimerJitterSeconds",
        "MetricsAddress", "InvokeAddress",
        "ConsoleAddress", "ConsoleHostNames",
        "AlertWebhookCredential",
        "Scheduler", "RunHistoryMaxRuns", "RunHistoryMaxAgeDays", "LambdaAccountId",
        "HostName",
    ]
}
