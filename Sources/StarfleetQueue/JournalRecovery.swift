import Glibc
import Logging
import StarfleetFiles

/// The journal as recovery found it: the rebuilt index and what the writer needs to carry on.
struct RecoveredJournal {
    var entries: [(MessageID, MessageEntry)] = []
    var deduplication = DeduplicationWindow()
    var segments: [UInt64: SegmentFile] = [:]
    var segmentMaxDedupMs: [UInt64: Int64] = [:]
    var lowWater: UInt64 = 0
    var newestSegment: UInt64 = 0
    var report = RecoveryReport()
}

/// Rebuilds a queue's state from its segments (docs/queue-format.md, "Recovery"):
/// - segments are read oldest first and every record's checksum is checked;
/// - a torn or zero-filled tail of the newest segment is truncated at the last good record (a warning);
/// - a damaged record elsewhere is copied to `<queue>/quarantine/` and skipped; reading resumes at the next
///   record that checks out (by its length, or by scanning forward);
/// - a segment missing between the compaction low-water mark and the newest one is reported;
/// - `readOnly` (inspection while the daemon holds the lock) changes nothing on disk.
struct JournalRecovery {
    let queueDirectory: String
    let fileSystem: any JournalFileSystem
    let logger: Logger
    let readOnly: Bool
    let nowMs: Int64
    let retentionMs: Int64

    var journalDirectory: String { queueDirectory + "/journal" }
    var quarantineDirectory: String { queueDirectory + "/quarantine" }

    private struct Recovering {
        var entry: MessageEntry
        var deduplicationId: String?
    }

    func run() throws -> RecoveredJournal {
        var out = RecoveredJournal()
        let names: [String]
        do {
            names = try fileSystem.contents(ofDirectory: journalDirectory)
        } catch let error as FileSystemError where error.errno == ENOENT && readOnly {
            return out
        }
        let numbers = names.compactMap(SegmentFile.number(inFileName:)).sorted()
        var messages: [MessageID: Recovering] = [:]
        // Ids in the order their `message` record was read: the ready queue's order, without a sort.
        var order: [MessageID] = []
        var markedLowWater: UInt64 = 0
        var buffer: [UInt8] = []

        for (position, number) in numbers.enumerated() {
            let isNewest = position == numbers.count - 1
            let path = journalDirectory + "/" + SegmentFile.fileName(number)
            let flags = readOnly ? O_RDONLY : O_RDWR
            let fd = try fileSystem.open(path, flags: flags, mode: 0)
            let segment = SegmentFile(number: number, path: path, fd: fd, fileSystem: fileSystem)
            let size = try fileSystem.size(fd, path: path)
            let valid = try readWhole(segment, size: size, into: &buffer)
            out.report.segmentsRead += 1
            try buffer.withUnsafeBytes { whole in
                let raw = UnsafeRawBufferPointer(rebasing: whole[0..<valid])
                guard let headerLowWater = try checkHeader(raw, segment: segment, isNewest: isNewest, out: &out) else {
                    // A newest segment torn at creation was removed: its number is free again, so no gap appears.
                    // A number out of range never becomes the newest: the head recovery starts is newest + 1.
                    if !isNewest && number < SegmentFile.maxNumber { out.newestSegment = max(out.newestSegment, number) }
                    return
                }
                out.newestSegment = max(out.newestSegment, number)
                markedLowWater = max(markedLowWater, headerLowWater)
                out.segments[number] = segment
                var report = out.report
                var records = 0
                try scan(raw, segment: segment, isNewest: isNewest, report: &report) { offset, frameLength, record in
                    records += 1
                    apply(
                        record, segment: number, offset: offset, length: frameLength, messages: &messages,
                        order: &order, lowWater: &markedLowWater, out: &out)
                }
                report.recordsRead += records
                out.report = report
            }
        }

        out.lowWater = markedLowWater
        reportMissingSegments(numbers, newest: out.newestSegment, lowWater: markedLowWater, report: &out.report)

        let horizon = nowMs - retentionMs
        out.entries.reserveCapacity(messages.count)
        for id in order {
            // An id can appear twice in `order` (purged, then a carried-forward copy): take it once.
            guard let recovering = messages.removeValue(forKey: id) else { continue }
            if recovering.entry.sentMs <= horizon {
                out.report.expiredOnOpen += 1
                continue
            }
            out.entries.append((id, recovering.entry))
        }
        out.report.messagesRecovered = out.entries.count
        return out
    }

