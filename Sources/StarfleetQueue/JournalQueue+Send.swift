extension JournalQueue {
    private struct AcceptedSend {
        var id: MessageID
        /// Where the record starts within the batch, and its framed length.
        var batchOffset: Int64
        var length: Int32
        var visibleAtMs: Int64
        var deduplicationId: String?
    }

    private struct PreparedSends {
        var results: [SendResult]
        var accepted: [AcceptedSend]
        var sentMs: Int64
        var purgeEpoch: UInt64
    }

    /// Validates every entry (the whole send fails before anything is written if one is bad), encodes the
    /// records outside the mutex, then appends them in one go and waits for the group commit.
    package func send(_ entries: [OutgoingMessage]) async throws -> [SendResult] {
        guard !entries.isEmpty else { return [] }
        for entry in entries { try MessageValidation.validate(entry, queue: name) }
        let sentMs = nowMs()
        let ids = MessageIDGenerator.make(entries.count)
        var encoded = ByteWriter(capacity: entries.reduce(0) { $0 + $1.body.utf8.count + 128 })
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(entries.count)
        for (entry, id) in zip(entries, ids) {
            let start = encoded.bytes.count
            JournalRecord.encodeNewMessage(
                id: id, sentMs: sentMs, visibleAtMs: sentMs + Int64(entry.delaySeconds) * 1000, message: entry, into: &encoded)
            ranges.append(start..<encoded.bytes.count)
        }

        let (prepared, placement) = try await journaled(
            { s -> PreparedSends in
                s.pruneDeduplication(nowMs: sentMs)
                let horizon = sentMs - Milliseconds.duration(QueueLimits.deduplicationInterval)
                var prepared = PreparedSends(results: [], accepted: [], sentMs: sentMs, purgeEpoch: s.purgeEpoch)
                prepared.results.reserveCapacity(entries.count)
                prepared.accepted.reserveCapacity(entries.count)
                let allFresh = entries.allSatisfy { $0.deduplicationId == nil }
                if allFresh {
                    // The fan-out's common case: the whole encoded batch at once, handed over without a copy when
                    // nothing else is pending.
                    let base = Int64(s.pending.bytes.count)
                    if s.pending.bytes.isEmpty {
                        s.pending.bytes = encoded.bytes
                    } else {
                        s.pending.bytes.append(contentsOf: encoded.bytes)
                    }
                    for (i, id) in ids.enumerated() {
                        prepared.accepted.append(
                            AcceptedSend(
                                id: id, batchOffset: base + Int64(ranges[i].lowerBound), length: Int32(ranges[i].count),
                                visibleAtMs: sentMs + Int64(entries[i].delaySeconds) * 1000, deduplicationId: nil))
                        prepared.results.append(SendResult(messageId: id.description, duplicate: false))
                    }
                    s.pendingSends += entries.count
                    return prepared
                }
                for (i, entry) in entries.enumerated() {
                    if let dedup = entry.deduplicationId, let seen = s.deduplication[dedup], seen.sentMs > horizon {
                        prepared.results.append(SendResult(messageId: seen.messageID.description, duplicate: true))
                        continue
                    }
                    let id = ids[i]
                    let base = Int64(s.pending.bytes.count)
                    s.pending.bytes.append(contentsOf: encoded.bytes[ranges[i]])
                    s.pendingSends += 1
                    if let dedup = entry.deduplicationId {
                        s.deduplication[dedup] = DeduplicationEntry(messageID: id, sentMs: sentMs)
                        s.pendingMaxDedupMs = max(s.pendingMaxDedupMs, sentMs)
                    }
                    prepared.accepted.append(
                        AcceptedSend(
                            id: id, batchOffset: base, length: Int32(ranges[i].count),
                            visibleAtMs: sentMs + Int64(entry.delaySeconds) * 1000, deduplicationId: entry.deduplicationId))
                    prepared.results.append(SendResult(messageId: id.description, duplicate: false))
                }
                return prepared
            },
            undo: { s, prepared in
                // The write failed: forget the deduplication ids these sends claimed.
                for accepted in prepared.accepted {
                    if let dedup = accepted.deduplicationId, s.deduplication[dedup]?.messageID == accepted.id {
                        s.deduplication.removeValue(forKey: dedup)
                    }
                }
            })

        guard let placement, !prepared.accepted.isEmpty else { return prepared.results }
        let segment = placement.segment.number
        let batch = prepared.accepted.map { accepted in
            (
                accepted.id,
                MessageEntry(
                    segment: segment, offset: placement.baseOffset + accepted.batchOffset, length: accepted.length,
                    sentMs: prepared.sentMs, visibleAtMs: accepted.visibleAtMs, firstReceiveMs: 0, lastReceiveMs: 0,
                    receiveCount: 0)
            )
        }
        let wake = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            // A purge that came after these records were appended removed them (on disk too, by record order).
            guard s.purgeEpoch == prepared.purgeEpoch else {
                s.index.adjustLive(segment: segment, by: -prepared.accepted.count)
                return []
            }
            s.index.insertBatch(batch, nowMs: nowMs())
            return s.signalReceivers()
        }
        for c in wake { c.resume() }
        notifyChanged()
        return prepared.results
    }
}

extension JournalRecord {
    /// Encodes a fresh send's `message` record straight from the outgoing message (no intermediate copies).
    static func encodeNewMessage(
        id: MessageID, sentMs: Int64, visibleAtMs: Int64, message: OutgoingMessage, into out: inout ByteWriter
    ) {
        let start = out.bytes.count
        out.u32(0)
        out.u32(0)
        out.u8(Kind.message.rawValue)
        out.id(id)
        out.i64(sentMs)
        out.i64(visibleAtMs)
        out.i32(0)
        out.i64(0)
        out.i64(0)
        out.optionalString(message.deduplicationId)
        out.u16(UInt16(message.attributes.count))
        for (key, value) in message.attributes.sorted(by: { $0.key < $1.key }) {
            out.string(key)
            out.string(value)
        }
        out.u16(0)
        out.string(message.body)
        seal(&out.bytes, at: start)
    }
}
