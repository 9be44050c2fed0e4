/// Where a committed batch landed: the records' offsets are `baseOffset` + their offset within the batch.
struct BatchPlacement: Sendable {
    let segment: SegmentFile
    let baseOffset: Int64
}

/// A deduplication id seen recently: the message it first named and when.
struct DeduplicationEntry {
    var messageID: MessageID
    var sentMs: Int64
}

/// A long-poll receiver waiting for a message to become visible.
enum ReceiveWaiter {
    /// Registered, not yet suspended.
    case armed
    /// Suspended.
    case waiting(CheckedContinuation<Void, Never>)
    /// Signalled before it suspended: it returns at once.
    case signalled
}

/// Everything mutable about an open queue, behind one mutex: the index and the journal's pending bytes change
/// together, so the journal's record order is always the order the state changed in.
struct QueueState {
    var index = MessageIndex()
    var deduplication = DeduplicationWindow()
    var deduplicationPruneAt = 4096

    // Journal writer: records wait in `pending` for the commit queue, which takes all of them at once.
    var pending = ByteWriter(capacity: 64 << 10)
    var pendingSends = 0
    var pendingMaxDedupMs: Int64 = 0
    /// Every pending record is a delete: the batch need not be fdatasync'ed (no caller waits on a delete; a lost one
    /// means the message is delivered again), it rides on the next batch's fdatasync.
    var pendingOnlyDeletes = true
    /// The head segment holds bytes written since its last fdatasync (a batch of deletes).
    var headUnsynced = false
    var openBatch: UInt64 = 1
    var flushScheduled = false
    var commitWaiters: [UInt64: [CheckedContinuation<BatchPlacement?, any Error>]] = [:]

    // Segments: every existing one (for reading bodies and compaction), the head being appended to.
    var segments: [UInt64: SegmentFile] = [:]
    /// Newest send with a deduplication id in each segment: a segment is kept 5 min past it.
    var segmentMaxDedupMs: [UInt64: Int64] = [:]
    var head: SegmentFile
    var headSize: Int64
    var lowWater: UInt64
    /// A `compacted` record is in flight; once the batch carrying it is durable, unlink segments through this.
    var unlink: (through: UInt64, afterBatch: UInt64)?

    var deadLettered = 0
    var expired = 0
    var purgeEpoch: UInt64 = 0

    var receiveWaiters: [UInt64: ReceiveWaiter] = [:]
    var nextWaiterID: UInt64 = 0

    var closed = false
    /// Set when a failed write could not be rolled back: the journal accepts nothing more until reopened.
    var broken: QueueError?

    init(head: SegmentFile, headSize: Int64, lowWater: UInt64) {
        self.head = head
        self.headSize = headSize
        self.lowWater = lowWater
    }

    /// Appends one record to the pending batch; returns its offset within the batch.
    @discardableResult
    mutating func append(_ record: JournalRecord) -> Int64 {
        let offset = Int64(pending.bytes.count)
        if case .delete = record {} else { pendingOnlyDeletes = false }
        record.encode(into: &pending)
        return offset
    }

    /// Wakes every long-poll receiver (they look again).
    mutating func signalReceivers() -> [CheckedContinuation<Void, Never>] {
        var wake: [CheckedContinuation<Void, Never>] = []
        for (id, waiter) in receiveWaiters {
            switch waiter {
            case .waiting(let c):
                wake.append(c)
                receiveWaiters[id] = .signalled
            case .armed: receiveWaiters[id] = .signalled
            case .signalled: break
            }
        }
        return wake
    }

    /// Forgets deduplication ids older than the 5-minute window (amortised: only when the map has doubled, unless
    /// `always`, as the minute's upkeep asks, so a fan-out's ids do not outstay the window on an idle queue).
    mutating func pruneDeduplication(nowMs: Int64, always: Bool = false) {
        guard always || deduplication.count >= deduplicationPruneAt else { return }
        let horizon = nowMs - Milliseconds.duration(QueueLimits.deduplicationInterval)
        deduplication.removeAll(sentAtOrBefore: horizon)
        deduplicationPruneAt = max(4096, deduplication.count * 2)
    }
}
