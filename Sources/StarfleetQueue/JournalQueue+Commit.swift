import Dispatch
import StarfleetFiles

/// Group commit: operations append records to `pending` under the mutex and wait; one work item on the commit
/// queue takes everything pending, writes it with one pwrite, makes it durable with one fdatasync, and wakes
/// every waiter of that batch. Whatever arrives during the fdatasync forms the next batch.
extension JournalQueue {
    /// Runs `body` under the mutex. When it appended records, waits until they are durable and returns where
    /// they landed. `body` must validate before appending: it may throw only if it appended nothing. When the
    /// write fails, `undo` gets the value `body` returned to take back its in-memory changes, then the error
    /// is rethrown.
    func journaled<T>(
        _ body: (inout QueueState) throws -> T, undo: ((inout QueueState, T) -> Void)? = nil
    ) async throws -> (value: T, placement: BatchPlacement?) {
        var outcome: Result<T, any Error>?
        let placement: BatchPlacement?
        do {
            placement = try await withCheckedThrowingContinuation { (c: CheckedContinuation<BatchPlacement?, any Error>) in
                state.withLock { s in
                    do {
                        try checkUsable(s)
                        let before = s.pending.bytes.count
                        outcome = .success(try body(&s))
                        if s.pending.bytes.count != before {
                            s.commitWaiters[s.openBatch, default: []].append(c)
                            scheduleFlush(&s)
                            return
                        }
                    } catch {
                        outcome = .failure(error)
                    }
                    c.resume(returning: nil)
                }
            }
        } catch {
            if case .success(let value)? = outcome, let undo {
                let wake = state.withLock { s in
                    undo(&s, value)
                    return s.signalReceivers()
                }
                for c in wake { c.resume() }
            }
            throw error
        }
        switch outcome {
        case .success(let value)?: return (value, placement)
        case .failure(let error)?: throw error
        case nil:
            throw QueueError(
                .unavailable, "internal: journal operation produced no outcome", hint: "Report this bug.", queue: name)
        }
    }

    /// Starts a drain of the pending records on the commit queue unless one is already under way.
    func scheduleFlush(_ s: inout QueueState) {
        guard !s.flushScheduled, !s.pending.bytes.isEmpty else { return }
        s.flushScheduled = true
        commitQueue.async { self.drainJournal() }
    }

