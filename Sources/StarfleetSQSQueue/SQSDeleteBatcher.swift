import StarfleetAWS
/// Gathers the deletes a queue's consumers make within a few milliseconds into DeleteMessageBatch calls of up to 10
/// entries: one request instead of ten when many payloads finish together (each SQS request is billed and counts
/// toward throughput). No background task: the first caller of a round waits `window`, then sends for everyone.
actor SQSDeleteBatcher {
    typealias Outcome = Result<Bool, any Error>

    private let client: SQSClient
    private let queueUrl: String
    private let window: Double
    private var pending: [(receipt: String, waiter: CheckedContinuation<Outcome, Never>?)] = []
    private var collecting = false

    init(client: SQSClient, queueUrl: String, window: Double = 0.005) {
        self.client = client
        self.queueUrl = queueUrl
        self.window = window
    }

    /// Deletes the message the receipt handle was issued for: true when SQS deleted it, false when the handle was
    /// invalid or expired (the message is gone or was received again).
    func delete(_ receipt: String) async throws -> Bool {
        guard !collecting else {
            return try await withCheckedContinuation { waiter in pending.append((receipt, waiter)) }.get()
        }
        collecting = true
        pending.append((receipt, nil))
        try? await Task.sleep(nanoseconds: UInt64(window * 1_000_000_000))
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
                return .failure(SQSError(action: "DeleteMessageBatch", queueUrl: queueUrl, status: 200, code: failure.code,
                                         message: failure.message))
            }
        } catch {
            return entries.map { _ in .failure(error) }
        }
    }
}
