public import StarfleetCore

/// One execution of a worker: the payload the Starbase (or `invoke`) produced and the facts about its message.
public struct WorkerInvocation: Sendable, Hashable {
    public var worker: String
    /// The payload JSON: the template plus `StarbaseAssignedAccount` / `StarbaseAssignedRegion`.
    public var body: [UInt8]
    public var account: String?
    public var region: String?
    public var commit: Bool
    public var messageId: String
    public var receiveCount: Int
    /// The template key the payload was fanned out from, when it came from one.
    public var template: String? = nil
    /// The X-Ray trace header the payload runs under (`Root=…;Sampled=0`): a fan-out's payloads share its Root.
    public var traceHeader: String? = nil
    /// The W3C `traceparent` a client sent with it, if any.
    public var traceparent: String? = nil

    public init(
        worker: String, body: [UInt8], account: String?, region: String?, commit: Bool, messageId: String, receiveCount: Int
    ) {
        self.worker = worker
        self.body = body
        self.account = account
        self.region = region
        self.commit = commit
        self.messageId = messageId
        self.receiveCount = receiveCount
    }
}

/// A failed execution, with what an operator needs to see in the dead-letter file.
public struct WorkerFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var exitStatus: Int32?
    public var stderrTail: String?
    /// A Lambda handler's `errorType` and `errorMessage` as it reported them (the Invoke API returns them as they were).
    public var errorType: String?
    public var errorMessage: String?
    /// The run was stopped at TimeoutSeconds (the run history's `timed-out` outcome).
    public var timedOut = false

    public init(_ message: String, exitStatus: Int32? = nil, stderrTail: String? = nil) {
        self.message = message
        self.exitStatus = exitStatus
        self.stderrTail = stderrTail
    }

    public var description: String { message }
}

/// A worker ship: what the Starbase fans templates out to and the dispatcher runs per payload.
///
/// Swift workers conform to ``TypedWorkerShip`` (a Decodable payload); process workers are built from configuration
/// (``ProcessWorkerShip``). A worker changes things only when `invocation.commit` is true.
public protocol WorkerShip: Sendable {
    /// The configuration section and queue name.
    var name: String { get }
    var fanOutStrategy: FanOutStrategy { get }

    /// Checks beyond the strategy's base schema (Starfleet's worker-specific payload schemas). Default: none.
    func validate(template: Node) -> [Diagnostic]

    /// Checks of the worker's own keys in its configuration section, as written (Starfleet's worker configuration
    /// schemas), reported with the configuration's own problems. Default: none.
    func validate(section: Node) -> [Diagnostic]

    /// Runs one payload. Returns the result (JSON bytes, possibly empty); throws to fail the attempt, which is
    /// retried with backoff and dead-lettered after MaxReceiveCount attempts.
    func execute(_ invocation: WorkerInvocation, context: WorkerContext) async throws -> [UInt8]

    /// Whether `execute` ends itself at the worker's TimeoutSeconds (a process it kills); otherwise the dispatcher
    /// cancels it then. Default: false.
    var enforcesItsOwnTimeout: Bool { get }
}

extension WorkerShip {
    public func validate(template: Node) -> [Diagnostic] { [] }
    public func validate(section: Node) -> [Diagnostic] { [] }
    public var enforcesItsOwnTimeout: Bool { false }
}
