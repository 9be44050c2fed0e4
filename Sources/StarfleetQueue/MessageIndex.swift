/// What the queue knows in memory about a message: where its latest full record is, and its SQS state.
/// Bodies and attributes stay on disk (read on receive). The index stores it compactly (``MessageIndex/Slot``).
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
///
/// Entries live in a flat array of 40-byte slots found through a dictionary of positions, and what only a received
/// message has (receive times, failures) in a side table: 100,000 queued messages cost about 11 MB here, where a
/// `[MessageID: MessageEntry]` of 80-byte values cost 25 MB.
struct MessageIndex {
    /// ``MessageEntry`` as stored. Segment numbers fit 32 bits (one per rollover or open) and receive counts 16
    /// (maxReceiveCount is at most 1,000: a receive past it dead-letters the message).
    struct Slot {
        var offset: Int64
        var sentMs: Int64
        var visibleAtMs: Int64
        var segment: UInt32
        var length: Int32
        var version: UInt32
        var receiveCount: UInt16
        var leaving: Bool

        init(_ entry: MessageEntry) {
            offset = entry.offset
            sentMs = entry.sentMs
            visibleAtMs = entry.visibleAtMs
            segment = UInt32(truncatingIfNeeded: entry.segment)
            length = entry.length
            version = entry.version
            receiveCount = UInt16(clamping: entry.receiveCount)
            leaving = entry.leaving
        }
    }

    /// What a message has once received: absent for the (usually many) messages never received.
    struct Received {
        var firstReceiveMs: Int64
        var lastReceiveMs: Int64
        var failures: [FailureRecord]
    }

    private var slots: [Slot] = []
    private var positions: [MessageID: Int32] = [:]
    private var received: [Int32: Received] = [:]
    /// Slots of removed messages, reused by the next inserts.
    private var freeSlots: [Int32] = []
    private var ready = FIFO<(id: MessageID, version: UInt32)>()
    private var timed = MinHeap<TimedReference>(by: { $0.atMs < $1.atMs })
    private(set) var liveBySegment: [UInt64: Int] = [:]

    var count: Int { positions.count }

    /// How many messages the tables have room for (what a drained queue gives back).
    var capacity: Int { max(positions.capacity, slots.capacity) }

    subscript(id: MessageID) -> MessageEntry? {
        guard let position = positions[id] else { return nil }
        return entry(at: position)
    }

    /// Every message and its entry, in no particular order.
    var entries: some Sequence<(key: MessageID, value: MessageEntry)> {
        positions.lazy.map { (key: $0.key, value: entry(at: $0.value)) }
    }

    private func entry(at position: Int32) -> MessageEntry {
        let slot = slots[Int(position)]
        let extra = received[position]
        return MessageEntry(
            segment: UInt64(slot.segment), offset: slot.offset, length: slot.length, sentMs: slot.sentMs,
            visibleAtMs: slot.visibleAtMs, firstReceiveMs: extra?.firstReceiveMs ?? 0, lastReceiveMs: extra?.lastReceiveMs ?? 0,
            receiveCount: Int32(slot.receiveCount), version: slot.version, leaving: slot.leaving, failures: extra?.failures ?? [])
    }

    /// Stores `entry` for `id` (a new slot, or the one it has).
    private mutating func store(_ id: MessageID, _ entry: MessageEntry) {
        let position: Int32
        if let existing = positions[id] {
            position = existing
            slots[Int(position)] = Slot(entry)
        } else if let free = freeSlots.popLast() {
            position = free
            slots[Int(position)] = Slot(entry)
            positions[id] = position
        } else {
            position = Int32(slots.count)
            slots.append(Slot(entry))
            positions[id] = position
        }
        if entry.firstReceiveMs != 0 || entry.lastReceiveMs != 0 || !entry.failures.isEmpty {
            received[position] = Received(
                firstReceiveMs: entry.firstReceiveMs, lastReceiveMs: entry.lastReceiveMs, failures: entry.failures)
        } else if received[position] != nil {
            received.removeValue(forKey: position)
        }
    }

    /// Adds a message and schedules it. `countLive: false` when the journal writer already counted it.
    mutating func insert(_ id: MessageID, _ entry: MessageEntry, nowMs: Int64, countLive: Bool = true) {
        store(id, entry)
        if countLive { liveBySegment[entry.segment, default: 0] += 1 }
        reschedule(id, nowMs: nowMs)
    }

    /// Adds many fresh messages at once (a fan-out): room is made once, and each costs one hash insert.
    mutating func insertBatch(_ batch: [(MessageID, MessageEntry)], nowMs: Int64, countLive: Bool = false) {
        positions.reserveCapacity(positions.count + batch.count)
        for (id, entry) in batch {
            if countLive { liveBySegment[entry.segment, default: 0] += 1 }
            store(id, entry)
            if entry.visibleAtMs <= nowMs {
                ready.append((id, entry.version))
            } else {
                timed.push(TimedReference(atMs: entry.visibleAtMs, id: id, version: entry.version))
            }
        }
    }

    /// Stores a changed entry and files it under ready or timed according to its new visibility.
    mutating func update(_ id: MessageID, _ entry: MessageEntry, nowMs: Int64) {
        store(id, entry)
        reschedule(id, nowMs: nowMs)
    }

    private mutating func reschedule(_ id: MessageID, nowMs: Int64) {
        guard let position = positions[id] else { return }
        slots[Int(position)].version &+= 1
        let entry = slots[Int(position)]
        guard !entry.leaving else { return }
        if entry.visibleAtMs <= nowMs {
            ready.append((id, entry.version))
        } else {
            timed.push(TimedReference(atMs: entry.visibleAtMs, id: id, version: entry.version))
            // Stale heap entries pile up when messages are deleted before they time out; rebuild now and then.
            if timed.count > 2 * positions.count + 4096 { rebuildTimed() }
        }
    }

    /// Removes a message (deleted, dead-lettered, purged, expired).
    @discardableResult
    mutating func remove(_ id: MessageID) -> MessageEntry? {
        guard let position = positions.removeValue(forKey: id) else { return nil }
        let entry = entry(at: position)
        received.removeValue(forKey: position)
        freeSlots.append(position)
        adjustLive(segment: entry.segment, by: -1)
        return entry
    }

    /// Once the last message is gone, drops the tables a large queue grew (a dictionary never shrinks by itself, and
    /// the ready queue and the heap keep their capacity): true when there was something to give back.
    mutating func shrinkIfEmpty() -> Bool {
        guard positions.isEmpty, positions.capacity > 4096 || slots.count > 4096 || ready.count > 4096 || timed.count > 4096
        else {
            return false
        }
        positions = [:]
        slots = []
        received = [:]
        freeSlots = []
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
            if let position = positions[top.id], slots[Int(position)].version == top.version {
                ready.append((top.id, top.version))
            }
        }
        while let next = ready.popFirst() {
            if let position = positions[next.id], case let entry = slots[Int(position)], entry.version == next.version,
                !entry.leaving,
                entry.visibleAtMs <= nowMs
            {
                return next.id
            }
        }
        return nil
    }

    /// When the earliest timed message becomes visible (possibly a stale entry: a wake-up hint only).
    var nextDueMs: Int64? { timed.top?.atMs }

    var allIDs: Dictionary<MessageID, Int32>.Keys { positions.keys }

    private mutating func rebuildTimed() {
        timed.removeAll()
        for (id, position) in positions {
            let entry = slots[Int(position)]
            guard !entry.leaving else { continue }
            timed.push(TimedReference(atMs: entry.visibleAtMs, id: id, version: entry.version))
        }
    }
}
