/// Where a worker's work comes from (Starfleet's `InvocationSource`). `SQS` is accepted but, as in Starfleet,
/// nothing tasks it yet.
package enum InvocationSource: String, Sendable, Hashable, CaseIterable {
    case s3 = "S3"
    case sqs = "SQS"
    case eventBridgeTimedEvent = "EVENTBRIDGE_TIMED_EVENT"
}

/// `STARFLEET.LogLevel`: Python's level names, as Starfleet accepts them.
package enum LogLevel: String, Sendable, Hashable, CaseIterable {
    case critical = "CRITICAL"
    case error = "ERROR"
    case warning = "WARNING"
    case info = "INFO"
    case debug = "DEBUG"
    case notset = "NOTSET"
}

/// Starfleet's alert verbosity: a message is sent when `configured ≥ message priority > 0`.
package enum AlertPriority: String, Sendable, Hashable, CaseIterable, Comparable {
    case none = "NONE"
    case problem = "PROBLEM"
    case important = "IMPORTANT"
    case success = "SUCCESS"
    case informational = "INFORMATIONAL"

    package var level: Int {
        switch self {
        case .none: return 0
        case .problem: return 1
        case .important: return 2
        case .success: return 3
        case .informational: return 4
        }
    }

    package static func < (a: AlertPriority, b: AlertPriority) -> Bool { a.level < b.level }

    /// Starfleet's `send_alert` rule: whether a worker configured at `self` sends a message of `priority`.
    package func sends(_ priority: AlertPriority) -> Bool { level >= priority.level && priority.level > 0 }
}

/// A worker's `AlertConfiguration`.
package struct AlertConfiguration: Sendable, Hashable {
    package var channelId: String
    package var priority: AlertPriority
    package init(channelId: String, priority: AlertPriority) {
        self.channelId = channelId
        self.priority = priority
    }
}

/// `STARFLEET.SecretsManager`.
package struct SecretsManagerLocation: Sendable, Hashable {
    package var secretId: String
    package var secretRegion: String
    package init(secretId: String, secretRegion: String) {
        self.secretId = secretId
        self.secretRegion = secretRegion
    }
}
