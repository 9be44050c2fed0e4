package import FoundationEssentials
package import StarfleetWorkerKit

/// A worker that runs a whole batch of SQS records in one invocation, as Lambda's SQS trigger does (the Lambda
/// runtime's ships, for `EventShape: sqs`).
package protocol BatchingShip: WorkerShip {
    /// Runs `batch` as one invocation and returns the handler's response (read by the caller under the partial batch
    /// response rules). Throws when the invocation failed as a whole: an error, a timeout, a crashed process.
    func execute(batch: [SQSBatchRecord], context: WorkerContext) async throws -> [UInt8]
}

/// One record of a batch: the payload and the queue's facts about its message, as the SQS event shows them.
package struct SQSBatchRecord: Sendable {
    package var invocation: WorkerInvocation
    package var receiptHandle: String
    /// The message attributes (the event's `messageAttributes`, all of type String).
    package var attributes: [String: String]
    package var sentTimestamp: Date
    package var firstReceiveTimestamp: Date

    package init(
        invocation: WorkerInvocation, receiptHandle: String, attributes: [String: String], sentTimestamp: Date,
        firstReceiveTimestamp: Date
    ) {
        self.invocation = invocation
        self.receiptHandle = receiptHandle
        self.attributes = attributes
        self.sentTimestamp = sentTimestamp
        self.firstReceiveTimestamp = firstReceiveTimestamp
    }
}
