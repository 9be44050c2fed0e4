package import FoundationEssentials
package import Logging
package import StarfleetClock

/// One message as `status` and the tests see it (no body).
package struct QueuedMessageInfo: Sendable, Hashable {
    package enum State: String, Sendable, Hashable, Codable { case visible, inFlight, delayed, leaving }

    package var messageId: String
    package var receiveCount: Int
    package var state: State
    package var sentTimestamp: Date
    package var visibleAt: Date
    package var failures: Int
}

extension JournalQueue {
    package func stats() async throws -> QueueStats {
        try state.withLock { s in
            try checkUsable(s)
            return Self.stats(
                of: s.index.entries.lazy.map(\.value), nowMs: nowMs(), deadLettered: s.deadLettered, expired: s.expired)
        }
    }

    static func stats(
        of entries: some Sequence<MessageEntry>, nowMs: Int64, deadLettered: Int, expired: Int
    ) -> QueueStats {
        var stats = QueueStats(deadLettered: deadLettered, expired: expired)
        for entry in entries where !entry.leaving {
            switch classify(entry, nowMs: nowMs) {
            case .visible: stats.visible += 1
            case .inFlight: stats.inFlight += 1
            case .delayed: stats.delayed += 1
            case .leaving: break
            }
        }
        return stats
    }

    static func classify(_ entry: MessageEntry, nowMs: Int64) -> QueuedMessageInfo.State {
        if entry.leaving { return .leaving }
        if entry.visibleAtMs <= nowMs { return .visible }
        return entry.receiveCount > 0 ? .inFlight : .delayed
    }

    /// Every message in the queue, oldest send first (for `status` and tests; bodies stay on disk).
    package func messages() throws -> [QueuedMessageInfo] {
        try state.withLock { s in
            try checkUsable(s)
            let now = nowMs()
            return s.index.entries.map { id, entry in Self.info(id, entry, nowMs: now) }
                .sorted { ($0.sentTimestamp, $0.messageId) < ($1.sentTimestamp, $1.messageId) }
        }
    }

    static func info(_ id: MessageID, _ entry: MessageEntry, nowMs: Int64) -> QueuedMessageInfo {
        QueuedMessageInfo(
            messageId: id.description, receiveCount: Int(entry.receiveCount), state: classify(entry, nowMs: nowMs),
            sentTimestamp: Milliseconds.date(entry.sentMs), visibleAt: Milliseconds.date(entry.visibleAtMs),
            failures: entry.failures.count)
    }

    /// Deletes every message, visible and in flight (SQS PurgeQueue), durably. Deduplication ids are kept.
    /// Returns how many messages were removed.
    @discardableResult
    package func purge() async throws -> Int {
        let (removed, _) = try await journaled { s -> Int in
            let ids = Array(s.index.allIDs)
            for id in ids { s.index.remove(id) }
            s.purgeEpoch += 1
            s.append(.purge(timeMs: nowMs()))
            return ids.count
        }
        logger.notice("queue purged", metadata: ["queue": "\(name)", "messages": "\(removed)"])
        return removed
    }

    /// Drops messages past the retention period now instead of when a receive reaches them, and deduplication ids
    /// past their five minutes (the daemon calls this every minute, so `stats` stays exact and an idle queue gives
    /// back a fan-out's ids). Returns how many messages were dropped.
    @discardableResult
    package func expireOldMessages() -> Int {
        let retentionMs = Milliseconds.duration(options.retention)
        let expired = state.withLock { s in
            let horizon = nowMs() - retentionMs
            // Only the ids: filtering the dictionary itself would copy every entry of a 100,000-message index.
            let old = s.index.entries.compactMap { !$0.value.leaving && $0.value.sentMs <= horizon ? $0.key : nil }
            for id in old { s.index.remove(id) }
            s.expired += old.count
            s.pruneDeduplication(nowMs: nowMs(), always: true)
            return old.count
        }
        if expired > 0 { notifyChanged() }
        return expired
    }

    /// Reads a queue's journal without taking its lock or changing anything (for `starfleetctl status` while
    /// the daemon runs): its messages and counts as of the last durable record.
    package static func inspect(
        directory: String, options: QueueOptions, clock: any WallClock, logger: Logger
    ) throws -> (stats: QueueStats, messages: [QueuedMessageInfo], report: RecoveryReport) {
        let now = Milliseconds.from(clock.now())
        let recovered = try JournalRecovery(
            queueDirectory: directory, fileSystem: options.fileSystem, logger: logger, readOnly: true, nowMs: now,
            retentionMs: Milliseconds.duration(options.retention)
        ).run()
        let entries = recovered.entries.map(\.1)
        let stats = Self.stats(of: entries, nowMs: now, deadLettered: 0, expired: recovered.report.expiredOnOpen)
        let messages = recovered.entries.map { info($0.0, $0.1, nowMs: now) }
        return (stats, messages, recovered.report)
    }
}
