import StarfleetCore
import StarfleetQueue

extension Alert {
    /// The PROBLEM alert (Starfleet's highest priority) for a queue whose recovery lost messages. Sent whatever the
    /// worker's AlertPriority, since it concerns the daemon's own durability; to the worker's channel when the queue
    /// is a worker's and that worker has one, else to the first of the configured alert channels in sorted order.
    static func degraded(queue: String, record: DegradedRecord, workers: [WorkerConfiguration]) -> Alert {
        let channel =
            workers.first { $0.name == queue }?.alert?.channelId
            ?? workers.compactMap(\.alert?.channelId).sorted().first ?? ""
        var lines = [
            "*Queue:* \(queue)",
            "*Lost:* \(record.summary)",
            "Recovery went on with the segments that exist; the messages in the missing or quarantined ones are not in the queue.",
        ]
        if !record.quarantineFiles.isEmpty {
            lines.append("*Quarantine:* " + record.quarantineFiles.prefix(10).map { "`\($0)`" }.joined(separator: ", "))
        }
        lines.append("Once dealt with, acknowledge it with `starfleetctl queue acknowledge \(queue)`.")
        return Alert(
            worker: queue, channel: channel, priority: .problem, title: "queue \(queue) is degraded: \(record.summary)",
            body: lines.joined(separator: "\n"), error: record.summary)
    }
}
