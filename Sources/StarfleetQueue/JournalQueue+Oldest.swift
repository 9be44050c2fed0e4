package import FoundationEssentials

extension JournalQueue {
    /// How long ago the oldest message still in the queue was sent, in seconds; 0 when the queue is empty.
    /// One pass over the in-memory index (no disk), for the metrics' queue-age gauge.
    package func oldestMessageAgeSeconds() throws -> Double {
        try state.withLock { s in
            try checkUsable(s)
            var oldest = Int64.max
            for (_, entry) in s.index.entries where !entry.leaving { oldest = min(oldest, entry.sentMs) }
            return oldest == Int64.max ? 0 : Double(max(0, nowMs() - oldest)) / 1000
        }
    }
}

extension JournalQueue {
    /// When the earliest delayed or in-flight message turns visible by the clock alone (no journal write marks that),
    /// or nil when none will; possibly earlier than any real change (a hint for a loop that reports counts).
    package func nextTimedChange() -> Date? {
        state.withLock { $0.index.nextDueMs }.map(Milliseconds.date)
    }
}
