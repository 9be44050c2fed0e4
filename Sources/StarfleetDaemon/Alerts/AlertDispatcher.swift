package import Logging
import ServiceLifecycle
package import StarfleetAWS
package import StarfleetClock
package import StarfleetCore
package import StarfleetMetrics
import Synchronization

/// Delivers alerts off the workers' path. Each alert first passes the ``AlertGate`` (retries coalesced into one
/// summary per worker per window, at most ``AlertGate/Limits/perWindow`` alerts per worker per window, the rest
/// counted into that summary); a timer on the injected clock sends a summary when its window ends, and a stop
/// sends the pending ones. Then: `post` puts an alert in a small bounded buffer and returns at once (a
/// full buffer drops the alert and counts it), and the service's one loop posts them over HTTP with retries.
/// A failed delivery is logged and counted, never thrown at a worker. The target (webhook credential or
/// Starfleet's Slack secret) is resolved at the first alert after each configuration and kept.
///
/// It outlives configurations: each generation calls ``configure(_:)``. Listed before the Supervisor in the
/// service group, it stops after the workers have drained, delivering what is left with single attempts for at
/// most ``drainSeconds`` of the injected clock.
package final class AlertDispatcher: Service, Sendable {
    /// Alerts waiting for delivery at most; more are dropped and counted.
    let capacity: Int
    /// How long the stop may spend on alerts still buffered.
    static let drainSeconds = 5.0

    private struct State {
        var settings = AlertSettings.off
        /// Bumped by every configure, so a target resolved for an older configuration is not kept.
        var version = 0
        var target: (version: Int, target: AlertTarget?)?
        var draining = false
        var sent = 0
        var failed = 0
        var dropped = 0
        var gate: AlertGate
        /// Payloads whose worker sent alerts of its own while it ran (a warm worker's `context.alert`, Starfleet's
        /// send_alert through the Runtime API): their success gets no daemon SUCCESS alert on top. Bounded.
        var reportedWhileRunning: Set<String> = []
        /// Alerts held back into summaries: retries coalesced, others over the limit.
        var coalesced = 0
        var rateLimited = 0
        /// The flush timer, armed for `deadline` while a window holds something.
        var timer: (deadline: Double, task: Task<Void, Never>)?
        /// Keys of the alerts ``postOnce(_:key:)`` has queued.
        var posted: Set<String> = []
        /// Armed by ``close()``: when it fires, what is still buffered is dropped instead of delivered.
        var drainTimer: Task<Void, Never>?
        var drainExpired = false
    }

    private let state: Mutex<State>
    private let clock: any WallClock
    private let stream: AsyncStream<Alert>
    private let continuation: AsyncStream<Alert>.Continuation
    private let http: HTTPClient
    private let environment: [String: String]
    private let logger: Logger
    private let registry: MetricsRegistry?

    package init(
        environment: [String: String], logger: Logger, clock: any WallClock, registry: MetricsRegistry? = nil, capacity: Int = 32,
        http: HTTPClient? = nil, limits: AlertGate.Limits = .standard
    ) {
        self.capacity = capacity
        self.clock = clock
        self.state = Mutex(State(gate: AlertGate(limits: limits)))
        (stream, continuation) = AsyncStream.makeStream(of: Alert.self, bufferingPolicy: .bufferingOldest(capacity))
        var configuration = HTTPClient.Configuration()
        // One request at a time, 5 s each, one retry: a dead webhook costs ~10 s per alert at most, so the buffer
        // (not the workers) absorbs an outage, and a stop never waits long for the alert in flight.
        configuration.lanes = 1
        configuration.timeout = 5
        configuration.retry = RetryPolicy(maxAttempts: 2)
        self.http = http ?? HTTPClient(configuration: configuration, clock: clock, logger: logger)
        self.environment = environment
        self.logger = logger
        self.registry = registry
        registry?.declare(
            "starfleet_alerts_total", .counter,
            help: "Alerts by outcome: sent, failed (delivery refused or unreachable), dropped (buffer full or stopping), "
                + "coalesced (retries folded into a summary), rate_limited (over the per-worker limit, counted in a summary).")
    }

    /// Takes the alert settings of a (new) configuration; the target is resolved again at the next alert, so a
    /// reload picks up a rotated credential or secret.
    func configure(_ settings: AlertSettings) {
        state.withLock { s in
            s.settings = settings
            s.version += 1
            s.target = nil
        }
        // A missing credential is worth knowing at start, not at the first dead letter (the secret is not kept:
        // the next alert reads it again).
        if let name = settings.webhookCredential {
            do {
                _ = try SystemdCredentials(environment: environment).read(name)
            } catch {
                logger.warning("alerts cannot be delivered: \(error)")
            }
        }
    }

    /// Whether a configuration routes alerts anywhere.
    var isEnabled: Bool { state.withLock { $0.settings.isEnabled } }

    /// Queues an alert (nil: the worker's AlertPriority did not ask for it) through the gate. Never waits.
    func post(_ alert: Alert?) {
        guard let alert, isEnabled else { return }
        let now = clock.now().timeIntervalSince1970
        let (send, closed) = state.withLock { s in
            let decision = s.gate.admit(alert, at: now)
            if decision.send.last != alert {
                if alert.isRetry { s.coalesced += 1 } else { s.rateLimited += 1 }
            }
            return decision
        }
        if send.last != alert { count(alert.isRetry ? "coalesced" : "rate_limited") }
        report(closed)
        for alert in send { enqueue(alert) }
        armTimer()
    }

    /// Sends the summaries of the windows that have ended (the timer's job; tests may call it).
    func flushEndedWindows(everything: Bool = false) {
        let now = clock.now().timeIntervalSince1970
        let (send, closed) = state.withLock { s in
            s.timer = nil
            return s.gate.flush(at: now, everything: everything)
        }
        report(closed)
        for alert in send { enqueue(alert) }
        if !everything { armTimer() }
    }

    /// One log line per window that held anything back: what was coalesced and dropped, and the limit.
    private func report(_ closed: [AlertGate.Closed]) {
        let limits = state.withLock { $0.gate.limits }
        for window in closed {
            let line =
                "alerts held back for worker \(window.worker) in the last \(Int(limits.window)) s: \(window.tally.retries) retries coalesced, "
                + "\(window.tally.droppedTotal) dropped over the limit of \(limits.perWindow) per worker; one summary alert sent"
            logger.notice(
                "\(line)",
                metadata: [
                    "worker": "\(window.worker)", "coalesced": "\(window.tally.retries)",
                    "rate_limited": "\(window.tally.droppedTotal)",
                ])
        }
    }

    /// Arms the flush timer for the earliest window holding something, unless one is armed for then already.
    private func armTimer() {
        let clock = self.clock
        state.withLock { s in
            guard !s.draining, let deadline = s.gate.nextDeadline else { return }
            if let timer = s.timer, timer.deadline <= deadline { return }
            s.timer?.task.cancel()
            let delay = max(0, deadline - clock.now().timeIntervalSince1970)
            s.timer = (
                deadline,
                Task { [weak self] in
                    do { try await clock.sleep(seconds: delay) } catch { return }
                    self?.flushEndedWindows()
                }
            )
        }
    }

    /// Held back so far: retries coalesced into summaries, alerts over the per-worker limit.
    var heldBack: (coalesced: Int, rateLimited: Int) { state.withLock { ($0.coalesced, $0.rateLimited) } }

    private func enqueue(_ alert: Alert) {
        if case .dropped = continuation.yield(alert) {
            let dropped = state.withLock { s in
                s.dropped += 1
                return s.dropped
            }
            count("dropped")
            // One line for the first drop and every hundredth after: a flood must not flood the journal too.
            if dropped == 1 || dropped % 100 == 0 {
                logger.warning(
                    "alert dropped: \(capacity) alerts already wait for delivery",
                    metadata: [
                        "worker": "\(alert.worker)", "priority": "\(alert.priority.rawValue)", "dropped_total": "\(dropped)",
                    ])
            }
        }
    }

    /// Queues `alert` unless one with the same key was queued before by this process (a reload does not repeat it).
    /// While alerts are off nothing is marked, so a reload that turns them on still sends it.
    func postOnce(_ alert: Alert, key: String) {
        guard isEnabled, state.withLock({ $0.posted.insert(key).inserted }) else { return }
        post(alert)
    }

    /// Queues the alerts a worker's result asks for (see ``Alert/requested(byResult:worker:messageId:account:region:)``)
    /// and logs what was wrong with the others on the worker's logger. Returns how many the result asked for.
    @discardableResult
    package func postRequested(
        byResult result: [UInt8], worker: WorkerConfiguration, messageId: String, account: String?, region: String?, log: Logger
    ) -> Int {
        guard !result.isEmpty else { return 0 }
        let (alerts, problems) = Alert.requested(
            byResult: result, worker: worker, messageId: messageId, account: account, region: region)
        for problem in problems { log.warning("worker alert ignored: \(problem)") }
        for alert in alerts { post(alert) }
        return alerts.count
    }

    /// A success: the worker's own alerts when its result reports any (Starfleet's ships say what they did),
    /// else the daemon's SUCCESS alert when the worker's AlertPriority asks for SUCCESS.
    func postSuccess(
        result: [UInt8], worker: WorkerConfiguration, messageId: String, account: String?, region: String?, log: Logger
    ) {
        let reported = postRequested(
            byResult: result, worker: worker, messageId: messageId, account: account, region: region, log: log)
        let reportedWhileRunning = state.withLock { $0.reportedWhileRunning.remove(messageId) != nil }
        if reported == 0 && !reportedWhileRunning {
            post(.about(.succeeded, worker: worker, messageId: messageId, account: account, region: region))
        }
    }

    /// A running payload's worker sent an alert of its own: its success adds none of the daemon's.
    package func noteReported(messageId: String) {
        state.withLock { s in
            if s.reportedWhileRunning.count >= 4096 { s.reportedWhileRunning.removeAll() }
            s.reportedWhileRunning.insert(messageId)
        }
    }

    /// Whether the stop's ``drainSeconds`` have passed: what is still buffered is dropped.
    var drainExpired: Bool { state.withLock { $0.drainExpired } }

    /// Sent, failed and dropped so far.
    var counts: (sent: Int, failed: Int, dropped: Int) { state.withLock { ($0.sent, $0.failed, $0.dropped) } }

    /// Ends the stream: the loop delivers what is buffered (single attempts, bounded time) and returns.
    func close() {
        guard !state.withLock({ $0.draining }) else { return }
        // What the windows hold is summarised now, not lost with the timer.
        flushEndedWindows(everything: true)
        let clock = self.clock
        let (coalesced, rateLimited) = state.withLock { s in
            s.draining = true
            s.timer?.task.cancel()
            s.timer = nil
            s.drainTimer = Task { [weak self] in
                do { try await clock.sleep(seconds: Self.drainSeconds) } catch { return }
                self?.state.withLock { $0.drainExpired = true }
            }
            return (s.coalesced, s.rateLimited)
        }
        if coalesced + rateLimited > 0 {
            logger.notice(
                "alerts held back since start: \(coalesced) retries coalesced, \(rateLimited) over the per-worker limit")
        }
        continuation.finish()
    }

    func run() async {
        await withGracefulShutdownHandler {
            for await alert in stream {
                if drainExpired {
                    state.withLock { $0.dropped += 1 }
                    count("dropped")
                    continue
                }
                await deliver(alert)
            }
            state.withLock { $0.drainTimer }?.cancel()
            let (sent, failed, dropped) = counts
            if failed + dropped > 0 {
                logger.notice("alerts since start: \(sent) sent, \(failed) not delivered, \(dropped) dropped")
            }
        } onGracefulShutdown: {
            self.close()
        }
    }

    private func deliver(_ alert: Alert) async {
        let meta: Logger.Metadata = ["worker": "\(alert.worker)", "priority": "\(alert.priority.rawValue)"]
        guard let target = await target() else {
            record(sent: false)
            return
        }
        let single = state.withLock { $0.draining }
        do {
            let response = try await http.send(target.request(for: alert), retry: single ? RetryPolicy.none : nil)
            if let refusal = target.refusal(response) {
                record(sent: false)
                logger.warning("alert not delivered: \(refusal)", metadata: meta.merging(["target": "\(target)"]) { $1 })
            } else {
                record(sent: true)
                logger.debug("alert delivered", metadata: meta.merging(["target": "\(target)"]) { $1 })
            }
        } catch let error as HTTPError {
            record(sent: false)
            // Not error.description: its subject is the URL, and a webhook URL's path is the secret.
            logger.warning(
                "alert not delivered: \(error.code) after \(error.attempts) attempt(s); \(error.hint)",
                metadata: meta.merging(["target": "\(target)"]) { $1 })
        } catch {
            record(sent: false)
            logger.warning("alert not delivered: \(error)", metadata: meta)
        }
    }

    /// The target for the current configuration, resolving it once; nil (logged) when it cannot be found.
    private func target() async -> AlertTarget? {
        let (settings, version, cached) = state.withLock { ($0.settings, $0.version, $0.target) }
        if let cached, cached.version == version { return cached.target }
        do {
            let target = try await settings.resolveTarget(environment: environment, http: http)
            state.withLock { s in if s.version == version { s.target = (version, target) } }
            if let target { logger.info("alerts go to \(target)") }
            return target
        } catch {
            // Left unresolved: the next alert tries again (a credential or secret may be fixed meanwhile).
            logger.warning("alerts cannot be delivered: \(error)")
            return nil
        }
    }

    private func record(sent: Bool) {
        state.withLock { s in if sent { s.sent += 1 } else { s.failed += 1 } }
        count(sent ? "sent" : "failed")
    }

    private func count(_ outcome: String) {
        registry?.increment("starfleet_alerts_total", ["outcome": outcome])
    }
}
