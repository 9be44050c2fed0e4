/// Where a worker's work comes from (Starfleet's `InvocationSource`). `SQS` is accepted but, as in Starfleet,
/// nothing tasks it yet.
public enum InvocationSource: String, Sendable, Hashable, CaseIterable {
    case s3 = "S3"
    case sqs = "SQS"
    case eventBridgeTimedEvent = "EVENTBRIDGE_TIMED_EVENT"
}

/// `STARFLEET.LogLevel`: Python's level names, as Starfleet accepts them.
public enum LogLevel: String, Sendable, Hashable, CaseIterable {
    case critical = "CRITICAL"
    case error = "ERROR"
    case warning = "WARNING"
    case info = "INFO"
    case debug = "DEBUG"
    case notset = "NOTSET"
}

/// Starfleet's alert verbosity: a message is sent when `configured ≥ message priority > 0`.
public enum AlertPriority: String, Sendable, Hashable, CaseIterable, Comparable {
    case none = "NONE"
    case problem = "PROBLEM"
    case important = "IMPORTANT"
    case success = "SUCCESS"
    case informational = "INFORMATIONAL"

    public var level: Int {
        switch self {
        case .none: return 0
        case .problem: return 1
        case .important: return 2
        case .success: return 3
        case .informational: return 4
        }
    }

    public static func < (a: AlertPriority, b: AlertPriority) -> Bool { a.level < b.level }

    /// Starfleet's `send_alert` rule: whether a worker configured at `self` sends a message of `priority`.
    public func sends(_ priority: AlertPriority) -> Bool { level >= priority.level && priority.level > 0 }
}

/// A worker's `AlertConfiguration`.
public struct AlertConfiguration: Sendable, Hashable {
    public var channelId: String
    public var priority: AlertPriority
    public init(channelId: String, priority: AlertPriority) {
        self.channelId = channelId
        self.priority = priority
    }
}

/// `STARFLEET.SecretsManager`.
public struct SecretsManagerLocation: Sendable, Hashable {
    public var secretId: String
    public var secretRegion: String
    public init(secretId: String, secretRegion: String) {
        self.secretId = secretId
        self.secretRegion = secretRegion
    }
}
