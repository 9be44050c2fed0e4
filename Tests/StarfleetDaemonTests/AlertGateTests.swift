import Foundation
import StarfleetClock
import StarfleetCore
import StarfleetMetrics
import StarfleetTestSupport
import StarfleetWorkerKit
import StarfleetWorkers
import Testing

@testable import StarfleetDaemon

/// A fan-out of thousands of payloads must not mean thousands of posts: retries are coalesced into one summary
/// per worker per window, other alerts are limited per worker per window, and what was held back is counted,
/// logged and summarised. Times are explicit or a ManualClock's; nothing sleeps.
@Suite struct AlertGateTests {
    static func alert(_ worker: String, _ outcome: Alert.Outcome, _ id: String, priority: AlertPriority = .informational) -> Alert
    {
        let configuration = AlertConfiguration(channelId: "chan", priority: priority)
        var alert = Alert(
            worker: worker, channel: configuration.channelId, priority: outcome.priority, title: "\(id)", body: "",
            messageId: id, account: nil, region: nil, error: "boom \(id)")
        if case .failedWillRetry = outcome { alert.isRetry = true }
        return alert
    }

    @Test func retriesAreCoalescedIntoOneSummaryPerWindow() {
        var gate = AlertGate(limits: .standard)
        for i in 0..<500 {
            #expect(gate.admit(Self.alert("W", .failedWillRetry(attempt: 1, of: 4), "m\(i)"), at: Double(i) * 0.1).send.isEmpty)
        }
        #expect(gate.nextDeadline == 300)
        #expect(gate.flush(at: 299.9).send.isEmpty)
        let (send, closed) = gate.flush(at: 300)
        #expect(send.count == 1)
        let summary = send[0]
        #expect(summary.priority == .important)
        #expect(summary.title == "W: 500 failed attempts to be retried in the last 5 min")
        #expect(summary.body.contains("`m0`, `m1`, `m2`, `m3`, `m4`, …"))
        #expect(summary.body.contains("boom m499"))
        #expect(closed == [AlertGate.Closed(worker: "W", tally: closed[0].tally)] && closed[0].tally.retries == 500)
        #expect(gate.nextDeadline == nil)
    }

