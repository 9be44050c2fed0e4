public import Logging

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
    /// The AWS session the daemon hands this worker (an `AWSSession`), behind StarfleetWorkerAWS's `aws()`; `nil`
    /// uses the process's own. Typed loosely so that this module, and a worker that needs no AWS, link no libcurl.
    public var awsSession: (any Sendable)?

    public init(
        worker: String, account: String?, region: String?, commit: Bool, messageId: String, receiveCount: Int,
        logger: Logger, invoker: any WorkerInvoker, awsSession: (any Sendable)? = nil
    ) {
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

    /// Runs `worker` with `payload` now and returns its result.
    public func invoke(_ worker: String, payload: [UInt8], account: String? = nil, region: String? = nil) async throws -> [UInt8]
    {
        try await invoker.invoke(worker: worker, payload: payload, account: account, region: region, commit: commit)
    }

    /// Puts `payload` on `worker`'s queue and returns its message id.
    public func enqueue(_ worker: String, payload: [UInt8], account: String? = nil, region: String? = nil) async throws -> String
    {
        try await invoker.enqueue(worker: worker, payload: payload, account: account, region: region)
    }
}

/// How workers reach other workers; the daemon and the CLI each provide one.
public protocol WorkerInvoker: Sendable {
    func invoke(worker: String, payload: [UInt8], account: String?, region: String?, commit: Bool) async throws -> [UInt8]
    func enqueue(worker: String, payload: [UInt8], account: String?, region: String?) async throws -> String
}
