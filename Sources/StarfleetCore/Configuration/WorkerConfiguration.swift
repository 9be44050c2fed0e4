/// A worker ship's section: Starfleet's keys plus the daemon's (concurrency, queue and retry settings, and for a
/// process worker its command and fan-out strategy).
package struct WorkerConfiguration: Sendable, Hashable {
    package var name: String
    package var enabled: Bool
    package var templatePrefix: String
    package var invocationQueueUrl: String?
    package var invocationSources: Set<InvocationSource>
    /// `EventBridgeTimedFrequency`: a named frequency, or a rate()/cron() expression.
    package var schedule: Schedule?
    package var alert: AlertConfiguration?

    package var concurrency: Int
    package var visibilityTimeoutSeconds: Int
    package var timeoutSeconds: Int
    package var maxReceiveCount: Int
    package var backoff: BackoffPolicy
    /// A worker changes things only when commit is on (Starfleet's `STARFLEET_COMMIT`).
    package var commit: Bool

    /// Set for a process worker: the program and its arguments, run without a shell.
    package var command: [String]?
    /// A process worker's strategy (Swift workers declare theirs in code).
    package var fanOutStrategy: FanOutStrategy?
    /// `Runtime:`; without it, `process` when there is a Command, else `swift` (a built-in worker).
    package var runtime: WorkerRuntime = .swift
    /// What a worker outside the daemon gets: handler, code directory, interpreters, environment, credentials.
    package var process = WorkerProcessSettings(codeDirectory: "")
    /// This worker's own run-history bounds; nil: `STARFLEET`'s (see ``Configuration/runHistory(for:)``).
    package var runHistoryMaxRuns: Int?
    package var runHistoryMaxAgeDays: Int?
    /// Lambda's event invoke configuration: retries, event age and destinations of asynchronous invocations.
    package var asyncInvocation = AsyncInvocationSettings()
    /// A Lambda-runtime worker with `EventShape: sqs`: how it takes its queue (batches, filters, partial failures).
    package var sqsTrigger = SQSTriggerSettings()

    /// Where the section starts, for messages that concern the worker as a whole.
    package var mark: SourceMark
    /// The section as written, for a Swift worker's own keys.
    package var section: Node

    /// One process per payload (`Runtime: process`, the default with a Command).
    package var isProcessWorker: Bool { runtime == .process }
    /// Runs outside the daemon (per-payload or warm processes): gets a working directory, its configuration file,
    /// its secrets file and its environment.
    package var runsOutOfProcess: Bool { runtime != .swift }
    /// Takes its queue as Lambda's SQS trigger does: batches of SQS records (BatchSize, filters, partial failures).
    package var takesSQSBatches: Bool { runtime.isLambda && process.eventShape == .sqs }

    package static let defaultConcurrency = 4
    package static let defaultVisibilityTimeout = 300
    package static let defaultMaxReceiveCount = 4

    /// Every key the daemon itself reads from a worker section.
    package static let keys =
        [
            "Enabled", "TemplatePrefix", "InvocationQueueUrl", "InvocationSources", "EventBridgeTimedFrequency",
            "StarbaseInvocationTopicArn", "AlertConfiguration", "Concurrency", "VisibilityTimeoutSeconds", "TimeoutSeconds",
            "MaxReceiveCount", "Backoff", "Commit", "Command", "FanOutStrategy", "RunHistoryMaxRuns", "RunHistoryMaxAgeDays",
        ] + processKeys + asyncKeys + SQSTriggerSettings.keys

    /// Lambda's event invoke configuration keys.
    package static let asyncKeys = ["MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"]

    /// The keys of a worker that runs outside the daemon.
    package static let processKeys = [
        "Runtime", "Handler", "CodeDirectory", "Python", "Node", "EventShape", "Environment", "PassEnvironment", "Credentials",
        "MaxInvocationsPerProcess", "MemorySize",
    ]

    /// Keys whose presence marks a top-level section as a worker.
    static let markerKeys: Set<String> = [
        "Enabled", "TemplatePrefix", "InvocationSources", "Command", "InvocationQueueUrl", "Runtime",
    ]

    /// Whether this worker takes a timed event of `schedule` (exact match, as Starfleet fixed in its PR #21).
    package func isTasked(by schedule: Schedule) -> Bool {
        enabled && invocationSources.contains(.eventBridgeTimedEvent) && self.schedule == schedule
    }

    /// Whether an S3-style template key belongs to this worker: equal to a `.yaml` prefix, or under the prefix.
    package func matches(templateKey key: String) -> Bool {
        if templatePrefix.hasSuffix(".yaml") && templatePrefix == key { return true }
        return key.hasPrefix(templatePrefix)
    }
}

extension WorkerConfiguration {
    /// The configured strategy: a process worker's `FanOutStrategy`, else SINGLE_INVOCATION (Starfleet's class
    /// default). A Swift worker's own declaration takes precedence where the registry knows it.
    package var strategy: FanOutStrategy { fanOutStrategy ?? .singleInvocation }
}