    /// Waits until every record appended so far is durable (or failed). Used by close.
    func waitForPendingRecords() async throws {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in commitQueue.async { c.resume() } }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in deadLetterQueue.async { c.resume() } }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in commitQueue.async { c.resume() } }
    }

    private struct CommitWork {
        var batch: UInt64
        var bytes: [UInt8]
        var sends: Int
        var maxDedupMs: Int64
        var head: SegmentFile
        var headSize: Int64
        var lowWater: UInt64
        /// Only deletes: written, not fdatasync'ed (see `QueueState.pendingOnlyDeletes`).
        var onlyDeletes: Bool
        /// The head segment has bytes from such a batch: sync it before leaving it for a new segment.
        var headUnsynced: Bool
    }

    /// Commit-queue loop: one batch per iteration until nothing is pending.
    private func drainJournal() {
        while true {
            let taken = state.withLock { s -> CommitWork? in
                guard !s.pending.bytes.isEmpty else {
                    s.flushScheduled = false
                    return nil
                }
                let work = CommitWork(
                    batch: s.openBatch, bytes: s.pending.bytes, sends: s.pendingSends, maxDedupMs: s.pendingMaxDedupMs,
                    head: s.head, headSize: s.headSize, lowWater: s.lowWater,
                    onlyDeletes: s.pendingOnlyDeletes && s.pendingSends == 0 && s.unlink?.afterBatch != s.openBatch
                        && (s.commitWaiters[s.openBatch] ?? []).isEmpty,
                    headUnsynced: s.headUnsynced)
                s.pending = ByteWriter(capacity: 64 << 10)
                s.pendingOnlyDeletes = true
                s.pendingSends = 0
                s.pendingMaxDedupMs = 0
                s.openBatch += 1
                return work
            }
            guard let work = taken else { return }
            let written = write(work)
            var unlinked: [SegmentFile] = []
            let waiters = state.withLock { s -> [CheckedContinuation<BatchPlacement?, any Error>] in
                if written.segment !== s.head {
                    s.head = written.segment
                    s.segments[written.segment.number] = written.segment
                }
                if let failure = written.error {
                    s.headSize = written.offset
                    if written.broken { s.broken = failure }
                    if let unlink = s.unlink, unlink.afterBatch == work.batch { s.unlink = nil }
                } else {
                    s.headSize = written.offset + Int64(work.bytes.count)
                    s.headUnsynced = !written.synced
                    let segment = written.segment.number
                    if work.sends > 0 { s.index.adjustLive(segment: segment, by: work.sends) }
                    if work.maxDedupMs > 0 {
                        s.segmentMaxDedupMs[segment] = max(s.segmentMaxDedupMs[segment] ?? 0, work.maxDedupMs)
                    }
                    if let unlink = s.unlink, unlink.afterBatch == work.batch {
                        unlinked = takeSegments(through: unlink.through, from: &s)
                        s.unlink = nil
                    }
                }
                var waiters = s.commitWaiters.removeValue(forKey: work.batch) ?? []
                if s.broken != nil {
                    // Nothing more will be written: fail whatever is queued behind this batch too.
                    for (_, more) in s.commitWaiters { waiters += more }
                    s.commitWaiters.removeAll()
                    s.pending = ByteWriter()
                }
                return waiters
            }
            if let failure = written.error {
                logger.error(
                    "journal write failed; the operations in this batch failed",
                    metadata: [
                        "queue": "\(name)", "error": "\(failure)", "journalUsable": "\(!written.broken)",
                    ])
                let error = state.withLock { $0.broken } ?? failure
                for c in waiters { c.resume(throwing: error) }
            } else {
                let placement = BatchPlacement(segment: written.segment, baseOffset: written.offset)
                for c in waiters { c.resume(returning: placement) }
            }
            if !unlinked.isEmpty { removeSegmentFiles(unlinked) }
            notifyChanged()
            planCompaction()
        }
    }

    /// Where a batch went (or would have gone) and how it failed, if it did.
    private struct WriteOutcome {
        var segment: SegmentFile
        var offset: Int64
        var error: QueueError?
        /// The failure could not be undone (failed fdatasync or truncate): the journal takes no more writes.
        var broken = false
        /// The segment was fdatasync'ed after this batch (false for a batch of deletes only).
        var synced = true
    }

    /// Appends one batch to the head segment (starting a new segment first when it is full) and fdatasyncs it
    /// (a batch of deletes only is left to the next batch's fdatasync).
    /// A failed write is cut back off the file so the next batch starts at a clean record boundary.
    private func write(_ work: CommitWork) -> WriteOutcome {
        var segment = work.head
        var offset = work.headSize
        do {
            if offset > Int64(SegmentFile.headerBytes) && offset + Int64(work.bytes.count) > Int64(options.segmentBytes) {
                // Deletes written without a sync stay in the segment being left: make them durable with it.
                if work.headUnsynced {
                    do {
                        try fileSystem.fdatasync(segment.fd, path: segment.path)
                    } catch {
                        // As below: after a failed fdatasync nothing since the last good one can be trusted.
                        return WriteOutcome(segment: segment, offset: offset, error: asQueueError(error), broken: true)
                    }
                }
                segment = try SegmentFile.create(
                    number: segment.number + 1, directory: journalDirectory, lowWater: work.lowWater, fileSystem: fileSystem)
                offset = Int64(SegmentFile.headerBytes)
            }
        } catch {
            return WriteOutcome(segment: segment, offset: offset, error: asQueueError(error))
        }
        do {
            try work.bytes.withUnsafeBytes { try fileSystem.write(segment.fd, $0, at: offset, path: segment.path) }
        } catch {
            var outcome = WriteOutcome(segment: segment, offset: offset, error: asQueueError(error))
            do {
                try fileSystem.truncate(segment.fd, to: offset, path: segment.path)
            } catch {
                outcome.broken = true
            }
            return outcome
        }
        if work.onlyDeletes { return WriteOutcome(segment: segment, offset: offset, synced: false) }
        do {
            try fileSystem.fdatasync(segment.fd, path: segment.path)
        } catch {
            // After a failed fdatasync the kernel may have dropped the dirty pages: nothing written since the last
            // good sync can be trusted, so stop accepting work until the queue is reopened and recovered.
            return WriteOutcome(segment: segment, offset: offset, error: asQueueError(error), broken: true)
        }
        return WriteOutcome(segment: segment, offset: offset)
    }

    func asQueueError(_ error: any Error) -> QueueError {
        if let error = error as? QueueError { return error.on(queue: name) }
        if let error = error as? FileSystemError { return QueueError(error).on(queue: name) }
        return QueueError(.fileSystem, "\(error)", hint: "Check the state directory.", queue: name)
    }
}
