import Glibc

extension JournalRecovery {
    /// Walks the records of one segment, calling `apply` for each good one, and deals with damage:
    /// in the newest segment, damage with no good record after it is a torn tail (truncated); anywhere else,
    /// a damaged range is quarantined and reading resumes at the next good record.
    func scan(
        _ raw: UnsafeRawBufferPointer, segment: SegmentFile, isNewest: Bool, report: inout RecoveryReport,
        apply: (Int64, Int, JournalRecord) -> Void
    ) throws {
        var offset = SegmentFile.headerBytes
        let end = raw.count
        var budget = Self.scanBudget(segmentBytes: end)
        while offset < end {
            let rest = UnsafeRawBufferPointer(rebasing: raw[offset..<end])
            if let frame = Self.checkFrame(rest, budget: &budget) {
                do {
                    let record = try JournalRecord.decode(
                        frame: UnsafeRawBufferPointer(rebasing: rest[0..<frame]), bodyWanted: false)
                    try Self.checkPlausible(record, in: segment)
                    apply(Int64(offset), frame, record)
                } catch {
                    // The checksum matched but the payload does not decode (an unknown record type, say).
                    try quarantine(raw, from: offset, count: frame, segment: segment, reason: "\(error)", report: &report)
                }
                offset += frame
                continue
            }
            let next = nextGoodFrame(raw, after: offset, budget: &budget)
            // A tail is cut off only when the scan looked at every byte of it; one given up on may still hold good
            // records, so it is copied to quarantine instead.
            if next == nil && isNewest && budget >= 0 {
                try truncateTail(segment, at: offset, size: end, zeros: rest.allSatisfy { $0 == 0 }, report: &report)
                return
            }
            let resume = next ?? end
            try quarantine(
                raw, from: offset, count: resume - offset, segment: segment,
                reason: budget >= 0 ? "checksum or framing mismatch" : "damaged; the scan for a next good record gave up",
                report: &report)
            offset = resume
        }
    }

    /// Refuses a record whose checksum matched but whose fields no writer can have produced, before recovery uses
    /// them: a `compacted` record is written into the head and names only older segments, so one naming its own
    /// segment or a later one is damage (it would raise the low-water mark past segments that exist).
    static func checkPlausible(_ record: JournalRecord, in segment: SegmentFile) throws {
        if case .compacted(let through) = record, through >= segment.number {
            throw QueueError(
                .corruptData, "a compacted record in segment \(segment.number) names segment \(through)",
                hint: "The record is quarantined.")
        }
    }

    /// How many bytes of failed checksums recovery may spend on one segment: every few bytes of damage can look like
    /// the start of a 4 MiB record, and checking each would cost a 4 MiB checksum per byte of file. The budget is
    /// far above what real damage costs (random bytes pass the cheap filters about once in 37,000).
    static func scanBudget(segmentBytes: Int) -> Int { (256 << 20) + 64 * segmentBytes }

    /// ``JournalRecord/validFrame(_:)``, charging a failed checksum to `budget`. A good frame is paid for by the
    /// bytes it consumes (reading moves past it); a failed one can be asked again a few bytes further on.
    private static func checkFrame(_ raw: UnsafeRawBufferPointer, budget: inout Int) -> Int? {
        if let frame = JournalRecord.validFrame(raw) { return frame }
        if raw.count >= JournalRecord.headerBytes {
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            // Only a plausible length that fits got as far as the checksum.
            if length >= 1, length <= JournalRecord.maxRecordBytes, JournalRecord.headerBytes + length <= raw.count {
                budget -= length
            }
        }
        return nil
    }

    /// The offset of the next record that checks out after a damaged one at `offset`: first where the damaged
    /// record's own length says the next one starts, else by scanning forward byte by byte. Each checksum is paid
    /// from `budget`; nil with `budget` below zero means the scan gave up, not that nothing good follows.
    private func nextGoodFrame(_ raw: UnsafeRawBufferPointer, after offset: Int, budget: inout Int) -> Int? {
        let end = raw.count
        if budget < 0 { return nil }
        if end - offset >= JournalRecord.headerBytes {
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            let candidate = offset + JournalRecord.headerBytes + length
            if length >= 1, length <= JournalRecord.maxRecordBytes, candidate < end,
                Self.checkFrame(UnsafeRawBufferPointer(rebasing: raw[candidate..<end]), budget: &budget) != nil
            {
                return candidate
            }
        }
        var position = offset + 1
        while position + JournalRecord.headerBytes < end {
            // Cheap filters first (plausible length, known type byte), the checksum last.
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
            if length >= 1, length <= JournalRecord.maxRecordBytes, position + JournalRecord.headerBytes + length <= end,
                JournalRecord.Kind(rawValue: raw[position + JournalRecord.headerBytes]) != nil
            {
                if Self.checkFrame(UnsafeRawBufferPointer(rebasing: raw[position..<end]), budget: &budget) != nil {
                    return position
                }
                if budget < 0 { return nil }
            }
            position += 1
        }
        return nil
    }

    private func truncateTail(_ segment: SegmentFile, at offset: Int, size: Int, zeros: Bool, report: inout RecoveryReport) throws
    {
        logger.warning(
            "journal tail is torn (a write the crash interrupted, never acknowledged); truncating at the last good record",
            metadata: [
                "path": "\(segment.path)", "offset": "\(offset)", "bytes": "\(size - offset)",
                "zeroFilled": "\(zeros)",
            ])
        report.truncatedTails.append(.init(path: segment.path, offset: Int64(offset), bytesDropped: Int64(size - offset)))
        guard !readOnly else { return }
        try fileSystem.truncate(segment.fd, to: Int64(offset), path: segment.path)
        try fileSystem.fsync(segment.fd, path: segment.path)
    }

    /// Copies a damaged range to `<queue>/quarantine/<segment>-<offset>.bad` (durably) and reports it.
    private func quarantine(
        _ raw: UnsafeRawBufferPointer, from offset: Int, count: Int, segment: SegmentFile, reason: String,
        report: inout RecoveryReport
    ) throws {
        let name = SegmentFile.fileName(segment.number).dropLast(4) + "-\(offset).bad"
        let path = quarantineDirectory + "/" + name
        logger.error(
            "journal record is damaged; quarantined it and carried on past it",
            metadata: [
                "path": "\(segment.path)", "offset": "\(offset)", "bytes": "\(count)",
                "quarantine": "\(path)", "reason": "\(reason)",
            ])
        report.quarantined.append(
            .init(
                segmentPath: segment.path, offset: Int64(offset), length: Int64(count),
                quarantinePath: path))
        guard !readOnly else { return }
        try fileSystem.makeDirectories(quarantineDirectory, mode: 0o700)
        let fd = try fileSystem.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: 0o600)
        defer { fileSystem.close(fd) }
        try fileSystem.write(fd, UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count)]), at: 0, path: path)
        try fileSystem.fsync(fd, path: path)
        try fileSystem.syncDirectory(quarantineDirectory)
    }
}

extension Array where Element == FailureRecord {
    /// Appends, keeping at most ``QueueLimits/maxFailuresKept`` (the first failure and the latest ones).
    mutating func appendKeepingLatest(_ failure: FailureRecord) {
        append(failure)
        if count > QueueLimits.maxFailuresKept { remove(at: 1) }
    }
}
