import FoundationEssentials
import Logging
import StarfleetAWS
import StarfleetClock
package import StarfleetCore
package import StarfleetQueue
import StarfleetRunHistory
import StarfleetWorkerKit
import StarfleetWorkers

/// `invoke` from inside the daemon: a worker's context can run another worker now, in this process, or put a
/// payload on its queue.
package struct DaemonInvoker: WorkerInvoker {
    let configuration: Configuration
    let ships: [String: any WorkerShip]
    let queues: QueueRouter
    let logger: Logger
    /// What the invoked worker's `context.aws(…)` is made from (nil: the process's default session).
    var awsSession: AWSSession? = nil
    /// Where direct invocations are recorded (nil: no run history).
    var history: RunHistoryStore? = nil
    /// Stamps the Root of an invocation that comes without a trace.
    var clock: any WallClock = SystemWallClock()

    func invoke(worker: String, payload: [UInt8], account: String?, region: String?, commit: Bool) async throws -> [UInt8] {
        try await invoke(
            worker: worker, payload: payload, account: account, region: region, commit: commit, trace: nil, traceparent: nil)
    }

    /// Runs `worker` now under the caller's trace (the Invoke API's `X-Amzn-Trace-Id` / `traceparent`), or a new Root.
    package func invoke(
        worker: String, payload: [UInt8], account: String?, region: String?, commit: Bool, trace: TraceHeader?,
        traceparent: String?
    ) async throws -> [UInt8] {
        guard let ship = ships[worker] else { throw WorkerFailure("invoke: no worker named \(worker) is enabled") }
        let id = "invoke-\(UInt64.random(in: 0...UInt64.max))"
        var invocation = WorkerInvocation(
            worker: worker, body: payload, account: account, region: region, commit: commit,
            messageId: id, receiveCount: 1)
        let root = trace ?? MessageTrace.fresh(at: clock.now())
        invocation.traceHeader = TraceHeader(root: root.root, sampled: root.sampled).text
        invocation.traceparent = traceparent
        var log = logger
        log[metadataKey: "worker"] = "\(worker)"
        log[metadataKey: "trace_id"] = "\(root.root)"
        let context = WorkerContext(
            worker: worker, account: account, region: region, commit: commit, messageId: id,
            receiveCount: 1, logger: log, invoker: self, awsSession: awsSession)
        let recorder = configuration.worker(named: worker).flatMap {
            RunHistoryRecorder.make(history, worker: $0, in: configuration)
        }
        return try await RunHistoryRecorder.timing(recorder, invocation) { try await ship.execute(invocation, context: context) }
    }

    func enqueue(worker: String, payload: [UInt8], account: String?, region: String?) async throws -> String {
        try await enqueue(worker: worker, payload: payload, account: account, region: region, trace: nil, traceparent: nil)
    }

    /// Queues `payload` for `worker`; its trace (the caller's, or a new Root) goes with it through every attempt.
    package func enqueue(
        worker: String, payload: [UInt8], account: String?, region: String?, trace: TraceHeader?, traceparent: String?
    ) async throws -> String {
        guard let config = configuration.worker(named: worker) else { throw WorkerFailure("enqueue: no worker named \(worker)") }
        let queue = try queues.workerQueue(config)
        var message = InvocationMessage.make(payload: payload, account: account, region: region)
        InvocationMessage.attach(trace ?? MessageTrace.fresh(at: clock.now()), traceparent: traceparent, to: &message)
        return try await queue.send([message]).first?.messageId ?? ""
    }
}

/// The queue message for one direct invocation (`invoke --async`, a worker's `enqueue`): the payload as the body,
/// the account and region as attributes, as the Starbase sends them.
package enum InvocationMessage {
    /// The `StarfleetEvent` attribute of an asynchronous invocation.
    package static let event = "invoke"

    package static func make(payload: [UInt8], account: String?, region: String?) -> OutgoingMessage {
        var attributes = PayloadAddress(account: account, region: region).attributes
        attributes[FanOutEvent.attribute] = event
        return OutgoingMessage(body: String(decoding: payload, as: UTF8.self), attributes: attributes)
    }

    /// Puts the trace's Root (and a client's `traceparent`) on the message, for every attempt to run under.
    package static func attach(_ trace: TraceHeader, traceparent: String?, to message: inout OutgoingMessage) {
        message.attributes[TraceHeader.attribute] = TraceHeader(root: trace.root, sampled: trace.sampled).text
        if let traceparent { message.attributes[TraceHeader.traceparentAttribute] = traceparent }
    }
}
