import Foundation
import Testing

@testable import StarfleetQueue

/// issue 20, item 7: numbers read from a journal file (header fields, record fields, segment numbers in file names)
/// are damage when no writer can have produced them. Recovery quarantines and reports them (the queue DEGRADED);
/// it never traps on them, loops up to them or allocates by them.
@Suite struct HostileJournalTests {
    /// The committed fuzz corpus of the journal target (Tests/FuzzCorpus/journal).
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzCorpus/journal")

    private func bytes(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    private func write(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    /// A segment file as the writer lays it out: the header, then the records framed.
    private func segment(number: UInt64, lowWater: UInt64 = 0, records: [JournalRecord] = []) -> [UInt8] {
        var out = ByteWriter()
        out.bytes = SegmentFile.header(number: number, lowWater: lowWater)
        for record in records { record.encode(into: &out) }
        return out.bytes
    }

    private func messageRecord(_ id: MessageID, body: String, sentMs: Int64) -> JournalRecord {
        .message(
            MessageRecord(
                id: id, sentMs: sentMs, visibleAtMs: 0, receiveCount: 0, firstReceiveMs: 0, lastReceiveMs: 0,
                deduplicationId: nil, attributes: [:], failures: [], body: Array(body.utf8)))
    }

    /// Two opens, one message each: "first" in segment 1, "second" in segment 2.
    private func twoSegments(_ f: QueueFixture) async throws {
        for body in ["first", "second"] {
            let q = try f.open()
            _ = try await q.send([message(body)])
            await q.close()
        }
        #expect(f.journalFiles().map { URL(fileURLWithPath: $0).lastPathComponent } == ["000000000001.seg", "000000000002.seg"])
    }

    private func bodies(_ q: JournalQueue) async throws -> [String] {
        try await q.receive(max: 10, visibilityTimeout: nil, wait: 0).map(\.body).sorted()
    }

    /// The input that made `markedLowWater + 1` trap (a header low-water mark of 2^64 - 1): recovery moves the
    /// segment to quarantine and marks the queue degraded; the segment after it is recovered and the queue works.
    @Test func headerLowWaterNearTwoToThe64IsQuarantinedNotATrap() async throws {
        let crash = try bytes(Self.corpus.appendingPathComponent("header-lowwater-overflow").path)
        let f = QueueFixture()
        try await twoSegments(f)
        let first = try #require(f.journalFiles().first)
        try write(crash, to: first)

        let seen = try JournalQueue.inspect(
            directory: f.directory("AuditWorker"), options: f.options, clock: f.clock, logger: f.logger)
        #expect(seen.report.unreadableSegments == [first])

        let q = try f.open()
        #expect(q.recoveryReport.unreadableSegments == [first])
        #expect(q.recoveryReport.missingSegments.isEmpty)
        let record = try #require(q.degraded)
        #expect(record.quarantinedSegments == [1] && record.missingSegments.isEmpty)
        let moved = f.directory("AuditWorker") + "/quarantine/000000000001.seg"
        #expect(try bytes(moved) == crash)
        #expect(try await bodies(q) == ["second"])
        _ = try await q.send([message("third")])
        #expect(try await bodies(q) == ["third"])
        await q.close()
    }

    /// The daemon's case from the issue: that file is the queue's only segment.
    @Test func headerLowWaterOverflowAsTheOnlySegmentLeavesAnEmptyDegradedQueue() async throws {
        let crash = try bytes(Self.corpus.appendingPathComponent("header-lowwater-overflow").path)
        let f = QueueFixture()
        try FileManager.default.createDirectory(
            atPath: f.directory("AuditWorker") + "/journal", withIntermediateDirectories: true)
        try write(crash, to: f.directory("AuditWorker") + "/journal/000000000001.seg")
        let q = try f.open()
        #expect(q.recoveryReport.unreadableSegments.count == 1)
        #expect(q.degraded?.quarantinedSegments == [1])
        #expect(try q.messages().isEmpty)
        _ = try await q.send([message("after")])
        #expect(try await bodies(q) == ["after"])
        await q.close()
    }

    /// A header low-water mark at or above its own segment's number cannot have been written (compaction never
    /// takes the head): the segment is damaged, and the segments it would have hidden are not unlinked.
    @Test func headerLowWaterNotBelowItsOwnNumberIsDamage() async throws {
        let f = QueueFixture()
        try await twoSegments(f)
        let files = f.journalFiles()
        var second = try bytes(files[1])
        second.replaceSubrange(24..<32, with: SegmentFile.header(number: 2, lowWater: 2)[24..<32])
        try write(second, to: files[1])
        let q = try f.open()
        #expect(q.recoveryReport.unreadableSegments == [files[1]])
        #expect(FileManager.default.fileExists(atPath: files[0]))
        #expect(try await bodies(q) == ["first"])
        await q.close()
    }

    /// A checksum-valid `compacted` record naming segment 2^64 - 1 (or its own segment) is quarantined: it neither
    /// traps the missing-segment walk nor raises the low-water mark so that open unlinks segments that exist.
    @Test func compactedRecordNamingItsOwnOrALaterSegmentIsQuarantined() async throws {
        let f = QueueFixture()
        try await twoSegments(f)
        let files = f.journalFiles()
        var first = try bytes(files[0])
        var more = ByteWriter()
        JournalRecord.compacted(throughSegment: UInt64.max).encode(into: &more)
        JournalRecord.compacted(throughSegment: 1).encode(into: &more)
        first += more.bytes
        try write(first, to: files[0])
        let q = try f.open()
        #expect(q.recoveryReport.quarantined.count == 2)
        #expect(q.recoveryReport.quarantined.allSatisfy { $0.segmentPath == files[0] })
        #expect(q.degraded?.quarantinedSegments == [1])
        #expect(f.journalFiles().count == 3)
        #expect(try await bodies(q) == ["first", "second"])
        await q.close()
    }

    /// A segment file numbered past what the index can hold (here 2^64 - 1, header matching) is damage: it is
    /// quarantined, it does not become the newest (the next head would be 2^64), and no gap is walked up to it.
    @Test func segmentNumberedPastTheIndexIsQuarantined() async throws {
        let f = QueueFixture()
        try await twoSegments(f)
        let stray = f.directory("AuditWorker") + "/journal/" + SegmentFile.fileName(UInt64.max)
        try write(segment(number: UInt64.max), to: stray)
        let q = try f.open()
        #expect(q.recoveryReport.unreadableSegments == [stray])
        #expect(q.recoveryReport.missingSegments.isEmpty)
        #expect(f.journalFiles().map { URL(fileURLWithPath: $0).lastPathComponent }.last == "000000000003.seg")
        #expect(try await bodies(q) == ["first", "second"])
        await q.close()
    }

    /// Only the writer's own file names are segments: "1.seg" parses to 1 too, and reading it would read
    /// 000000000001.seg a second time.
    @Test func aNameThatIsNotTheWritersIsNotASegment() async throws {
        let f = QueueFixture()
        try await twoSegments(f)
        let journal = f.directory("AuditWorker") + "/journal/"
        try write(try bytes(f.journalFiles()[0]), to: journal + "1.seg")
        let q = try f.open()
        #expect(q.recoveryReport.segmentsRead == 2 && q.recoveryReport.isClean)
        #expect(try await bodies(q) == ["first", "second"])
        await q.close()
    }

    /// A well-formed segment numbered four billion ahead: the gap is real as far as recovery can tell, but it is
    /// reported in bounded time and size (one step per file, at most `maxMissingListed` numbers).
    @Test func aHugeGapIsReportedWithoutWalkingIt() async throws {
        let f = QueueFixture()
        try await twoSegments(f)
        let far: UInt64 = 4_000_000_000
        try write(segment(number: far), to: f.directory("AuditWorker") + "/journal/" + SegmentFile.fileName(far))
        let q = try f.open()
        let missing = q.recoveryReport.missingSegments
        #expect(missing.count == RecoveryReport.maxMissingListed)
        #expect(missing.first == 3 && missing.last == UInt64(2 + RecoveryReport.maxMissingListed))
        #expect(try await bodies(q) == ["first", "second"])
        await q.close()
    }

    /// Damage where every fourth byte starts what looks like a 4 MiB record of a known type: checking each would
    /// checksum 4 MiB per 4 bytes of file (terabytes here). The scan gives up within its budget and quarantines the
    /// rest of the segment; what came before the damage and the next segment are recovered.
    @Test(.timeLimit(.minutes(1))) func damageShapedLikeEndlessRecordsIsGivenUpOn() async throws {
        let f = QueueFixture()
        try await twoSegments(f)
        let files = f.journalFiles()
        let good = try bytes(files[0])
        // 01 00 3F 00 repeated: a length of 0x3F0001 (under 4 MiB) and the type byte 1 (message) at every 4th byte.
        var pattern = [UInt8](repeating: 0, count: 8 << 20)
        for i in stride(from: 0, to: pattern.count, by: 4) {
            pattern[i] = 0x01
            pattern[i + 2] = 0x3F
        }
        try write(good + pattern, to: files[0])
        let q = try f.open()
        let quarantined = q.recoveryReport.quarantined
        #expect(quarantined.count == 1)
        #expect(quarantined.first?.offset == Int64(good.count) && quarantined.first?.length == Int64(pattern.count))
        #expect(try await bodies(q) == ["first", "second"])
        await q.close()
    }

    /// Length and count fields inside a checksum-valid record (a body length of 2^32 - 1, 65,535 attributes with
    /// none there) fail to decode: the record is quarantined, nothing is allocated by them, the neighbours survive.
    @Test func lengthAndCountFieldsNearTheirMaximumAreQuarantined() async throws {
        let f = QueueFixture()
        try await twoSegments(f)
        let files = f.journalFiles()
        // A message record, then its body length patched to 0xFFFFFFFF and the frame sealed again.
        var long = ByteWriter()
        messageRecord(MessageID(high: 1, low: 1), body: "x", sentMs: Milliseconds.from(f.clock.now())).encode(into: &long)
        let bodyLength = long.bytes.count - 1 - 4
        long.bytes.replaceSubrange(bodyLength..<(bodyLength + 4), with: [0xFF, 0xFF, 0xFF, 0xFF])
        JournalRecord.seal(&long.bytes, at: 0)
        // A message record cut after its attribute count, which says 65,535.
        var many = ByteWriter()
        let start = many.bytes.count
        many.u32(0)
        many.u32(0)
        many.u8(JournalRecord.Kind.message.rawValue)
        many.id(MessageID(high: 2, low: 2))
        for _ in 0..<5 { many.i64(0) }
        many.optionalString(nil)
        many.u16(UInt16.max)
        JournalRecord.seal(&many.bytes, at: start)
        try write(try bytes(files[0]) + long.bytes + many.bytes, to: files[0])
        let q = try f.open()
        #expect(q.recoveryReport.quarantined.count == 2)
        #expect(try await bodies(q) == ["first", "second"])
        await q.close()
    }

    /// A send time of Int64.max (a checksum-valid record) keeps the message (it is not past retention) and a
    /// receive of it does not trap on `sentMs + retention`; a receive time of Int64.min makes a visibility change
    /// a refusal, not a trap on `target - lastReceive`.
    @Test func timesAtTheEndsOfInt64DoNotTrap() async throws {
        let f = QueueFixture()
        try await twoSegments(f)
        let files = f.journalFiles()
        let future = MessageID(high: 3, low: 3)
        let past = MessageID(high: 4, low: 4)
        let nowMs = Milliseconds.from(f.clock.now())
        var more = ByteWriter()
        messageRecord(future, body: "future", sentMs: Int64.max).encode(into: &more)
        messageRecord(past, body: "past", sentMs: nowMs).encode(into: &more)
        JournalRecord.receive(id: past, receiveCount: 1, receivedMs: Int64.min, visibleAtMs: 0, firstReceiveMs: Int64.min)
            .encode(into: &more)
        try write(try bytes(files[0]) + more.bytes, to: files[0])
        let q = try f.open()
        #expect(q.recoveryReport.isClean)
        // Before any receive here: a receive sets the receive time to now.
        let error = await #expect(throws: QueueError.self) {
            try await q.changeVisibility(ReceiptHandle(id: past, receiveCount: 1), timeout: 10)
        }
        #expect(error?.code == .invalidParameterValue)
        #expect(try await bodies(q) == ["first", "future", "past", "second"])
        await q.close()
    }
}
