import FoundationEssentials
package import Logging
package import StarfleetAWS
package import StarfleetClock
package import StarfleetCore
package import StarfleetQueue
package import StarfleetSQSQueue
import Synchronization

/// Which backend holds each queue: a worker whose `InvocationQueueUrl` (or the Starbase, when `STARFLEET.FanOutQueueUrl`)
/// is an Amazon SQS queue URL gets an ``SQSQueue``; every other queue is the local ``JournalQueue`` of its name.
///
/// SQS queues outlive configuration reloads (they remember the messages received and not yet settled), and share
/// one HTTP client and credentials chain, made on first use so a local-only daemon never touches AWS.
package final class QueueRouter: Sendable {
    package let local: QueueSet
    private let environment: [String: String]
    private let clock: any WallClock
    private let logger: Logger
    private let remote = Mutex(Remote())

    private struct Remote {
        var http: HTTPClient?
        var credentials: CredentialsChain?
        /// By queue name; replaced when the URL or the settings change.
        var queues: [String: (key: String, queue: SQSQueue)] = [:]
    }

    /// HTTP lanes for SQS: long polls hold a lane each for their wait, so sends and deletes need lanes of their own.
    static let sqsLanes = 16

    package init(local: QueueSet, environment: [String: String]? = nil, clock: any WallClock, logger: Logger) {
        self.local = local
        self.environment = environment ?? ProcessInfo.processInfo.environment
        self.clock = clock
        self.logger = logger
    }

    /// The SQS queue URL behind a queue name in `configuration`, if that queue is SQS-backed.
    package static func sqsURL(of queue: String, in configuration: Configuration) -> SQSQueueURL? {
        if queue == StatePaths.starbaseQueue { return configuration.starfleet.fanOutQueueUrl.flatMap { SQSQueueURL($0) } }
        return configuration.worker(named: queue)?.invocationQueueUrl.flatMap { SQSQueueURL($0) }
    }

    /// The Starbase's fan-out queue: SQS when `FanOutQueueUrl` is an SQS URL, else the local one.
    package func starbaseQueue(_ configuration: Configuration) throws -> any MessageQueue {
        if let queue = starbaseSQSQueue(configuration) { return queue }
        return try localStarbaseQueue()
    }

    private func starbaseSQSQueue(_ configuration: Configuration) -> SQSQueue? {
        Self.sqsURL(of: StatePaths.starbaseQueue, in: configuration).map {
            sqsQueue(
                StatePaths.starbaseQueue, url: $0, visibilityTimeout: 300, maxReceiveCount: 4, group: SQSMessageGroups.fanOut)
        }
    }

    /// The local Starbase queue. It always exists: `starfleetctl trigger` and the inbox use it, and its lock is how
    /// `starfleetctl` knows the daemon runs.
    package func localStarbaseQueue() throws -> JournalQueue {
        try local.queue(StatePaths.starbaseQueue, visibilityTimeout: 300, maxReceiveCount: 4)
    }

    /// A worker's queue: SQS when its `InvocationQueueUrl` is an SQS URL, else the local one named after it.
    package func workerQueue(_ worker: WorkerConfiguration) throws -> any MessageQueue {
        if let queue = workerSQSQueue(worker) { return queue }
        return try local.queue(
            worker.name, visibilityTimeout: Double(worker.visibilityTimeoutSeconds), maxReceiveCount: worker.maxReceiveCount)
    }

    private func workerSQSQueue(_ worker: WorkerConfiguration) -> SQSQueue? {
        worker.invocationQueueUrl.flatMap { SQSQueueURL($0) }.map {
            sqsQueue(
                worker.name, url: $0, visibilityTimeout: Double(worker.visibilityTimeoutSeconds),
                maxReceiveCount: worker.maxReceiveCount, group: SQSMessageGroups.worker(worker.name))
        }
    }

    /// The SQS queue behind `name` (a worker, or the Starbase) in `configuration`; nil when that queue is local.
    package func sqsQueue(named name: String, in configuration: Configuration) -> SQSQueue? {
        guard Self.sqsURL(of: name, in: configuration) != nil else { return nil }
        if name == StatePaths.starbaseQueue { return starbaseSQSQueue(configuration) }
        return configuration.worker(named: name).flatMap(workerSQSQueue)
    }

    /// The SQS queues in use, by name (for status and metrics).
    package var sqsQueues: [String: SQSQueue] { remote.withLock { $0.queues.mapValues(\.queue) } }

    private func sqsQueue(
        _ name: String, url: SQSQueueURL, visibilityTimeout: Double, maxReceiveCount: Int,
        group: @escaping @Sendable (OutgoingMessage) -> String
    ) -> SQSQueue {
        let key = "\(url)|\(visibilityTimeout)|\(maxReceiveCount)"
        return remote.withLock { r in
            if let existing = r.queues[name], existing.key == key { return existing.queue }
            let http = r.http ?? Self.makeHTTP(clock: clock, logger: logger)
            let credentials = r.credentials ?? CredentialsChain(environment: environment, http: http, clock: clock)
            r.http = http
            r.credentials = credentials
            let endpoint = AWSEndpoint.resolve(service: "sqs", region: url.region, environment: environment)
            let client = SQSClient(http: http, credentials: credentials, region: url.region, endpoint: endpoint, clock: clock)
            let options = SQSQueueOptions(
                visibilityTimeout: visibilityTimeout, maxReceiveCount: maxReceiveCount,
                deadLetters: local.deadLetters, messageGroup: group)
            let queue = SQSQueue(name: name, url: url, client: client, options: options, clock: clock, logger: logger)
            r.queues[name] = (key, queue)
            logger.info(
                "queue is on Amazon SQS",
                metadata: [
                    "queue": "\(name)", "url": "\(url)", "endpoint": "\(endpoint.scheme)://\(endpoint.host)\(endpoint.basePath)",
                    "fifo": "\(url.isFIFO)",
                ])
            return queue
        }
    }

    /// An SQS client for `url`'s region, on the queues' HTTP client and credentials (an asynchronous invocation's
    /// destination queue is sent to as the daemon's own queues are).
    package func sqsClient(for url: SQSQueueURL) -> SQSClient {
        remote.withLock { r in
            let http = r.http ?? Self.makeHTTP(clock: clock, logger: logger)
            let credentials = r.credentials ?? CredentialsChain(environment: environment, http: http, clock: clock)
            r.http = http
            r.credentials = credentials
            let endpoint = AWSEndpoint.resolve(service: "sqs", region: url.region, environment: environment)
            return SQSClient(http: http, credentials: credentials, region: url.region, endpoint: endpoint, clock: clock)
        }
    }

    private static func makeHTTP(clock: any WallClock, logger: Logger) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.lanes = sqsLanes
        // Short bounds: sends happen inside the scheduler's loop, which must keep beating the systemd watchdog
        // (WatchdogSec=30) while SQS is unreachable; a failed send is retried by the caller.
        configuration.connectTimeout = 3
        configuration.timeout = 10
        return HTTPClient(configuration: configuration, clock: clock, logger: logger)
    }
}

/// The MessageGroupId of messages sent to FIFO queues. Ordering matters to nobody here; a group only serializes
/// delivery (SQS hands out nothing more of a group while one of its batches is in flight), so groups are chosen
/// small enough that one failing account does not hold up the others.
enum SQSMessageGroups {
    /// A worker's payloads: one group per account and region (per account, per worker for single invocations).
    static func worker(_ worker: String) -> @Sendable (OutgoingMessage) -> String {
        { message in
            let address = PayloadAddress(attributes: message.attributes)
            let parts = [address.account, address.region].compactMap { $0 }
            return parts.isEmpty ? worker : parts.joined(separator: "/")
        }
    }

    /// Fan-out messages: one group per worker ship (template changes: per template key).
    @Sendable static func fanOut(_ message: OutgoingMessage) -> String {
        switch StarbaseMessage.parse(message.body) {
        case .messages(let parsed):
            switch parsed.first {
            case .timed(let worker, _): return worker
            case .templateChanged(_, let key): return "template/" + key
            case nil: return StatePaths.starbaseQueue
            }
        case .unsupported: return StatePaths.starbaseQueue
        }
    }
}
