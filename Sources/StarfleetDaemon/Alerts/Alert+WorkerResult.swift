import FoundationEssentials
import StarfleetCore

extension Alert {
    /// At most this many alerts are taken from one result.
    static let maxAlertsPerResult = 10

    /// The alerts a worker sends itself (Starfleet's `send_alert(priority, title, body)`, which its workers call when
    /// they commit or find changes): a successful result that is a JSON object with
    /// `"starfleet_alerts": [{"priority": "IMPORTANT", "title": "…", "body": "…"}]`. Each is sent when the worker's
    /// AlertPriority asks for it. Returns the alerts and, for the log, what was wrong with the rest.
    static func requested(
        byResult result: [UInt8], worker: WorkerConfiguration, messageId: String, account: String?, region: String?
    ) -> (alerts: [Alert], problems: [String]) {
        struct Result: Decodable {
            struct Item: Decodable {
                let priority: String
                let title: String
                let body: String?
            }
            let starfleet_alerts: [Item]?
        }
        // Cheap test first: most results carry no alerts and need no second parse.
        guard result.count < 1 << 20, String(decoding: result, as: UTF8.self).contains("\"starfleet_alerts\"") else {
            return ([], [])
        }
        guard let items = (try? JSONDecoder().decode(Result.self, from: Data(result)))?.starfleet_alerts else {
            return ([], ["starfleet_alerts in the result is not a list of {priority, title, body}"])
        }
        var alerts: [Alert] = []
        var problems: [String] = []
        if items.count > maxAlertsPerResult {
            problems.append("the result asks for \(items.count) alerts; only the first \(maxAlertsPerResult) are sent")
        }
        for item in items.prefix(maxAlertsPerResult) {
            guard let priority = AlertPriority(rawValue: item.priority), priority != .none else {
                problems.append(
                    "alert \"\(item.title.prefix(80))\" has priority \"\(item.priority)\"; "
                        + "expected PROBLEM, IMPORTANT, SUCCESS or INFORMATIONAL")
                continue
            }
            guard let configured = worker.alert, configured.priority.sends(priority) else { continue }
            alerts.append(
                Alert(
                    worker: worker.name, channel: configured.channelId, priority: priority, title: String(item.title.prefix(150)),
                    body: String((item.body ?? "").prefix(3000)), messageId: messageId, account: account, region: region,
                    error: nil))
        }
        return (alerts, problems)
    }
}
