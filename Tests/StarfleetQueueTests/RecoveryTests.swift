import Foundation
import StarfleetClock
import Testing

@testable import StarfleetQueue

/// Crash states made by hand on the files, then a reopen.
@Suite struct RecoveryTests {
    private func appendBytes(_ bytes: [UInt8], to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    private func sendEach(_ q: JournalQueue, _ bodies: [String]) async throws -> [String] {
        var ids: [String] = []
        for body in bodies { ids.append(try await q.send([message(body)])[0].messageId) }
        return ids
    }

    @Test func reopenKeepsMessagesCountsAndVisibilityDeadlines() async throws {
        let f = QueueFixture(visibilityTimeout: 60)
        f.options.releaseInFlightOnOpen = false  // SQS's own rule: in flight until the timeout
        var q = try f.open()
        _ = try await q.send([message("a"), message("b")])
        let a = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)[0]
        await q.close()
        q = try f.open()
        #expect(q.recoveryReport.isClean && q.recoveryReport.messagesRecovered == 2)
        // "a" is still in flight after the restart; its handle still works.
        #expect(try await q.receive(max: 10, visibilityTimeout: nil, wait: 0).map(\.body) == ["b"])
        try await q.changeVisibility(a.receiptHandle, timeout: 0)
        let again = try await q.receive(max: 10, visibilityTimeout: nil, wait: 0)
        #expect(again.map(\.body) == ["a"] && again[0].receiveCount == 2)
        await q.close()
    }

