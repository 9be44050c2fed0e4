public import Logging
public import StarfleetAWS

/// What a running worker knows and can do besides its payload.
public struct WorkerContext: Sendable {
    public var worker: String
    public var account: String?
    public var region: String?
    /// Change things only when true (Starfleet's commit flag).
    public var commit: Bool
    public var messageId: String
    public var receiveCount: Int
    /// A logger carrying worker, account_id, region, message_id and receive_count metadata.
    public var logger: Logger
    /// Invokes another worker (Bedrock's `invoke`): synchronously, or fire-and-forget through its queue.
    public var invoker: any WorkerInvoker
    /// The AWS session behind ``aws()`` and ``aws(account:role:sessionName:)``; `nil` uses the process's own
    /// (``AWSSession/processDefault``), made on first use.
    public var awsSession: AWSSession?

    public init(worker: String, account: String?, region: String?, commit: Bool, messageId: String, receiveCount: Int,
                logger: Logger, invoker: any WorkerInvoker, awsSession: AWSSession? = nil) {
        self.worker = worker
        self.account = account
        self.region = region
        self.commit = commit
        self.messageId = messageId
        self.receiveCount = receiveCount
        self.logger = logger
        self.invoker = invoker
        self.awsSession = awsSession
    }

    /// AWS clients with the daemon's own credentials (environment, profile, instance role…).
    public func aws() -> AWSClients { (awsSession ?? .processDefault).clients() }

    /// AWS clients acting as `arn:aws:iam::<account>:role/<role>`: the role is assumed with the daemon's credentials
    /// on first use and its credentials are cached until five minutes before they expire. The session name (shown in
    /// CloudTrail) defaults to `starfleetd-<worker>`.
    public func aws(account: String, role: String, sessionName: String? = nil) -> AWSClients {
        (awsSession ?? .processDefault).clients(account: account, role: role, sessionName: sessionName ?? "starfleetd-\(worker)")
    }

    /// Runs `worker` with `payload` now and returns its result.
    public func invoke(_ worker: String, payload: [UInt8], account: String? = nil, region: String? = nil) async throws -> [UInt8] {
        try await invoker.invoke(worker: worker, payload: payload, account: account, region: region, commit: commit)
    }

    /// Puts `payload` on `worker`'s queue and returns its message id.
    public func enqueue(_ worker: String, payload: [UInt8], account: String? = nil, region: String? = nil) async throws -> String {
        try await invoker.enqueue(worker: worker, payload: payload, account: account, region: region)
    }
}

/// How workers reach other workers; the daemon and the CLI each provide one.
public protocol WorkerInvoker: Sendable {
    func invoke(worker: String, payload: [UInt8], account: String?, region: String?, commit: Bool) async throws -> [UInt8]
    func enqueue(worker: String, payload: [UInt8], account: String?, region: String?) async throws -> String
}