    /// Reports the numbers above the low-water mark, below the newest segment, that have no file. The walk goes over
    /// the gaps between the files that exist (one step per file, one log line per gap) and lists at most
    /// ``RecoveryReport/maxMissingListed`` numbers: a stray file numbered far ahead must not make recovery count,
    /// log or allocate its way up to it.
    private func reportMissingSegments(
        _ numbers: [UInt64], newest: UInt64, lowWater: UInt64, report: inout RecoveryReport
    ) {
        let present = numbers.filter { $0 <= newest }
        for (previous, next) in zip(present, present.dropFirst()) {
            // Missing: above both the previous file and the low-water mark, below the next file. `after` is below
            // `next` here, so neither `after + 1` nor `next - 1` can overflow.
            let after = max(previous, lowWater)
            guard after < next, next - after > 1 else { continue }
            let count = next - after - 1
            logger.error(
                "journal segments missing; recovery continues with the segments that exist",
                metadata: [
                    "first": "\(SegmentFile.fileName(after + 1))", "last": "\(SegmentFile.fileName(next - 1))",
                    "count": "\(count)", "path": "\(journalDirectory)",
                ])
            var n = after + 1
            while n < next && report.missingSegments.count < RecoveryReport.maxMissingListed {
                report.missingSegments.append(n)
                n += 1
            }
        }
    }

    /// Applies one good record to the state being rebuilt.
    private func apply(
        _ record: JournalRecord, segment: UInt64, offset: Int64, length: Int, messages: inout [MessageID: Recovering],
        order: inout [MessageID], lowWater: inout UInt64, out: inout RecoveredJournal
    ) {
        switch record {
        case .message(let m):
            let entry = MessageEntry(
                segment: segment, offset: offset, length: Int32(length), sentMs: m.sentMs, visibleAtMs: m.visibleAtMs,
                firstReceiveMs: m.firstReceiveMs, lastReceiveMs: m.lastReceiveMs, receiveCount: m.receiveCount,
                failures: m.failures)
            if messages.updateValue(Recovering(entry: entry, deduplicationId: m.deduplicationId), forKey: m.id) == nil {
                order.append(m.id)
            }
            if let dedup = m.deduplicationId {
                if (out.deduplication[dedup]?.sentMs ?? .min) < m.sentMs,
                    m.sentMs > nowMs - Milliseconds.duration(QueueLimits.deduplicationInterval)
                {
                    out.deduplication[dedup] = DeduplicationEntry(messageID: m.id, sentMs: m.sentMs)
                }
                out.segmentMaxDedupMs[segment] = max(out.segmentMaxDedupMs[segment] ?? 0, m.sentMs)
            }
        case .receive(let id, let count, let receivedMs, let visibleAtMs, let firstReceiveMs):
            // A receive count never goes backwards, whatever order damaged files present records in.
            guard var r = messages[id], count >= r.entry.receiveCount else { return }
            r.entry.receiveCount = count
            r.entry.lastReceiveMs = receivedMs
            r.entry.visibleAtMs = visibleAtMs
            if r.entry.firstReceiveMs == 0 { r.entry.firstReceiveMs = firstReceiveMs }
            messages[id] = r
        case .visibility(let id, let count, let visibleAtMs, let failure):
            guard var r = messages[id], count == r.entry.receiveCount else { return }
            r.entry.visibleAtMs = visibleAtMs
            if let failure { r.entry.failures.appendKeepingLatest(failure) }
            messages[id] = r
        case .delete(let id, _), .deadLetter(let id, _):
            messages.removeValue(forKey: id)
        case .purge:
            messages.removeAll()
        case .compacted(let through):
            lowWater = max(lowWater, through)
        }
    }

