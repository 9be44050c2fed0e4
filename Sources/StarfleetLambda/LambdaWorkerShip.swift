import FoundationEssentials
import StarfleetClock
import StarfleetCore
import StarfleetDaemon
import StarfleetWorkerKit
import StarfleetWorkers

/// A worker whose code is a Lambda handler (Runtime: python, nodejs, provided): each payload becomes one
/// invocation on the worker's ``WarmPool``, bounded by TimeoutSeconds on the injected clock.
struct LambdaWorkerShip: BatchingShip {
    let configuration: WorkerConfiguration
    let pool: WarmPool
    let region: String
    let clock: any WallClock

    var name: String { configuration.name }
    var fanOutStrategy: FanOutStrategy { configuration.strategy }
    /// The warm pool kills the process running an invocation at TimeoutSeconds.
    var enforcesItsOwnTimeout: Bool { true }

    func execute(_ invocation: WorkerInvocation, context: WorkerContext) async throws -> [UInt8] {
        let timeout = configuration.timeoutSeconds
        let template = invocation.template
        let job = LambdaJob(
            requestId: LambdaJob.newRequestId(),
            event: LambdaEvent.make(
                invocation, shape: configuration.process.eventShape, region: region, template: template,
                sentAt: clock.now()),
            clientContext: LambdaEvent.clientContext(invocation, template: template),
            deadlineMilliseconds: Int64((clock.now().timeIntervalSince1970 + Double(timeout)) * 1000),
            messageId: invocation.messageId, account: invocation.account, region: invocation.region
        ).traced(invocation, now: clock.now())
        let pool = self.pool
        return try await Self.run(job, on: pool, timeout: timeout, worker: configuration.name)
    }
}

extension LambdaWorkerShip {
    /// A batch of SQS records as one invocation (`EventShape: sqs`): one event with a record per message.
    func execute(batch: [SQSBatchRecord], context: WorkerContext) async throws -> [UInt8] {
        guard let first = batch.first else { return [] }
        let timeout = configuration.timeoutSeconds
        let job = LambdaJob(
            requestId: LambdaJob.newRequestId(), event: LambdaEvent.sqsBatch(batch, region: region),
            clientContext: LambdaEvent.clientContext(batch: batch),
            deadlineMilliseconds: Int64((clock.now().timeIntervalSince1970 + Double(timeout)) * 1000),
            messageId: first.invocation.messageId, account: batch.count == 1 ? first.invocation.account : nil,
            region: batch.count == 1 ? first.invocation.region : nil
        ).traced(first.invocation, now: clock.now())
        return try await Self.run(job, on: pool, timeout: timeout, worker: configuration.name)
    }

    /// Runs `job` on `pool`; the pool fails it (killing its process) once `timeout` seconds pass on its clock.
    static func run(
        _ job: LambdaJob, on pool: WarmPool, timeout: Int, worker: String
    ) async throws -> [UInt8] {
        let outcome = await pool.submit(job, timeout: timeout)
        switch outcome {
        case .response(let bytes): return bytes
        case .failure(let failure): throw failure
        }
    }
}
