import StarfleetCore
import StarfleetWorkerKit
import StarfleetWorkers

/// One alert about a worker: Starfleet's `send_alert(priority, title, body)` plus the facts a receiver may want
/// as fields (the message, account and region it concerns).
struct Alert: Sendable, Equatable {
    var worker: String
    /// The worker's `AlertConfiguration.ChannelId` (Slack channel; webhooks bound to a channel ignore it).
    var channel: String
    var priority: AlertPriority
    var title: String
    /// Slack mrkdwn.
    var body: String
    var messageId: String?
    var account: String?
    var region: String?
    var error: String?
    /// A failed attempt that will be retried: coalesced into one summary per worker (see ``AlertGate``).
    var isRetry = false
}

/// Encoded as the `starfleet` object of a webhook post: the fields, not the Slack text.
extension Alert: Encodable {
    enum CodingKeys: String, CodingKey {
        case worker, priority, title, messageId, account, region, error
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(worker, forKey: .worker)
        try c.encode(priority.rawValue, forKey: .priority)
        try c.encode(title, forKey: .title)
        try c.encodeIfPresent(messageId, forKey: .messageId)
        try c.encodeIfPresent(account, forKey: .account)
        try c.encodeIfPresent(region, forKey: .region)
        try c.encodeIfPresent(error, forKey: .error)
    }
}

extension Alert {
    /// Starfleet's emoji per priority (`post_problem` 🚨, `post_important` 📣, `post_success` ✅, `post_info` ℹ️).
    var emoji: String {
        switch priority {
        case .problem: return "🚨"
        case .important: return "📣"
        case .success: return "✅"
        case .informational, .none: return "ℹ️"
        }
    }

    /// The header line Starfleet posts: emoji, two spaces, title.
    var headline: String { "\(emoji)  \(title)" }
}

extension Alert {
    /// The alerts the daemon raises itself, one per worker outcome. Workers choose which they get through
    /// `AlertConfiguration.AlertPriority` (see ``AlertPriority/sends(_:)``).
    enum Outcome: Sendable {
        /// The execution succeeded: SUCCESS.
        case succeeded
        /// The execution failed and will be retried: IMPORTANT.
        case failedWillRetry(attempt: Int, of: Int)
        /// The execution failed for the last time; the message goes to the dead-letter folder: PROBLEM.
        case deadLettered(attempts: Int)

        var priority: AlertPriority {
            switch self {
            case .succeeded: return .success
            case .failedWillRetry: return .important
            case .deadLettered: return .problem
            }
        }
    }

    /// The alert for `outcome` of one message of `worker`; nil when the worker's AlertConfiguration does not ask
    /// for that priority (Starfleet's rule: configured ≥ message priority > 0).
    static func about(
        _ outcome: Outcome, worker: WorkerConfiguration, messageId: String, account: String?, region: String?,
        failure: WorkerFailure? = nil
    ) -> Alert? {
        guard let configured = worker.alert, configured.priority.sends(outcome.priority) else { return nil }
        let name = worker.name
        // The failure and, for a process worker, what it said last on stderr: usually the actual reason.
        let error = failure.map { f in
            [f.message, f.stderrTail.map { String($0.suffix(1000)) }].compactMap { $0 }.filter { !$0.isEmpty }
                .joined(separator: "\n")
        }
        let title: String
        var lines: [String] = []
        switch outcome {
        case .succeeded:
            title = "\(name) succeeded"
        case .failedWillRetry(let attempt, let max):
            title = "\(name) failed (attempt \(attempt) of \(max)); it will be retried"
        case .deadLettered(let attempts):
            title = "\(name) failed \(attempts) times; the message was dead-lettered"
        }
        lines.append("*Worker:* \(name)")
        lines.append("*Message:* `\(messageId)`")
        if let account { lines.append("*Account:* \(account)") }
        if let region { lines.append("*Region:* \(region)") }
        if let error, !error.isEmpty { lines.append("*Error:*\n```\(error.prefix(1500))```") }
        if case .deadLettered = outcome {
            lines.append(
                "Inspect it with `starfleetctl dlq show \(messageId) --worker \(name)`; "
                    + "redrive it with `starfleetctl dlq redrive \(messageId) --worker \(name)`.")
        }
        var alert = Alert(
            worker: name, channel: configured.channelId, priority: outcome.priority, title: title,
            body: lines.joined(separator: "\n"), messageId: messageId, account: account, region: region, error: error)
        if case .failedWillRetry = outcome { alert.isRetry = true }
        return alert
    }
}
