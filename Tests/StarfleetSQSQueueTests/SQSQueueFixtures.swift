import Foundation
import Logging
import StarfleetClock
import StarfleetQueue
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS
@testable import StarfleetSQSQueue

/// One test's SQS world on a fresh moto_server: a client for it, a dead-letter directory in a temporary directory
/// removed afterwards, and SQSQueues on `clock`.
struct MotoSQS {
    let client: SQSClient
    let directory: TemporaryDirectory
    let deadLetters: DeadLetterDirectory
    let clock: any WallClock

    /// Runs `body` with a fresh moto_server and temporary directory; `deadLetterRoot` overrides where the files go.
    static func with<T>(
        clock: any WallClock = SystemWallClock(), deadLetterRoot: ((TemporaryDirectory) throws -> String)? = nil,
        _ body: (MotoSQS) async throws -> T
    ) async throws -> T {
        try await TestServer.withMoto { server in
            let directory = try TemporaryDirectory("sqsq")
            defer { directory.remove() }
            let root = try deadLetterRoot?(directory) ?? directory.path("dead-letter")
            let fixture = MotoSQS(
                client: SQSClient.forTests(server), directory: directory, deadLetters: DeadLetterDirectory(root: root),
                clock: clock)
            return try await body(fixture)
        }
    }

    /// Creates the queue on moto and returns the SQSQueue for its AWS-form URL.
    func queue(_ name: String, attributes: [String: String] = [:], maxReceiveCount: Int = 2) async throws -> SQSQueue {
        _ = try await client.createQueue(name: name, attributes: attributes)
        let url = try SQSQueueURL.forTests(name)
        let options = SQSQueueOptions(
            visibilityTimeout: 30, maxReceiveCount: maxReceiveCount, deadLetters: deadLetters,
            messageGroup: { $0.attributes["group"] ?? "g" }, statsTTL: 0)
        return SQSQueue(name: "Worker", url: url, client: client, options: options, clock: clock, logger: Logger.quiet)
    }

    /// Receives until `count` messages arrived (moto may answer a long poll with fewer than are visible).
    func receiveAll(_ queue: SQSQueue, count: Int) async throws -> [ReceivedMessage] {
        var all: [ReceivedMessage] = []
        for _ in 0..<50 where all.count < count {
            all += try await queue.receive(max: 10, visibilityTimeout: nil, wait: 1)
        }
        return all
    }

    /// The messages SQS holds in `queueURL` (a DLQ), read around the SQSQueue.
    func drain(_ queueURL: String, expecting count: Int) async throws -> [SQSMessage] {
        var all: [SQSMessage] = []
        for _ in 0..<10 where all.count < count {
            all += try await client.receiveMessage(
                queueUrl: queueURL, maxNumberOfMessages: 10, visibilityTimeout: 30, waitTimeSeconds: 1)
        }
        return all
    }

    /// The dead letters filed for the test queue (none when the folder was never made).
    func letters() throws -> [DeadLetterSummary] { try deadLetters.list(worker: "Worker") }
}

extension SQSClient {
    /// A client for the test server with test credentials; `retry` replaces the default retry policy.
    static func forTests(_ server: TestServer, retry: RetryPolicy? = nil) -> SQSClient {
        var configuration = HTTPClient.Configuration()
        if let retry { configuration.retry = retry }
        return SQSClient(
            http: HTTPClient(configuration: configuration, logger: Logger.quiet),
            credentials: StaticCredentialsProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
            region: "us-east-1",
            endpoint: AWSEndpoint.resolve(
                service: "sqs", region: "us-east-1", environment: ["AWS_ENDPOINT_URL_SQS": server.baseURL]))
    }
}

extension SQSQueueURL {
    /// The AWS-form URL of the test account's queue `name`; its name decides whether it is FIFO.
    static func forTests(_ name: String) throws -> SQSQueueURL {
        try #require(SQSQueueURL("https://sqs.us-east-1.amazonaws.com/123456789012/\(name)"))
    }
}

extension FailureRecord {
    /// A failed attempt as the executor records it.
    static func exit3(at time: Date = Date()) -> FailureRecord {
        FailureRecord(time: time, error: "exit status 3", exitStatus: 3, stderrTail: "boom")
    }
}
