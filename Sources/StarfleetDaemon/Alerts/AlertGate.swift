import StarfleetCore

/// Keeps a fan-out from flooding the alert channel. Starfleet alerts on failures and on what a ship reports; the
/// daemon also reports every retry and (at SUCCESS) every success, which at thousands of payloads per template is
/// thousands of posts. Per worker, in windows of ``Limits/window`` seconds opened by the worker's first alert:
/// - retries ("failed, will be retried") are never sent one by one: they are counted (coalesced);
/// - any other alert is sent while the worker has sent fewer than ``Limits/perWindow`` in the window; the rest
///   are counted (rate-limited, dropped);
/// - when the window ends with anything counted, one summary alert says what was held back, at the highest
///   priority held (a priority the worker asked for, since every held alert passed its AlertPriority).
///
/// A value type driven with explicit times, so tests need no clock; ``AlertDispatcher`` owns one.
package struct AlertGate: Sendable {
    package struct Limits: Sendable, Equatable {
        /// Seconds per window.
        var window: Double
        /// Alerts sent per worker per window, beyond which they are dropped and counted (summaries excepted).
        var perWindow: Int

        /// The documented default (docs/operations.md, "Alerts"): 10 alerts per worker per 5 minutes.
        static let standard = Limits(window: 300, perWindow: 10)
    }

    /// What one worker's window held back.
    struct Tally: Sendable, Equatable {
        /// Failed attempts that will be retried, coalesced.
        var retries = 0
        /// Alerts dropped over the limit, by priority.
        var dropped: [AlertPriority: Int] = [:]
        /// The latest retry (its error goes in the summary) and a few message ids.
        var lastRetry: Alert?
        var retriedMessages: [String] = []
        var highest: AlertPriority = .none
        var channel = ""

        var droppedTotal: Int { dropped.values.reduce(0, +) }
        var isEmpty: Bool { retries == 0 && droppedTotal == 0 }
    }

    /// A window that ended: the worker, its length and what it held back (for the dispatcher's log line).
    struct Closed: Sendable, Equatable {
        var worker: String
        var tally: Tally
    }

    private struct Window {
        var start: Double
        var sent = 0
        var tally = Tally()
    }

    let limits: Limits
    private var windows: [String: Window] = [:]

    init(limits: Limits = .standard) { self.limits = limits }

    /// Decides about `alert` at time `now` (seconds): the alerts to deliver now (a summary of the worker's ended
    /// window first, if it held anything; then the alert itself, unless it was held back) and the windows closed.
    mutating func admit(_ alert: Alert, at now: Double) -> (send: [Alert], closed: [Closed]) {
        var send: [Alert] = []
        var closed: [Closed] = []
        if let window = windows[alert.worker], now >= window.start + limits.window || now < window.start {
            windows[alert.worker] = nil
            if let summary = summarize(alert.worker, window) {
                send.append(summary)
                closed.append(Closed(worker: alert.worker, tally: window.tally))
            }
        }
        var window = windows[alert.worker] ?? Window(start: now)
        if alert.isRetry {
            window.tally.retries += 1
            window.tally.lastRetry = alert
            if let id = alert.messageId, window.tally.retriedMessages.count < 5 { window.tally.retriedMessages.append(id) }
            hold(alert, in: &window)
        } else if window.sent < limits.perWindow {
            window.sent += 1
            send.append(alert)
        } else {
            window.tally.dropped[alert.priority, default: 0] += 1
            hold(alert, in: &window)
        }
        windows[alert.worker] = window
        return (send, closed)
    }

    /// Ends every window whose time is up at `now` (`everything`: all of them, for a stop) and returns their
    /// summaries.
    mutating func flush(at now: Double, everything: Bool = false) -> (send: [Alert], closed: [Closed]) {
        var send: [Alert] = []
        var closed: [Closed] = []
        for worker in windows.keys.sorted() {
            guard let window = windows[worker], everything || now >= window.start + limits.window || now < window.start else {
                continue
            }
            windows[worker] = nil
            if let summary = summarize(worker, window) {
                send.append(summary)
                closed.append(Closed(worker: worker, tally: window.tally))
            }
        }
        return (send, closed)
    }

    /// When the earliest window holding something ends: the time a timer must flush (nil: nothing held).
    var nextDeadline: Double? {
        windows.values.filter { !$0.tally.isEmpty }.map { $0.start + limits.window }.min()
    }

    private func hold(_ alert: Alert, in window: inout Window) {
        // PROBLEM is level 1: the most severe priority held is the lowest non-zero level.
        if window.tally.highest == .none || alert.priority.level < window.tally.highest.level {
            window.tally.highest = alert.priority
        }
        window.tally.channel = alert.channel
    }

    private func summarize(_ worker: String, _ window: Window) -> Alert? {
        let t = window.tally
        guard !t.isEmpty else { return nil }
        let minutes = limits.window >= 60 ? "\(Int(limits.window / 60)) min" : "\(Int(limits.window)) s"
        var parts: [String] = []
        if t.retries > 0 { parts.append("\(t.retries) failed attempt\(t.retries == 1 ? "" : "s") to be retried") }
        if t.droppedTotal > 0 { parts.append("\(t.droppedTotal) more alert\(t.droppedTotal == 1 ? "" : "s") over the limit") }
        var lines = ["*Worker:* \(worker)", "*In the last:* \(minutes)"]
        if t.retries > 0 {
            lines.append(
                "*Retried:* \(t.retries) failed attempt(s) will be retried (messages: "
                    + t.retriedMessages.map { "`\($0)`" }.joined(separator: ", ")
                    + (t.retries > t.retriedMessages.count ? ", …" : "") + ")")
            if let error = t.lastRetry?.error, !error.isEmpty { lines.append("*Last error:*\n```\(error.prefix(1000))```") }
        }
        if t.droppedTotal > 0 {
            let byPriority = [AlertPriority.problem, .important, .success, .informational].compactMap { p in
                t.dropped[p].map { "\($0) \(p.rawValue)" }
            }
            lines.append(
                "*Not sent:* " + byPriority.joined(separator: ", ")
                    + " (over \(limits.perWindow) alerts per worker per \(minutes); see the daemon's log and `starfleetctl dlq list`)"
            )
        }
        return Alert(
            worker: worker, channel: t.channel, priority: t.highest,
            title: "\(worker): " + parts.joined(separator: ", ") + " in the last \(minutes)",
            body: lines.joined(separator: "\n"), messageId: nil, account: nil, region: nil, error: t.lastRetry?.error)
    }
}
