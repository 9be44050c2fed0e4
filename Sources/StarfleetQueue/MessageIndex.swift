/// What the queue keeps in memory per message: where its latest full record is, and its SQS state.
/// Bodies and attributes stay on disk (read on receive), so 100,000 queued messages cost a few megabytes.
struct MessageEntry {
    /// Segment and offset of the message's latest `message` record (its send, or its carry-forward copy).
    var segment: UInt64
    var offset: Int64
    var length: Int32
    var sentMs: Int64
    /// The message is visible when `visibleAtMs <= now` (delay, visibility timeout and backoff all set it).
    var visibleAtMs: Int64
    /// 0 = never received.
    var firstReceiveMs: Int64
    var lastReceiveMs: Int64
    var receiveCount: Int32
    /// Bumped on every state change: entries in the ready queue or the timed heap that carry an older version
    /// are stale and skipped (lazy deletion).
    var version: UInt32 = 0
    /// Being written to the dead-letter directory: not deliverable, not yet gone.
    var leaving = false
    var failures: [FailureRecord] = []
}

/// A timed-heap entry: the message becomes visible at `atMs` if its version is still `version`.
struct TimedReference {
    var atMs: Int64
    var id: MessageID
    var version: UInt32
}

/// The in-memory index, rebuilt from the journal on open: entries by id, a FIFO of visible messages, a heap
/// of messages that become visible later, and how many live messages each journal segment holds (compaction
/// unlinks a segment once none are left in it or in any older one).
struct MessageIndex {
    private(set) var entries: [MessageID: MessageEntry] = [:]
    private var ready = FIFO<(id: MessageID, version: UInt32)>()
    private var timed = MinHeap<TimedReference>(by: { $0.atMs < $1.atMs })
    private(set) var liveBySegment: [UInt64: Int] = [:]

    var count: Int { entries.count }

    subscript(id: MessageID) -> MessageEntry? { entries[id] }

    /// Adds a message and schedules it. `countLive: false` when the journal writer already counted it.
    mutating func insert(_ id: MessageID, _ entry: MessageEntry, nowMs: Int64, countLive: Bool = true) {
        entries[id] = entry
        if countLive { liveBySegment[entry.segment, default: 0] += 1 }
        reschedule(id, nowMs: nowMs)
    }

    /// Adds many fresh messages at once (a fan-out): room is made once, and each costs one hash insert.
    mutating func insertBatch(_ batch: [(MessageID, MessageEntry)], nowMs: Int64, countLive: Bool = false) {
        entries.reserveCapacity(entries.count + batch.count)
        for (id, entry) in batch {
            if countLive { liveBySegment[entry.segment, default: 0] += 1 }
            if entry.visibleAtMs <= nowMs {
                entries[id] = entry
                ready.append((id, entry.version))
            } else {
                entries[id] = entry
                timed.push(TimedReference(atMs: entry.visibleAtMs, id: id, version: entry.version))
            }
        }
    }

    /// Stores a changed entry and files it under ready or timed according to its new visibility.
    mutating func update(_ id: MessageID, _ entry: MessageEntry, nowMs: Int64) {
        entries[id] = entry
        reschedule(id, nowMs: nowMs)
    }

    private mutating func reschedule(_ id: MessageID, nowMs: Int64) {
        guard var entry = entries[id] else { return }
        entry.version &+= 1
        entries[id] = entry
        guard !entry.leaving else { return }
        if entry.visibleAtMs <= nowMs {
            ready.append((id, entry.version))
        } else {
            timed.push(TimedReference(atMs: entry.visibleAtMs, id: id, version: entry.version))
            // Stale heap entries pile up when messages are deleted before they time out; rebuild now and then.
            if timed.count > 2 * entries.count + 4096 { rebuildTimed() }
        }
    }

    /// Removes a message (deleted, dead-lettered, purged, expired).
    @discardableResult
    mutating func remove(_ id: MessageID) -> MessageEntry? {
        guard let entry = entries.removeValue(forKey: id) else { return nil }
        adjustLive(segment: entry.segment, by: -1)
        return entry
    }

    /// Once the last message is gone, drops the tables a large queue grew (a dictionary never shrinks by itself, and
    /// the ready queue and the heap keep their capacity): true when there was something to give back.
    mutating func shrinkIfEmpty() -> Bool {
        guard entries.isEmpty, entries.capacity > 4096 || ready.count > 4096 || timed.count > 4096 else { return false }
        entries = [:]
        ready.removeAll()
        timed.removeAll()
        return true
    }

    mutating func adjustLive(segment: UInt64, by delta: Int) {
        let value = liveBySegment[segment, default: 0] + delta
        if value == 0 { liveBySegment.removeValue(forKey: segment) } else { liveBySegment[segment] = value }
    }

    /// The next visible message in FIFO order, or nil. Moves due timed messages to the ready queue first.
    mutating func nextVisible(nowMs: Int64) -> MessageID? {
        while let top = timed.top, top.atMs <= nowMs {
            _ = timed.pop()
            if let entry = entries[top.id], entry.version == top.version { ready.append((top.id, top.version)) }
        }
        while let next = ready.popFirst() {
            if let entry = entries[next.id], entry.version == next.version, !entry.leaving, entry.visibleAtMs <= nowMs {
                return next.id
            }
        }
        return nil
    }

    /// When the earliest timed message becomes visible (possibly a stale entry: a wake-up hint only).
    var nextDueMs: Int64? { timed.top?.atMs }

    var allIDs: Dictionary<MessageID, MessageEntry>.Keys { entries.keys }

    private mutating func rebuildTimed() {
        timed.removeAll()
        for (id, entry) in entries where !entry.leaving {
            timed.push(TimedReference(atMs: entry.visibleAtMs, id: id, version: entry.version))
        }
    }
}
