import Foundation
import Logging
import StarfleetAWS
import StarfleetClock
import StarfleetCore
import StarfleetMetrics
import StarfleetTestSupport
import StarfleetWorkerKit
import StarfleetWorkers
import StarfleetYAML
import Synchronization
import Testing

@testable import StarfleetDaemon

/// Alerts end to end against a local webhook: Starfleet's priority rule decides what is sent, delivery is bounded
/// and never throws at the worker, and the webhook URL (a secret) never reaches the logs.
@Suite struct AlertDispatcherTests {
    /// Workers at each AlertPriority, loaded through the real configuration reader.
    static func workers() throws -> [String: WorkerConfiguration] {
        let dir = NSTemporaryDirectory() + "alerts-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var yaml = "STARFLEET: {TemplateDirectory: templates, AlertWebhookCredential: alert-webhook}\n"
        for priority in AlertPriority.allCases {
            yaml +=
                "W\(priority.rawValue): {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: W\(priority.rawValue)/, "
                + "InvocationSources: [S3], AlertConfiguration: {ChannelId: chan-\(priority.rawValue), AlertPriority: \(priority.rawValue)}}\n"
        }
        yaml +=
            "Silent: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: Silent/, InvocationSources: [S3]}\n"
        try yaml.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        let (loaded, diagnostics) = ConfigurationDirectory.load(dir)
        let configuration = try #require(loaded, "\(diagnostics)")
        #expect(configuration.starfleet.alertWebhookCredential == "alert-webhook")
        return Dictionary(uniqueKeysWithValues: configuration.workers.map { ($0.name, $0) })
    }

    /// A credentials directory holding the webhook URL, as systemd's LoadCredential= makes it.
    static func credentials(url: String) throws -> String {
        let dir = NSTemporaryDirectory() + "creds-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try (url + "\n").write(toFile: dir + "/alert-webhook", atomically: true, encoding: .utf8)
        return dir
    }

    static let outcomes: [Alert.Outcome] = [.succeeded, .failedWillRetry(attempt: 1, of: 4), .deadLettered(attempts: 4)]

    @Test func starfleetsPriorityRuleChoosesTheAlerts() throws {
        let workers = try Self.workers()
        func sent(_ name: String) -> [AlertPriority] {
            Self.outcomes.compactMap { outcome in
                Alert.about(outcome, worker: workers[name]!, messageId: "m", account: nil, region: nil)?.priority
            }
        }
        #expect(sent("WNONE") == [])
        #expect(sent("Silent") == [])
        #expect(sent("WPROBLEM") == [.problem])
        #expect(sent("WIMPORTANT") == [.important, .problem])
        #expect(sent("WSUCCESS") == [.success, .important, .problem])
        #expect(sent("WINFORMATIONAL") == [.success, .important, .problem])
    }

