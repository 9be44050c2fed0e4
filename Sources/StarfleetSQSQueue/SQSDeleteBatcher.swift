import StarfleetAWS
import StarfleetClock

/// The one SQS call the batcher makes: ``SQSClient`` in the daemon, a fake that records batches in tests.
protocol SQSBatchDeleting: Sendable {
    func deleteMessageBatch(queueUrl: String, entries: [(id: String, receiptHandle: String)]) async throws -> SQSBatchResult<
        String
    >
}

extension SQSClient: SQSBatchDeleting {}

/// Gathers the deletes a queue's consumers make within a few milliseconds into DeleteMessageBatch calls of up to 10
/// entries: one request instead of ten when many payloads finish together (each SQS request is billed and counts
/// toward throughput). No background task: the first caller of a round waits `window` on the clock, then sends for
/// everyone.
actor SQSDeleteBatcher {
    typealias Outcome = Result<Bool, any Error>

    /// How long the first delete of a round waits for others to join it.
    static let defaultWindow = 0.005

    private let client: any SQSBatchDeleting
    private let queueUrl: String
    private let window: Double
    private let clock: any WallClock
    private var pending: [(receipt: String, waiter: CheckedContinuation<Outcome, Never>?)] = []
    private var collecting = false

    init(client: any SQSBatchDeleting, queueUrl: String, clock: any WallClock, window: Double = defaultWindow) {
        self.client = client
        self.queueUrl = queueUrl
        self.clock = clock
        self.window = window
    }

    /// Deletes waiting in the current round (tests watch it fill).
    var pendingCount: Int { pending.count }

    /// Deletes the message the receipt handle was issued for: true when SQS deleted it, false when the handle was
    /// invalid or expired (the message is gone or was received again).
    func delete(_ receipt: String) async throws -> Bool {
        guard !collecting else {
            return try await withCheckedContinuation { waiter in pending.append((receipt, waiter)) }.get()
        }
        collecting = true
        pending.append((receipt, nil))
        try? await clock.sleep(seconds: window)
        let round = pending
        pending = []
        collecting = false
        var mine: Outcome = .success(false)
        for start in stride(from: 0, to: round.count, by: SQSClient.maxBatchEntries) {
            let batch = Array(round[start..<min(start + SQSClient.maxBatchEntries, round.count)])
            let outcomes = await send(batch.map(\.receipt))
            for (entry, outcome) in zip(batch, outcomes) {
                if let waiter = entry.waiter { waiter.resume(returning: outcome) } else { mine = outcome }
            }
        }
        return try mine.get()
    }

    /// One DeleteMessageBatch call; its outcome per receipt, in order.
    private func send(_ receipts: [String]) async -> [Outcome] {
        let entries = receipts.enumerated().map { (id: "d\($0.offset)", receiptHandle: $0.element) }
        do {
            let result = try await client.deleteMessageBatch(queueUrl: queueUrl, entries: entries)
            let failures = Dictionary(result.failed.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            return entries.map { entry in
                guard let failure = failures[entry.id] else { return .success(result.successful[entry.id] != nil) }
                if failure.code == "ReceiptHandleIsInvalid" || failure.code == "InvalidParameterValue" { return .success(false) }
                return .failure(
                    SQSError(
                        action: "DeleteMessageBatch", queueUrl: queueUrl, status: 200, code: failure.code,
                        message: failure.message))
            }
        } catch {
            return entries.map { _ in .failure(error) }
        }
    }
}
