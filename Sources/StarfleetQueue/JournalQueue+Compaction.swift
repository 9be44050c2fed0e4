import Dispatch

/// Compaction (docs/queue-format.md, "Compaction"): whole segments are unlinked, oldest first, once no live
/// message was sent in them or in any older segment and their newest deduplication id is past the 5-minute
/// window. Because it only ever removes a prefix, every live message's records (send, receives, failures) are
/// in segments that remain. Before unlinking, a `compacted` record naming the last segment removed is made
/// durable, so recovery can tell a compacted segment from a missing one.
///
/// Live messages are not rewritten forward: a message that stays in the queue pins its segment and every newer
/// one until it is deleted, dead-lettered or expires, so the journal's size is bounded by the retention period
/// (4 days by default) times the send rate.
extension JournalQueue {
    /// Plans compaction; runs on the commit queue after every batch.
    func planCompaction() {
        state.withLock { s in
            guard s.unlink == nil, s.broken == nil, !s.closed else { return }
            let horizon = nowMs() - Milliseconds.duration(QueueLimits.deduplicationInterval)
            var through: UInt64?
            for number in s.segments.keys.sorted() where number != s.head.number {
                if s.index.liveBySegment[number] != nil { break }
                if (s.segmentMaxDedupMs[number] ?? .min) > horizon { break }
                through = number
            }
            guard let through else { return }
            s.append(.compacted(throughSegment: through))
            s.unlink = (through, s.openBatch)
            scheduleFlush(&s)
        }
    }

    /// Asks for a compaction pass now (the daemon calls this periodically; a pass also follows every commit).
    package func compact() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            commitQueue.async {
                self.planCompaction()
                c.resume()
            }
        }
        // Let the commit that carries the `compacted` record (and the unlink after it) finish.
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in commitQueue.async { c.resume() } }
    }

    /// Detaches segments numbered up to `through` (never the head) and raises the low-water mark.
    func takeSegments(through: UInt64, from s: inout QueueState) -> [SegmentFile] {
        var taken: [SegmentFile] = []
        for (number, file) in s.segments where number <= through && number != s.head.number {
            taken.append(file)
            s.segments.removeValue(forKey: number)
            s.segmentMaxDedupMs.removeValue(forKey: number)
        }
        s.lowWater = max(s.lowWater, through)
        return taken
    }

    /// Unlinks detached segments and makes the removal durable. A failure only leaves a file behind for the
    /// next open to remove.
    func removeSegmentFiles(_ files: [SegmentFile]) {
        for file in files {
            do {
                try fileSystem.unlink(file.path)
            } catch {
                logger.warning(
                    "could not remove a compacted journal segment", metadata: ["queue": "\(name)", "error": "\(error)"])
            }
        }
        do {
            try fileSystem.syncDirectory(journalDirectory)
        } catch {
            logger.warning("could not sync the journal directory", metadata: ["queue": "\(name)", "error": "\(error)"])
        }
        logger.debug("compacted journal segments", metadata: ["queue": "\(name)", "segments": "\(files.map(\.number))"])
    }

    /// On open: removes segments a crash left behind after their `compacted` record was durable.
    func unlinkSegmentsBelowLowWater() {
        let files = state.withLock { s -> [SegmentFile] in
            var last: UInt64?
            for number in s.segments.keys.sorted() where number != s.head.number {
                guard number <= s.lowWater, s.index.liveBySegment[number] == nil else { break }
                last = number
            }
            guard let last else { return [] }
            return takeSegments(through: last, from: &s)
        }
        if !files.isEmpty { removeSegmentFiles(files) }
    }
}