    /// The default for the daemon: the lock proves the process that received "a" is gone, so "a" is visible at
    /// once after the restart, with its receive count kept (it counts toward maxReceiveCount).
    @Test func reopenReleasesMessagesInFlightOfTheDeadProcess() async throws {
        let f = QueueFixture(visibilityTimeout: 300)
        var q = try f.open()
        _ = try await q.send([message("a"), message("b")])
        _ = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)
        await q.close()
        q = try f.open()
        let again = try await q.receive(max: 10, visibilityTimeout: nil, wait: 0)
        #expect(again.map(\.body).sorted() == ["a", "b"])
        #expect(again.first { $0.body == "a" }?.receiveCount == 2)
        await q.close()
    }

    @Test func tornTailIsTruncatedAtTheLastGoodRecord() async throws {
        let f = QueueFixture()
        var q = try f.open()
        _ = try await sendEach(q, ["one", "two", "three"])
        await q.close()
        let segment = try #require(f.journalFiles().last)
        let size = try #require(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        // Half a record: a plausible length, a checksum, and too few bytes.
        try appendBytes([60, 0, 0, 0, 1, 2, 3, 4, 1, 9, 9, 9], to: segment)
        q = try f.open()
        #expect(q.recoveryReport.truncatedTails.count == 1)
        #expect(q.recoveryReport.truncatedTails.first?.offset == Int64(size))
        #expect(q.recoveryReport.quarantined.isEmpty)
        #expect(try await q.receive(max: 10, visibilityTimeout: nil, wait: 0).map(\.body) == ["one", "two", "three"])
        await q.close()
        let after = try #require(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        #expect(after == size)
    }

    @Test func zeroFilledTailIsTruncated() async throws {
        let f = QueueFixture()
        var q = try f.open()
        _ = try await sendEach(q, ["one", "two"])
        await q.close()
        let segment = try #require(f.journalFiles().last)
        try appendBytes([UInt8](repeating: 0, count: 8192), to: segment)
        q = try f.open()
        #expect(q.recoveryReport.truncatedTails.first?.bytesDropped == 8192)
        #expect(try await q.stats().visible == 2)
        await q.close()
    }

    @Test func corruptMiddleRecordIsQuarantinedAndRecoveryGoesOnPastIt() async throws {
        let f = QueueFixture()
        var q = try f.open()
        _ = try await sendEach(q, ["first-body", "second-body", "third-body"])
        await q.close()
        let segment = try #require(f.journalFiles().first)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        let position = try #require(bytes.indices.first { bytes[$0...].starts(with: Array("second-body".utf8)) })
        bytes[position] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        q = try f.open()
        let report = q.recoveryReport
        #expect(report.quarantined.count == 1)
        #expect(report.truncatedTails.isEmpty)
        let quarantined = try #require(report.quarantined.first)
        #expect(FileManager.default.fileExists(atPath: quarantined.quarantinePath))
        #expect(quarantined.quarantinePath.contains("/quarantine/"))
        let saved = try Data(contentsOf: URL(fileURLWithPath: quarantined.quarantinePath))
        #expect(saved.count == Int(quarantined.length))
        #expect(try await q.receive(max: 10, visibilityTimeout: nil, wait: 0).map(\.body) == ["first-body", "third-body"])
        await q.close()
    }

    @Test func corruptLengthFieldIsSkippedByScanningForward() async throws {
        let f = QueueFixture()
        var q = try f.open()
        _ = try await sendEach(q, ["aaaa", "bbbb", "cccc"])
        await q.close()
        let segment = try #require(f.journalFiles().first)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        // The second record's length field: just after the first record.
        let firstLength = Int(bytes[32]) | Int(bytes[33]) << 8
        let second = 32 + 8 + firstLength
        bytes[second + 2] = 0x7F
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        q = try f.open()
        #expect(q.recoveryReport.quarantined.count == 1)
        #expect(try await q.receive(max: 10, visibilityTimeout: nil, wait: 0).map(\.body) == ["aaaa", "cccc"])
        await q.close()
    }

    @Test func missingSegmentIsReportedAndTheRestRecovered() async throws {
        let f = QueueFixture(segmentBytes: 4096)
        var q = try f.open()
        let ids = try await sendEach(q, (0..<12).map { "message \($0) " + String(repeating: "x", count: 1500) })
        await q.close()
        let files = f.journalFiles()
        #expect(files.count >= 4)
        try FileManager.default.removeItem(atPath: files[1])
        q = try f.open()
        #expect(q.recoveryReport.missingSegments == [2])
        let left = Set(try q.messages().map(\.messageId))
        #expect(left.count < 12 && left.count >= 8)
        #expect(left.isSubset(of: Set(ids)))
        await q.close()
    }

    @Test func receiveCountsNeverGoBackwardsAcrossRestarts() async throws {
        let f = QueueFixture(maxReceiveCount: 10, visibilityTimeout: 0)
        var q = try f.open()
        _ = try await q.send([message("m")])
        for expected in 1...5 {
            let m = try await q.receive(max: 1, visibilityTimeout: 0, wait: 0)
            #expect(m.first?.receiveCount == expected)
            await q.close()
            q = try f.open()
        }
        await q.close()
    }

    @Test func compactionUnlinksDeadSegmentsAndReopenSeesNoGap() async throws {
        let f = QueueFixture(segmentBytes: 4096)
        var q = try f.open()
        _ = try await sendEach(q, (0..<12).map { "m\($0) " + String(repeating: "y", count: 1500) })
        let keep = try await q.send([message("keeper")])[0].messageId
        let before = f.journalFiles().count
        #expect(before >= 4)
        while true {
            let got = try await q.receive(max: 10, visibilityTimeout: nil, wait: 0)
            if got.isEmpty { break }
            for m in got where m.body != "keeper" { _ = try await q.delete(m.receiptHandle) }
        }
        await q.compact()
        let after = f.journalFiles().count
        #expect(after < before)
        await q.close()
        q = try f.open()
        #expect(q.recoveryReport.isClean)
        #expect(try q.messages().map(\.messageId) == [keep])
        await q.close()
    }

    @Test func aSegmentFromANewerFormatVersionIsRefused() async throws {
        let f = QueueFixture()
        let q = try f.open()
        _ = try await q.send([message("m")])
        await q.close()
        let segment = try #require(f.journalFiles().first)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        bytes[8] = 2
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        let error = #expect(throws: QueueError.self) { _ = try f.open() }
        #expect(error?.code == .unsupportedFormatVersion)
    }

    @Test func aSecondOpenWhileTheFirstHoldsTheLockIsRefused() async throws {
        let f = QueueFixture()
        let q = try f.open()
        let error = #expect(throws: QueueError.self) { _ = try f.open() }
        #expect(error?.code == .locked)
        // Read-only inspection works meanwhile.
        _ = try await q.send([message("m")])
        let seen = try JournalQueue.inspect(
            directory: f.directory("AuditWorker"), options: f.options, clock: f.clock, logger: f.logger)
        #expect(seen.stats.visible == 1)
        await q.close()
    }
}