    @Test func aWorkersOwnAlertsFollowTheSameRule() throws {
        let workers = try Self.workers()
        let result = Array(
            #"""
            {"changed": 3, "starfleet_alerts": [
              {"priority": "IMPORTANT", "title": "3 roles changed", "body": "*roles:* a, b, c"},
              {"priority": "SUCCESS", "title": "committed"},
              {"priority": "LOUD", "title": "bad"},
              {"priority": "NONE", "title": "never"}]}
            """#.utf8)
        let (important, problems) = Alert.requested(
            byResult: result, worker: workers["WIMPORTANT"]!, messageId: "m", account: "1", region: nil)
        #expect(important.map(\.title) == ["3 roles changed"])
        #expect(important.first?.body == "*roles:* a, b, c" && important.first?.channel == "chan-IMPORTANT")
        #expect(problems.count == 2, "\(problems)")
        let all = Alert.requested(byResult: result, worker: workers["WINFORMATIONAL"]!, messageId: "m", account: nil, region: nil)
            .alerts
        #expect(all.map(\.priority) == [.important, .success])
        #expect(
            Alert.requested(byResult: result, worker: workers["Silent"]!, messageId: "m", account: nil, region: nil).alerts
                .isEmpty)
        #expect(
            Alert.requested(
                byResult: Array("not json".utf8), worker: workers["WINFORMATIONAL"]!, messageId: "m", account: nil, region: nil
            ).alerts.isEmpty)
        let malformed = Alert.requested(
            byResult: Array(#"{"starfleet_alerts": "x"}"#.utf8), worker: workers["WINFORMATIONAL"]!,
            messageId: "m", account: nil, region: nil)
        #expect(malformed.alerts.isEmpty && malformed.problems.count == 1)
    }

    @Test func theWebhookSeesExactlyTheAllowedAlerts() async throws {
        let workers = try Self.workers()
        try await WebhookRecorder.with { server in
            let secretPath = "/hook/T0001/B0002/s3cr3t-\(UUID().uuidString)"
            let credentials = try Self.credentials(url: server.baseURL + secretPath)
            defer { try? FileManager.default.removeItem(atPath: credentials) }
            let captured = CapturedLogs()
            let registry = MetricsRegistry()
            let alerts = AlertDispatcher(
                environment: ["CREDENTIALS_DIRECTORY": credentials], logger: captured.logger, clock: ManualClock(),
                registry: registry)
            alerts.configure(AlertSettings(webhookCredential: "alert-webhook"))
            let running = Task { await alerts.run() }
            for name in workers.keys.sorted() {
                for outcome in Self.outcomes {
                    alerts.post(
                        .about(
                            outcome, worker: workers[name]!, messageId: "msg-\(name)", account: "111122223333",
                            region: "us-east-1",
                            failure: WorkerFailure("exited with status 2", stderrTail: "simulated failure\n")))
                }
            }
            alerts.close()
            await running.value

            let requests = server.requests()
            let seen = requests.map { "\($0.fields["worker"] ?? "?") \($0.fields["priority"] ?? "?")" }
            #expect(
                seen.sorted() == [
                    "WIMPORTANT IMPORTANT", "WIMPORTANT PROBLEM",
                    "WINFORMATIONAL IMPORTANT", "WINFORMATIONAL PROBLEM", "WINFORMATIONAL SUCCESS",
                    "WPROBLEM PROBLEM",
                    "WSUCCESS IMPORTANT", "WSUCCESS PROBLEM", "WSUCCESS SUCCESS",
                ])
            #expect(requests.allSatisfy { $0.path == secretPath })
            let problem = try #require(requests.first { $0.fields["worker"] as? String == "WPROBLEM" })
            #expect(problem.json["channel"] as? String == "chan-PROBLEM")
            #expect(problem.json["text"] as? String == "🚨  WPROBLEM failed 4 times; the message was dead-lettered")
            #expect(problem.fields["messageId"] as? String == "msg-WPROBLEM")
            #expect(problem.fields["account"] as? String == "111122223333")
            #expect(problem.fields["region"] as? String == "us-east-1")
            #expect(problem.fields["error"] as? String == "exited with status 2\nsimulated failure\n")
            let blocks = problem.json["blocks"] as? [[String: Any]] ?? []
            #expect(blocks.map { $0["type"] as? String } == ["header", "section"])
            #expect(alerts.counts.sent == 9 && alerts.counts.failed == 0 && alerts.counts.dropped == 0)
            #expect(registry.value("starfleet_alerts_total", ["outcome": "sent"]) == 9)
            #expect(!captured.text.contains("s3cr3t"), "the webhook URL reached the logs")
            #expect(captured.text.contains("alerts go to webhook on 127.0.0.1:\(server.port)"))
        }
    }

    @Test func aFullBufferDropsAndCountsInsteadOfWaiting() async throws {
        let workers = try Self.workers()
        try await WebhookRecorder.with { server in
            let credentials = try Self.credentials(url: server.baseURL + "/hook")
            defer { try? FileManager.default.removeItem(atPath: credentials) }
            // A limit above the burst: this test is about the buffer, not the per-worker limit.
            let alerts = AlertDispatcher(
                environment: ["CREDENTIALS_DIRECTORY": credentials], logger: CapturedLogs().logger, clock: ManualClock(),
                capacity: 3,
                limits: AlertGate.Limits(window: 300, perWindow: 1_000))
            alerts.configure(AlertSettings(webhookCredential: "alert-webhook"))
            let started = ContinuousClock.now
            for i in 0..<50 {
                alerts.post(
                    .about(
                        .deadLettered(attempts: 4), worker: workers["WPROBLEM"]!, messageId: "m\(i)", account: nil, region: nil))
            }
            // Nothing consumes yet: posting returned at once (a generous bound: this proves no wait, not speed).
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(alerts.counts.dropped == 47)
            let running = Task { await alerts.run() }
            alerts.close()
            await running.value
            #expect(server.requests().map { $0.fields["messageId"] as? String } == ["m0", "m1", "m2"])
            #expect(alerts.counts.sent == 3)
        }
    }

    @Test func theStopDeliversForDrainSecondsOfTheClockThenDrops() async throws {
        let workers = try Self.workers()
        for (elapsed, delivered) in [(AlertDispatcher.drainSeconds - 0.5, true), (AlertDispatcher.drainSeconds, false)] {
            let clock = ManualClock()
            // No credentials directory: each delivery fails at once (counted as failed) without any HTTP.
            let alerts = AlertDispatcher(
                environment: [:], logger: .quiet, clock: clock, limits: AlertGate.Limits(window: 300, perWindow: 1_000))
            alerts.configure(AlertSettings(webhookCredential: "alert-webhook"))
            for i in 0..<3 {
                alerts.post(
                    .about(
                        .deadLettered(attempts: 4), worker: workers["WPROBLEM"]!, messageId: "m\(i)", account: nil, region: nil))
            }
            alerts.close()
            // The drain deadline is a timer on the clock, armed by the stop.
            try await clock.waitForSleepers(1)
            clock.advance(by: elapsed)
            if !delivered {
                // The woken timer marks the deadline from its own task.
                while !alerts.drainExpired { await Task.yield() }
            }
            #expect(alerts.drainExpired == !delivered)
            await alerts.run()
            if delivered {
                #expect(alerts.counts.failed == 3 && alerts.counts.dropped == 0, "\(alerts.counts)")
            } else {
                #expect(alerts.counts.dropped == 3 && alerts.counts.failed == 0, "\(alerts.counts)")
            }
        }
    }

    @Test func refusedAndUnreachableDeliveriesAreLoggedAndCounted() async throws {
        let workers = try Self.workers()
        try await WebhookRecorder.with { server in
            let captured = CapturedLogs()
            for (url, reason) in [(server.baseURL + "/fail/s3cr3t", "HTTP 500"), ("http://127.0.0.1:1/s3cr3t", "network")] {
                let credentials = try Self.credentials(url: url)
                defer { try? FileManager.default.removeItem(atPath: credentials) }
                // The real clock on purpose: a delivery made before the close retries after a real backoff.
                let alerts = AlertDispatcher(
                    environment: ["CREDENTIALS_DIRECTORY": credentials], logger: captured.logger,
                    clock: SystemWallClock())
                alerts.configure(AlertSettings(webhookCredential: "alert-webhook"))
                let running = Task { await alerts.run() }
                alerts.post(
                    .about(.deadLettered(attempts: 4), worker: workers["WPROBLEM"]!, messageId: "m", account: nil, region: nil))
                alerts.close()
                await running.value
                #expect(alerts.counts.failed == 1 && alerts.counts.sent == 0)
                #expect(captured.text.contains("alert not delivered: \(reason)"))
            }
            #expect(!captured.text.contains("s3cr3t"), "the webhook URL reached the logs")
        }
    }

    @Test func slackAPIRefusalIsAFailureAndTheTokenIsSent() async throws {
        let workers = try Self.workers()
        try await WebhookRecorder.with { server in
            for (path, sent) in [("/api/chat.postMessage", 1), ("/refuse/chat.postMessage", 0)] {
                let target = AlertTarget.slackAPI(token: "xoxb-test-token", url: server.baseURL + path)
                let alert = try #require(
                    Alert.about(.succeeded, worker: workers["WSUCCESS"]!, messageId: "m", account: nil, region: nil))
                let response = try await HTTPClient(logger: Logger(label: "test")).send(target.request(for: alert))
                #expect((target.refusal(response) == nil ? 1 : 0) == sent)
            }
            let first = try #require(server.requests().first)
            #expect(first.headers["Authorization"] == "Bearer xoxb-test-token")
            #expect(first.json["text"] as? String == "✅  WSUCCESS succeeded")
        }
    }

    @Test func starfleetsSecretLayoutGivesTheSlackTarget() throws {
        let token = #"{"STARFLEET": {"SlackToken": "xoxb-1"}, "GitHubSyncWorker": {"org": "pem"}}"#
        #expect(
            try AlertSettings.slackTarget(fromSecret: token, secretId: "s", environment: [:])
                == .slackAPI(token: "xoxb-1", url: "https://slack.com/api/chat.postMessage"))
        #expect(
            try AlertSettings.slackTarget(
                fromSecret: token, secretId: "s", environment: ["STARFLEET_SLACK_API_URL": "http://127.0.0.1:9/x"])
                == .slackAPI(token: "xoxb-1", url: "http://127.0.0.1:9/x"))
        let hook = #"{"STARFLEET": {"SlackWebhookUrl": "https://hooks.slack.com/services/T/B/x"}}"#
        #expect(
            try AlertSettings.slackTarget(fromSecret: hook, secretId: "s", environment: [:])
                == .webhook(url: "https://hooks.slack.com/services/T/B/x"))
        #expect(throws: CredentialError.self) {
            try AlertSettings.slackTarget(fromSecret: #"{"STARFLEET": {}}"#, secretId: "s", environment: [:])
        }
        #expect(throws: CredentialError.self) {
            try AlertSettings.slackTarget(fromSecret: "xoxb-not-json", secretId: "s", environment: [:])
        }
        #expect(
            AlertTarget.slackAPI(token: "xoxb-1", url: "https://slack.com/api/chat.postMessage").description
                == "Slack chat.postMessage on slack.com")
    }

    @Test func credentialErrorsNameTheCredentialNotItsContent() throws {
        let missing = SystemdCredentials(environment: [:])
        #expect(throws: CredentialError.self) { try missing.read("alert-webhook") }
        let dir = try Self.credentials(url: "not a url s3cr3t")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try SystemdCredentials(environment: ["CREDENTIALS_DIRECTORY": dir]).read("alert-webhook") == "not a url s3cr3t")
        #expect(throws: CredentialError.self) {
            try SystemdCredentials(environment: ["CREDENTIALS_DIRECTORY": dir]).read("other")
        }
    }
}
