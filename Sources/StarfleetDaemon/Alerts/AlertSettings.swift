import FoundationEssentials
import StarfleetAWS
import StarfleetCore

/// The configuration's say on where alerts go: `STARFLEET.AlertWebhookCredential` (a systemd credential holding a
/// webhook URL) first, else Starfleet's own route, `SlackEnabled` with the `SecretsManager` secret's
/// `STARFLEET.SlackToken` (or `STARFLEET.SlackWebhookUrl`). Neither: alerts are off.
struct AlertSettings: Sendable, Equatable {
    var webhookCredential: String?
    var secretsManager: SecretsManagerLocation?
    var slackEnabled: Bool

    init(webhookCredential: String? = nil, secretsManager: SecretsManagerLocation? = nil, slackEnabled: Bool = false) {
        self.webhookCredential = webhookCredential
        self.secretsManager = secretsManager
        self.slackEnabled = slackEnabled
    }

    init(_ settings: StarfleetSettings) {
        self.init(
            webhookCredential: settings.alertWebhookCredential, secretsManager: settings.secretsManager,
            slackEnabled: settings.slackEnabled)
    }

    static let off = AlertSettings()

    var isEnabled: Bool { webhookCredential != nil || (slackEnabled && secretsManager != nil) }

    /// Finds the target: reads the credential, or fetches Starfleet's secret (GetSecretValue in SecretRegion).
    /// Errors say what is missing and never contain the secret.
    func resolveTarget(environment: [String: String], http: HTTPClient) async throws -> AlertTarget? {
        if let name = webhookCredential {
            let url = try SystemdCredentials(environment: environment).read(name)
            guard AWSEndpoint(url: url) != nil else {
                throw CredentialError("credential \(name) does not hold an http(s) URL; put the webhook URL alone in the file")
            }
            return .webhook(url: url)
        }
        guard slackEnabled, let location = secretsManager else { return nil }
        let client = SecretsManagerClient(
            http: http, credentials: CredentialsChain(environment: environment, http: http),
            region: location.secretRegion,
            endpoint: AWSEndpoint.resolve(service: "secretsmanager", region: location.secretRegion, environment: environment))
        let document = try await client.secretString(secretId: location.secretId)
        return try Self.slackTarget(fromSecret: document, secretId: location.secretId, environment: environment)
    }

    /// Starfleet's secret layout: `{"STARFLEET": {"SlackToken": "xoxb-…"}, "<Worker>": …}`; starfleetd also takes
    /// `SlackWebhookUrl` there. `STARFLEET_SLACK_API_URL` replaces Slack's API URL (tests, proxies).
    static func slackTarget(fromSecret document: String, secretId: String, environment: [String: String]) throws -> AlertTarget {
        struct Secret: Decodable {
            struct Starfleet: Decodable {
                let SlackToken: String?
                let SlackWebhookUrl: String?
            }
            let STARFLEET: Starfleet?
        }
        guard let secret = try? JSONDecoder().decode(Secret.self, from: Data(document.utf8)) else {
            throw CredentialError(
                "secret \(secretId) is not a JSON object; Starfleet's layout is {\"STARFLEET\": {\"SlackToken\": \"xoxb-…\"}}")
        }
        if let url = secret.STARFLEET?.SlackWebhookUrl, !url.isEmpty { return .webhook(url: url) }
        guard let token = secret.STARFLEET?.SlackToken, !token.isEmpty else {
            throw CredentialError(
                "secret \(secretId) has no STARFLEET.SlackToken (or STARFLEET.SlackWebhookUrl); Slack alerts are off")
        }
        let api = environment[EnvironmentName.slackAPIURL].flatMap { $0.isEmpty ? nil : $0 } ?? AlertTarget.slackPostMessageURL
        return .slackAPI(token: token, url: api)
    }
}
