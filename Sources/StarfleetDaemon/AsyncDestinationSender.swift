import FoundationEssentials
import StarfleetAWS
import StarfleetClock
import StarfleetCore
import StarfleetQueue

/// Sends an asynchronous invocation's record to its destination, as Lambda does: to another worker as an asynchronous
/// invocation of it (the record is its payload), to an SQS queue as the message body (with the daemon's SQS client and
/// credentials), or to an S3 bucket as a JSON object under `aws/lambda/async/<function>/YYYY/MM/DD/`.
struct AsyncDestinationSender: Sendable {
    let configuration: Configuration
    let queues: QueueRouter
    /// The deployment region: S3 records are written there, and function ARNs name it.
    let region: String
    /// An S3 client for the deployment region.
    let s3: @Sendable () -> S3Client
    let clock: any WallClock

    init(
        configuration: Configuration, queues: QueueRouter, region: String, s3: @escaping @Sendable () -> S3Client,
        clock: any WallClock
    ) {
        self.configuration = configuration
        self.queues = queues
        self.region = region
        self.s3 = s3
        self.clock = clock
    }

    /// Puts `record` on `worker`'s own queue for delivery later (a destination that cannot take it now).
    func keep(_ record: [UInt8], key: String, worker: WorkerConfiguration) async throws {
        _ = try await queues.workerQueue(worker).send([
            OutgoingMessage(
                body: String(decoding: record, as: UTF8.self),
                attributes: [FanOutEvent.attribute: KeptInvocationRecord.event, KeptInvocationRecord.destinationAttribute: key])
        ])
    }

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    /// Delivers `record` (from `worker`) or throws; nothing is retried here (the caller keeps the record).
    func deliver(_ record: [UInt8], to destination: AsyncDestination, from worker: String) async throws {
        switch destination.target {
        case .worker(let name):
            guard let target = configuration.worker(named: name) else {
                throw Refused(description: "no worker named \(name) is configured")
            }
            _ = try await queues.workerQueue(target).send([
                InvocationMessage.make(payload: record, account: nil, region: nil)
            ])
        case .sqs(let text):
            guard let url = SQSQueueURL(text) else { throw Refused(description: "\(text) is not an SQS queue URL") }
            let result = try await queues.sqsClient(for: url).sendMessageBatch(
                queueUrl: url.url, entries: [SQSSendEntry(id: "record", body: String(decoding: record, as: UTF8.self))])
            if let failure = result.failed.first { throw Refused(description: "SQS refused the record: \(failure)") }
        case .s3(let bucket):
            try await s3().putObject(
                bucket: bucket, key: Self.objectKey(function: worker, at: clock.now(), id: UUID().uuidString.lowercased()),
                body: record, contentType: "application/json")
        }
    }

    /// `aws/lambda/async/<function-name>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>`, the layout Lambda gives the records it
    /// writes to an S3 destination.
    static func objectKey(function: String, at date: Date, id: String) -> String {
        let stamp = InvocationRecord.timestampText(date)  // YYYY-MM-DDTHH:MM:SS.mmmZ
        let day = stamp.prefix(10)
        let time = String(stamp.dropFirst(11).prefix(8).map { $0 == ":" ? "." : $0 })
        let path = String(day.map { $0 == "-" ? "/" : $0 })
        return "aws/lambda/async/\(function)/\(path)/\(day)T\(time)-\(id)"
    }
}