    /// Reads a segment into `buffer`, reusing its memory from one segment to the next (fewer page faults and
    /// no 32 MiB allocation per segment).
    /// Returns how many bytes are valid.
    private func readWhole(_ segment: SegmentFile, size: Int64, into buffer: inout [UInt8]) throws -> Int {
        let count = Int(size)
        if buffer.count < count {
            buffer = []
            buffer = [UInt8](repeating: 0, count: count)
        }
        return try buffer.withUnsafeMutableBytes { raw in
            try fileSystem.read(
                segment.fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<count]), at: 0, path: segment.path)
        }
    }

    /// Validates the 32-byte header; returns the header's low-water mark, or nil when the segment is unusable
    /// (then it has been moved aside, or, for an empty newest segment torn at creation, removed).
    private func checkHeader(
        _ bytes: UnsafeRawBufferPointer, segment: SegmentFile, isNewest: Bool, out: inout RecoveredJournal
    ) throws -> UInt64? {
        if bytes.count < SegmentFile.headerBytes && isNewest && bytes.allSatisfy({ $0 == 0 }) || bytes.isEmpty {
            // Created, then the crash came before its header was durable: nothing was ever acknowledged in it.
            logger.warning(
                "journal segment has no complete header; removing it",
                metadata: ["path": "\(segment.path)", "bytes": "\(bytes.count)"])
            if !readOnly { try fileSystem.unlink(segment.path) }
            return nil
        }
        var reader = ByteReader(UnsafeRawBufferPointer(start: nil, count: 0))
        var version: UInt32 = 0
        var number: UInt64 = 0
        var lowWater: UInt64 = 0
        let magicOK = bytes.count >= SegmentFile.headerBytes && Array(bytes[0..<8]) == SegmentFile.magic
        if magicOK {
            reader = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[8..<SegmentFile.headerBytes]))
            version = try reader.u32()
            _ = try reader.u32()
            number = try reader.u64()
            lowWater = try reader.u64()
        }
        if magicOK && version > SegmentFile.formatVersion {
            throw QueueError(
                .unsupportedFormatVersion,
                "the journal segment was written by format version \(version); this starfleetd reads up to \(SegmentFile.formatVersion)",
                hint: "Run the starfleetd version that wrote it, or upgrade this one.", path: segment.path)
        }
        // The header has no checksum, so each field is checked against what a writer can have put there before
        // any is used: the low-water mark is always below the number of the segment that carries it (compaction
        // never takes the head), and a number past ``SegmentFile/maxNumber`` was never written.
        let damage: String? =
            if !magicOK {
                "no segment magic"
            } else if version != SegmentFile.formatVersion {
                "format version \(version)"
            } else if number != segment.number {
                "the header names segment \(number)"
            } else if number == 0 || number >= SegmentFile.maxNumber {
                "segment number \(number) is out of range"
            } else if lowWater >= number {
                "low-water mark \(lowWater) is not below the segment's own number"
            } else {
                nil
            }
        if let damage {
            logger.error(
                "journal segment header is damaged; moving the whole segment to quarantine",
                metadata: ["path": "\(segment.path)", "reason": "\(damage)"])
            out.report.unreadableSegments.append(segment.path)
            if !readOnly {
                try fileSystem.makeDirectories(quarantineDirectory, mode: 0o700)
                try fileSystem.rename(segment.path, to: quarantineDirectory + "/" + SegmentFile.fileName(segment.number))
                try fileSystem.syncDirectory(quarantineDirectory)
                try fileSystem.syncDirectory(journalDirectory)
            }
            return nil
        }
        return lowWater
    }
}
