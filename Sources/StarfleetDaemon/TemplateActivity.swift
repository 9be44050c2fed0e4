package import FoundationEssentials
import StarfleetQueue
import Synchronization

/// What the daemon last did with each template, for the web console: the last change it acknowledged (queued for the
/// Starbase) and the last fan-out (when, for which worker, how many payloads, what triggered it, the hash of the bytes
/// it read, and how it ended). Display only: ``StatusLoop`` writes it to `template-activity.json` at most every 2 s
/// and at stop, never once per fan-out, so a crash loses at most the last ~2 s of it (nothing else depends on it).
package final class TemplateActivity: Sendable {
    /// What made the Starbase fan a template out: the ``StarbaseMessage`` case.
    package enum Trigger: String, Codable, Sendable, Hashable {
        case timedEvent = "timed-event"
        case templateChange = "template-change"

        package var label: String { self == .timedEvent ? "timed event" : "template change" }
    }

    /// A change the daemon acknowledged: the event is durable on the Starbase queue.
    package struct Change: Codable, Sendable, Hashable {
        package var at: Date
        package var sha256: String
    }

    package struct FanOut: Codable, Sendable, Hashable {
        package var at: Date
        package var worker: String
        /// Payloads planned (done) or enqueued before the error (failed).
        package var payloads: Int
        package var trigger: Trigger
        /// The hash of the bytes fanned out; nil when they could not be read.
        package var sha256: String?
        /// nil: done; else the short reason it failed (the log and the dead letter have the rest).
        package var failure: String?
    }

    package struct Entry: Codable, Sendable, Hashable {
        package var change: Change?
        package var fanOut: FanOut?
        /// The later of the two: which entries the bound drops first.
        package var touched: Date
    }

    /// The file `template-activity.json` holds (version 1).
    package struct File: Codable, Sendable, Equatable {
        package var version = 1
        package var templates: [String: Entry]
    }

    /// More than this many keys drops the least recently touched (a template removed long ago, say).
    package static let defaultLimit = 10_000

    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by every record; the file is written when it moved past `persisted`.
        var revision: UInt64 = 0
        var persisted: UInt64 = 0
    }

    private let state: Mutex<State>
    private let observer = Mutex<ChangeObserver?>(nil)
    package let limit: Int

    package init(_ entries: [String: Entry] = [:], limit: Int = TemplateActivity.defaultLimit) {
        self.limit = max(1, limit)
        var entries = entries
        Self.bound(&entries, limit: self.limit)
        state = Mutex(State(entries: entries))
    }

    /// The record the last run left, or an empty one when the file is missing, unreadable or of another version
    /// (the console then shows file times until the next changes and fan-outs).
    package static func load(from path: String, limit: Int = TemplateActivity.defaultLimit) -> TemplateActivity {
        guard let file = JSONStateFile.read(File.self, from: path), file.version == 1 else {
            return TemplateActivity(limit: limit)
        }
        return TemplateActivity(file.templates, limit: limit)
    }

    /// Calls `observer` after every record (the status writer waits on it to persist the file).
    package func observeChanges(_ observer: (@Sendable () -> Void)?) {
        self.observer.withLock { $0 = observer.map(ChangeObserver.init) }
    }

    package func recordChange(key: String, sha256: String, at time: Date) {
        update(key, at: time) { $0.change = Change(at: time, sha256: sha256) }
    }

    package func recordFanOut(key: String, _ fanOut: FanOut) {
        update(key, at: fanOut.at) { $0.fanOut = fanOut }
    }

    package func entry(_ key: String) -> Entry? { state.withLock { $0.entries[key] } }

    /// The last fan-out of `key` if `worker` did it (a key two workers' prefixes match is recorded once, by its last).
    package func lastFanOut(key: String, worker: String) -> FanOut? {
        entry(key)?.fanOut.flatMap { $0.worker == worker ? $0 : nil }
    }

    package var count: Int { state.withLock { $0.entries.count } }

    /// Writes the file when something was recorded since the last write (or the load); returns whether it wrote.
    @discardableResult
    package func persistIfChanged(to path: String) throws -> Bool {
        let (file, revision) = state.withLock { s -> (File?, UInt64) in
            s.revision == s.persisted ? (nil, s.revision) : (File(templates: s.entries), s.revision)
        }
        guard let file else { return false }
        try JSONStateFile.write(file, to: path, mode: 0o600)
        state.withLock { $0.persisted = max($0.persisted, revision) }
        return true
    }

    private func update(_ key: String, at time: Date, _ change: (inout Entry) -> Void) {
        state.withLock { s in
            var entry = s.entries[key] ?? Entry(touched: time)
            change(&entry)
            entry.touched = max(entry.touched, time)
            s.entries[key] = entry
            s.revision &+= 1
            Self.bound(&s.entries, limit: limit)
        }
        observer.withLock { $0 }?.call()
    }

    /// Over the limit, drops the least recently touched down to 90% of it at once, so a fan-out of more templates
    /// than the limit costs one sort per tenth of the limit, not a scan per key.
    private static func bound(_ entries: inout [String: Entry], limit: Int) {
        guard entries.count > limit else { return }
        let keep = max(1, limit - limit / 10)
        let oldest = entries.sorted { ($0.value.touched, $0.key) < ($1.value.touched, $1.key) }
        for (key, _) in oldest.prefix(entries.count - keep) { entries[key] = nil }
    }
}