    @Test func otherAlertsAreLimitedPerWorkerAndTheRestSummarised() {
        var gate = AlertGate(limits: .standard)
        var sent: [String] = []
        for i in 0..<1_000 {
            sent += gate.admit(Self.alert("A", .succeeded, "a\(i)"), at: 1).send.map(\.title)
            sent += gate.admit(Self.alert("B", .deadLettered(attempts: 4), "b\(i)"), at: 1).send.map(\.title)
        }
        // Ten per worker: one worker's flood does not use another's allowance.
        #expect(sent.filter { $0.hasPrefix("a") }.count == 10)
        #expect(sent.filter { $0.hasPrefix("b") }.count == 10)
        let (send, closed) = gate.flush(at: 301)
        #expect(
            send.map(\.title) == [
                "A: 990 more alerts over the limit in the last 5 min",
                "B: 990 more alerts over the limit in the last 5 min",
            ])
        #expect(send.map(\.priority) == [.success, .problem])
        #expect(send[1].body.contains("*Not sent:* 990 PROBLEM (over 10 alerts per worker per 5 min"))
        #expect(closed.map(\.tally.droppedTotal) == [990, 990])
        // A new window: ten more may go.
        #expect(gate.admit(Self.alert("A", .succeeded, "later"), at: 302).send.map(\.title) == ["later"])
    }

    @Test func aNewWindowSendsTheLastOnesSummaryFirst() {
        var gate = AlertGate(limits: AlertGate.Limits(window: 60, perWindow: 1))
        #expect(gate.admit(Self.alert("W", .failedWillRetry(attempt: 1, of: 4), "r"), at: 0).send.isEmpty)
        #expect(gate.admit(Self.alert("W", .deadLettered(attempts: 4), "d1"), at: 1).send.map(\.title) == ["d1"])
        #expect(gate.admit(Self.alert("W", .deadLettered(attempts: 4), "d2"), at: 2).send.isEmpty)
        let next = gate.admit(Self.alert("W", .deadLettered(attempts: 4), "d3"), at: 61).send
        #expect(next.map(\.title) == ["W: 1 failed attempt to be retried, 1 more alert over the limit in the last 1 min", "d3"])
        // The summary is as severe as the worst it holds.
        #expect(next.first?.priority == .problem)
    }

    /// The dispatcher's timer flushes an ended window on the injected clock; the counts are logged and counted.
    @Test func theDispatcherSummarisesOnItsClockAndLogsTheCounts() async throws {
        let workers = try AlertDispatcherTests.workers()
        try await WebhookRecorder.with { server in
            let credentials = try AlertDispatcherTests.credentials(url: server.baseURL + "/hook")
            defer { try? FileManager.default.removeItem(atPath: credentials) }
            let clock = ManualClock()
            let logs = CapturedLogs()
            let registry = MetricsRegistry()
            let alerts = AlertDispatcher(
                environment: ["CREDENTIALS_DIRECTORY": credentials], logger: logs.logger, clock: clock,
                registry: registry)
            alerts.configure(AlertSettings(webhookCredential: "alert-webhook"))
            let running = Task { await alerts.run() }
            let worker = try #require(workers["WINFORMATIONAL"])
            for i in 0..<200 {
                alerts.post(
                    .about(
                        .failedWillRetry(attempt: 1, of: 4), worker: worker, messageId: "r\(i)", account: nil, region: nil,
                        failure: WorkerFailure("exit 1")))
                alerts.post(.about(.succeeded, worker: worker, messageId: "s\(i)", account: nil, region: nil))
            }
            #expect(alerts.heldBack.coalesced == 200 && alerts.heldBack.rateLimited == 190)
            #expect(registry.value("starfleet_alerts_total", ["outcome": "coalesced"]) == 200)
            #expect(registry.value("starfleet_alerts_total", ["outcome": "rate_limited"]) == 190)
            try await clock.waitForSleepers(1)
            clock.advance(by: 300)
            // The summary is delivered without a stop: wait (bounded) for the webhook to see 11 posts.
            let deadline = ContinuousClock.now + .seconds(20)
            while server.requests().count < 11, ContinuousClock.now < deadline { try await Task.sleep(nanoseconds: 1_000_000) }
            let titles = server.requests().map { $0.fields["title"] as? String ?? "?" }
            #expect(titles.count == 11)
            #expect(
                titles.last
                    == "WINFORMATIONAL: 200 failed attempts to be retried, 190 more alerts over the limit in the last 5 min")
            #expect(
                logs.text.contains(
                    "alerts held back for worker WINFORMATIONAL in the last 300 s: 200 retries coalesced, 190 dropped over the limit of 10 per worker"
                ))
            alerts.close()
            await running.value
            #expect(server.requests().count == 11)
        }
    }

    /// What a window holds when the daemon stops is summarised, not lost.
    @Test func aStopSendsThePendingSummaries() async throws {
        let workers = try AlertDispatcherTests.workers()
        try await WebhookRecorder.with { server in
            let credentials = try AlertDispatcherTests.credentials(url: server.baseURL + "/hook")
            defer { try? FileManager.default.removeItem(atPath: credentials) }
            let alerts = AlertDispatcher(
                environment: ["CREDENTIALS_DIRECTORY": credentials], logger: CapturedLogs().logger, clock: ManualClock())
            alerts.configure(AlertSettings(webhookCredential: "alert-webhook"))
            let running = Task { await alerts.run() }
            alerts.post(
                .about(
                    .failedWillRetry(attempt: 2, of: 4), worker: workers["WIMPORTANT"]!, messageId: "m", account: nil, region: nil
                ))
            alerts.close()
            await running.value
            #expect(
                server.requests().map { $0.fields["title"] as? String } == [
                    "WIMPORTANT: 1 failed attempt to be retried in the last 5 min"
                ])
        }
    }

    /// A worker that reports its own alerts gets those, not the daemon's generic SUCCESS on top.
    @Test func aWorkersOwnReportReplacesTheGenericSuccess() async throws {
        let workers = try AlertDispatcherTests.workers()
        try await WebhookRecorder.with { server in
            let credentials = try AlertDispatcherTests.credentials(url: server.baseURL + "/hook")
            defer { try? FileManager.default.removeItem(atPath: credentials) }
            let alerts = AlertDispatcher(
                environment: ["CREDENTIALS_DIRECTORY": credentials], logger: CapturedLogs().logger, clock: ManualClock())
            alerts.configure(AlertSettings(webhookCredential: "alert-webhook"))
            let running = Task { await alerts.run() }
            let logger = CapturedLogs().logger
            alerts.postSuccess(
                result: Array(#"{"starfleet_alerts": [{"priority": "SUCCESS", "title": "3 roles changed"}]}"#.utf8),
                worker: workers["WSUCCESS"]!, messageId: "m1", account: nil, region: nil, log: logger)
            alerts.postSuccess(
                result: Array("{}".utf8), worker: workers["WSUCCESS"]!, messageId: "m2", account: nil, region: nil, log: logger)
            alerts.postSuccess(
                result: [], worker: workers["WIMPORTANT"]!, messageId: "m3", account: nil, region: nil, log: logger)
            alerts.close()
            await running.value
            #expect(server.requests().map { $0.fields["title"] as? String } == ["3 roles changed", "WSUCCESS succeeded"])
        }
    }
}
