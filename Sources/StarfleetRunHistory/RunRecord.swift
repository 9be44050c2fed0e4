package import FoundationEssentials

/// One execution of a worker on one payload, as the run history keeps it. Plain values only: the daemon fills it in
/// from the queue message and the worker's result; the store bounds every text field when it writes.
package struct RunRecord: Sendable, Hashable {
    package var worker: String
    /// The template key the payload came from (`AuditWorker/all.yaml`), when the Starbase made it.
    package var template: String?
    package var account: String?
    package var region: String?
    package var messageId: String
    /// The message's receive count when this attempt started (1 on the first attempt).
    package var attempt: Int
    package var started: Date
    package var durationSeconds: Double
    package var outcome: RunOutcome
    /// A process worker's exit status (or the signal's, as the process runner reports it), when it failed with one.
    package var exitStatus: Int32?
    /// What kind of failure: a Lambda handler's errorType, `Runtime.ExitError`, `Timeout`, or `Error`.
    package var errorType: String?
    /// The failure's message, bounded.
    package var error: String?
    /// The result's full size in bytes (the excerpt below holds its start).
    package var resultBytes: Int
    /// The start of the result, bounded (what the worker printed on stdout / returned).
    package var resultExcerpt: String?
    /// The end of the worker's stderr, bounded (what it printed while failing).
    package var stderrExcerpt: String?
    /// The X-Ray trace header's Root (`1-5f…-…`) the attempt ran under: a fan-out's payloads share one.
    package var traceId: String?
    /// The host that ran the attempt (`STARFLEET.HostName`, else the hostname): several hosts may share the queues.
    package var host: String?

    package init(
        worker: String, template: String? = nil, account: String? = nil, region: String? = nil, messageId: String,
        attempt: Int, started: Date, durationSeconds: Double, outcome: RunOutcome, exitStatus: Int32? = nil,
        errorType: String? = nil, error: String? = nil, resultBytes: Int = 0, resultExcerpt: String? = nil,
        stderrExcerpt: String? = nil, traceId: String? = nil, host: String? = nil
    ) {
        self.worker = worker
        self.template = template
        self.account = account
        self.region = region
        self.messageId = messageId
        self.attempt = attempt
        self.started = started
        self.durationSeconds = durationSeconds
        self.outcome = outcome
        self.exitStatus = exitStatus
        self.errorType = errorType
        self.error = error
        self.resultBytes = resultBytes
        self.resultExcerpt = resultExcerpt
        self.stderrExcerpt = stderrExcerpt
        self.traceId = traceId
        self.host = host
    }

    /// Bytes kept of a result or stderr excerpt.
    package static let excerptBytes = 2048
    /// Bytes kept of an error message.
    package static let errorBytes = 1024
    /// Bytes kept of the short fields (worker, message id, template, account, region, error type).
    package static let fieldBytes = 1024
}
