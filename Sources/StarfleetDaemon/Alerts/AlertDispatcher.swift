import Logging
import ServiceLifecycle
import StarfleetAWS
import StarfleetCore
import StarfleetMetrics
import Synchronization

/// Delivers alerts off the workers' path: `post` puts an alert in a small bounded buffer and returns at once (a
/// full buffer drops the alert and counts it), and the service's one loop posts them over HTTP with retries.
/// A failed delivery is logged and counted, never thrown at a worker. The target (webhook credential or
/// Starfleet's Slack secret) is resolved at the first alert after each configuration and kept.
///
/// It outlives configurations: each generation calls ``configure(_:)``. Listed before the Supervisor in the
/// service group, it stops after the workers have drained, delivering what is left with single attempts for at
/// most ``drainSeconds``.
final class AlertDispatcher: Service, Sendable {
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
        /// Keys of the alerts ``postOnce(_:key:)`` has queued.
        var posted: Set<String> = []
    }

    private let state = Mutex(State())
    private let stream: AsyncStream<Alert>
    private let continuation: AsyncStream<Alert>.Continuation
    private let http: HTTPClient
    private let environment: [String: String]
    private let logger: Logger
    private let registry: MetricsRegistry?

    init(environment: [String: String], logger: Logger, registry: MetricsRegistry? = nil, capacity: Int = 32, http: HTTPClient? = nil) {
        self.capacity = capacity
        (stream, continuation) = AsyncStream.makeStream(of: Alert.self, bufferingPolicy: .bufferingOldest(capacity))
        var configuration = HTTPClient.Configuration()
        // One request at a time, 5 s each, one retry: a dead webhook costs ~10 s per alert at most, so the buffer
        // (not the workers) absorbs an outage, and a stop never waits long for the alert in flight.
        configuration.lanes = 1
        configuration.timeout = 5
        configuration.retry = RetryPolicy(maxAttempts: 2)
        self.http = http ?? HTTPClient(configuration: configuration, logger: logger)
        self.environment = environment
        self.logger = logger
        self.registry = registry
        registry?.declare("starfleet_alerts_total", .counter,
                          help: "Alerts by outcome: sent, failed (delivery refused or unreachable), dropped (buffer full or stopping).")
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

    /// Queues an alert (nil: the worker's AlertPriority did not ask for it). Never waits.
    func post(_ alert: Alert?) {
        guard let alert, isEnabled else { return }
        if case .dropped = continuation.yield(alert) {
            let dropped = state.withLock { s in
                s.dropped += 1
                return s.dropped
            }
            count("dropped")
            // One line for the first drop and every hundredth after: a flood must not flood the journal too.
            if dropped == 1 || dropped % 100 == 0 {
                logger.warning("alert dropped: \(capacity) alerts already wait for delivery", metadata: [
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
    /// and logs what was wrong with the others on the worker's logger.
    func postRequested(
        byResult result: [UInt8], worker: WorkerConfiguration, messageId: String, account: String?, region: String?, log: Logger
    ) {
        guard !result.isEmpty else { return }
        let (alerts, problems) = Alert.requested(byResult: result, worker: worker, messageId: messageId, account: account, region: region)
        for problem in problems { log.warning("worker alert ignored: \(problem)") }
        for alert in alerts { post(alert) }
    }

    /// Sent, failed and dropped so far.
    var counts: (sent: Int, failed: Int, dropped: Int) { state.withLock { ($0.sent, $0.failed, $0.dropped) } }

    /// Ends the stream: the loop delivers what is buffered (single attempts, bounded time) and returns.
    func close() {
        state.withLock { $0.draining = true }
        continuation.finish()
    }

    func run() async {
        await withGracefulShutdownHandler {
            var drainStarted: ContinuousClock.Instant?
            for await alert in stream {
                if drainStarted == nil, state.withLock({ $0.draining }) { drainStarted = .now }
                if let drainStarted, ContinuousClock.now - drainStarted > .seconds(Self.drainSeconds) {
                    state.withLock { $0.dropped += 1 }
                    count("dropped")
                    continue
                }
                await deliver(alert)
            }
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
            logger.warning("alert not delivered: \(error.code) after \(error.attempts) attempt(s); \(error.hint)",
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
