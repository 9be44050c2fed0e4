/// How a Lambda-runtime worker with `EventShape: sqs` takes its queue, with the names of Lambda's SQS event source
/// mapping (SAM's `Events: {Type: SQS}` properties): batches, the batching window, partial batch responses, the
/// bound on concurrent batches, and filters.
package struct SQSTriggerSettings: Sendable, Hashable {
    /// `BatchSize`: at most this many records per invocation (1 to 10,000).
    package var batchSize = 1
    /// `MaximumBatchingWindowInSeconds`: how long a batch may wait for more records after its first (0 to 300).
    package var maximumBatchingWindowSeconds = 0
    /// `FunctionResponseTypes: [ReportBatchItemFailures]`: the handler's response says which records failed.
    package var reportsBatchItemFailures = false
    /// `ScalingConfig.MaximumConcurrency`: at most this many batches at once (2 to 1,000); nil: Concurrency's.
    package var maximumConcurrency: Int?
    /// `FilterCriteria.Filters`: a record is delivered when one matches; none: every record.
    package var filters: [EventFilter] = []

    package init() {}

    /// The keys, as a worker section writes them.
    package static let keys = [
        "BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes", "ScalingConfig", "FilterCriteria",
    ]
    /// Lambda's bounds.
    package static let batchSizes = 1...10_000
    package static let windows = 0...300
    package static let concurrencies = 2...1000
    /// Lambda's synchronous payload limit: a batch is sent before its event could pass it.
    package static let maxEventBytes = 6 * 1024 * 1024

    /// How many batches of the worker run at once: its warm processes (`Concurrency`) bounded by MaximumConcurrency.
    package func batchesAtOnce(concurrency: Int) -> Int { min(concurrency, maximumConcurrency ?? concurrency) }
}
