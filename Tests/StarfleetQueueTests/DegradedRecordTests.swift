import Foundation
import StarfleetClock
import StarfleetFiles
import Testing

@testable import StarfleetQueue

/// issue 13: a lost or damaged journal segment leaves a record in the queue folder that stays until acknowledged.
@Suite struct DegradedRecordTests {
    private func fill(_ f: QueueFixture) async throws {
        let q = try f.open()
        for i in 0..<12 { _ = try await q.send([message("message \(i) " + String(repeating: "x", count: 1500))]) }
        await q.close()
    }

    @Test func missingMiddleSegmentIsRecordedUntilAcknowledged() async throws {
        let f = QueueFixture(segmentBytes: 4096)
        try await fill(f)
        let files = f.journalFiles()
        #expect(files.count >= 4)
        try FileManager.default.removeItem(atPath: files[1])
        var q = try f.open()
        #expect(q.recoveryReport.missingSegments == [2])
        let record = try #require(q.degraded)
        #expect(record.queue == "AuditWorker" && record.missingSegments == [2] && record.quarantinedSegments.isEmpty)
        #expect(record.summary == "missing segments 2")
        let path = DegradedRecord.path(queueDirectory: f.directory("AuditWorker"))
        let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        await q.close()

        // A restart does not clear it: the gap is gone from the journal (new segments follow), the record is not.
        q = try f.open()
        #expect(q.degraded?.missingSegments == [2])
        // The acknowledgement works while the queue is open (the daemon holds it) and shows at the next read.
        let removed = try DegradedRecord.acknowledge(queueDirectory: f.directory("AuditWorker"), queue: "AuditWorker")
        #expect(removed?.missingSegments == [2])
        #expect(q.degraded == nil)
        #expect(try DegradedRecord.acknowledge(queueDirectory: f.directory("AuditWorker"), queue: "AuditWorker") == nil)
        await q.close()
    }

    @Test func quarantinedSegmentIsRecordedTheSameWay() async throws {
        let f = QueueFixture(segmentBytes: 4096)
        try await fill(f)
        let files = f.journalFiles()
        // Damage the second segment's header: recovery moves the whole segment to quarantine.
        let handle = try #require(FileHandle(forWritingAtPath: files[1]))
        try handle.write(contentsOf: Data("NOTASEGM".utf8))
        try handle.close()
        let q = try f.open()
        let record = try #require(q.degraded)
        #expect(record.quarantinedSegments == [2] && record.missingSegments.isEmpty)
        #expect(
            record.quarantineFiles.contains { $0.hasSuffix("/quarantine/" + URL(fileURLWithPath: files[1]).lastPathComponent) })
        await q.close()
    }

    @Test func cleanJournalLeavesNoRecordAndLaterLossMerges() async throws {
        let f = QueueFixture(segmentBytes: 4096)
        try await fill(f)
        var q = try f.open()
        #expect(q.degraded == nil)
        await q.close()
        let earlier = DegradedRecord(
            queue: "AuditWorker", detectedAt: Date(timeIntervalSince1970: 1_000), missingSegments: [7],
            quarantinedSegments: [], quarantineFiles: [])
        try DegradedRecord.record(earlier, queueDirectory: f.directory("AuditWorker"), fileSystem: PosixFileSystem())
        try FileManager.default.removeItem(atPath: f.journalFiles()[1])
        q = try f.open()
        let merged = try #require(q.degraded)
        #expect(merged.missingSegments == [2, 7])
        #expect(merged.detectedAt == Date(timeIntervalSince1970: 1_000))
        await q.close()
    }
}
