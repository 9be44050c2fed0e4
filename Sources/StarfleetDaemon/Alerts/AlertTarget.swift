import FoundationEssentials
import StarfleetAWS

/// Where alerts go: a webhook (a Slack incoming webhook or any URL that takes a JSON POST) or Slack's
/// `chat.postMessage` with Starfleet's bot token. Both URLs and the token are secrets: `description` names only
/// the kind and host, so a target can be logged.
enum AlertTarget: Sendable, Equatable, CustomStringConvertible {
    case webhook(url: String)
    case slackAPI(token: String, url: String)

    /// Slack's Web API method Starfleet calls.
    static let slackPostMessageURL = "https://slack.com/api/chat.postMessage"

    var description: String {
        switch self {
        case .webhook(let url): return "webhook on \(Self.host(of: url))"
        case .slackAPI(_, let url): return "Slack chat.postMessage on \(Self.host(of: url))"
        }
    }

    static func host(of url: String) -> String { AWSEndpoint(url: url)?.host ?? "an unparsable URL" }

    /// The POST for one alert: Starfleet's Slack message (a header block `emoji  title`, a mrkdwn section,
    /// `text` = the header for notifications) plus a `starfleet` object with the fields for non-Slack receivers.
    func request(for alert: Alert) -> HTTPRequest {
        let message = AlertMessage(alert)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(message)).map { [UInt8]($0) } ?? []
        switch self {
        case .webhook(let url):
            return HTTPRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: body)
        case .slackAPI(let token, let url):
            return HTTPRequest(
                method: "POST", url: url,
                headers: [("Content-Type", "application/json; charset=utf-8"), ("Authorization", "Bearer \(token)")],
                body: body)
        }
    }

    /// Why a response means the alert was not posted, or nil when it was. Slack's Web API answers 200 with
    /// `{"ok": false, "error": …}` for refusals; webhooks use the status.
    func refusal(_ response: HTTPResponse) -> String? {
        guard response.isSuccess else {
            let text = ResponseExcerpt.make(response.body)
            return "HTTP \(response.status)" + (text.isEmpty ? "" : " (\(text))")
        }
        guard case .slackAPI = self else { return nil }
        struct Reply: Decodable {
            let ok: Bool
            let error: String?
        }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: Data(response.body)) else {
            return "Slack answered with a body that is not its JSON reply"
        }
        return reply.ok ? nil : "Slack refused the message: \(reply.error ?? "no reason given")"
    }
}

/// The JSON posted for an alert.
struct AlertMessage: Encodable, Equatable {
    struct Text: Encodable, Equatable {
        let type: String
        let text: String
    }
    struct Block: Encodable, Equatable {
        let type: String
        let text: Text
    }
    let channel: String
    let text: String
    let blocks: [Block]
    /// The alert's fields (worker, priority, title, messageId, account, region, error).
    let starfleet: Alert

    init(_ alert: Alert) {
        channel = alert.channel
        text = alert.headline
        blocks = [
            Block(type: "header", text: Text(type: "plain_text", text: alert.headline)),
            Block(type: "section", text: Text(type: "mrkdwn", text: alert.body)),
        ]
        starfleet = alert
    }
}
