import Foundation
import Testing

@testable import StarfleetRunHistory

@Suite struct RunHistoryWriterTests {
    @Test func appendedRunsReadBackWithEveryField() throws {
        let f = HistoryFixture()
        let (writer, _) = try f.open()
        let failed = RunRecord(
            worker: "AuditWorker", template: "AuditWorker/a.yaml", account: "222222222222", region: "eu-west-1",
            messageId: "id-2",
            attempt: 3, started: f.clock.now(), durationSeconds: 1.5, outcome: .deadLettered, exitStatus: 2,
            errorType: "Runtime.ExitError",
            error: "audit.py exited with status 2", resultBytes: 0, resultExcerpt: nil,
            stderrExcerpt: "Traceback …\nKeyError: 'x'")
        try writer.append(f.run(1), limits: .default)
        try writer.append(failed, limits: .default)
        let read = try f.read()
        #expect(read.runs == [f.run(1), failed])
        #expect(read.problems.isEmpty)
        #expect(read.unfinishedTailBytes == 0)
    }

    /// A file name is input: a segment "numbered" 2^64 - 1 (or written another way) is not the writer's, so the next
    /// segment's number never overflows; the runs go on in a segment of the writer's own.
    @Test func aFileNamedPastTheLastSegmentNumberIsNotASegment() throws {
        let f = HistoryFixture()
        try FileManager.default.createDirectory(atPath: f.directory(), withIntermediateDirectories: true)
        for name in ["18446744073709551615.runs", "1.runs", "0000000000000.runs", "000000000000.runs"] {
            _ = FileManager.default.createFile(atPath: f.directory() + "/" + name, contents: Data(repeating: 0xFF, count: 64))
        }
        let (writer, _) = try f.open()
        try writer.append(f.run(1), limits: .default)
        #expect(try f.read().runs.map(\.messageId) == ["m-1"])
        #expect(f.segments().contains("000000000001.runs"))
    }

    @Test func reopeningAppendsAfterTheExistingRuns() throws {
        let f = HistoryFixture()
        do {
            let (writer, _) = try f.open()
            try writer.append(f.run(1), limits: .default)
        }
        let (writer, recovery) = try f.open()
        #expect(recovery.runs == 1)
        try writer.append(f.run(2), limits: .default)
        #expect(try f.read().runs.map(\.messageId) == ["m-1", "m-2"])
        #expect(f.segments().count == 1)
    }

    @Test func excerptsAndErrorsAreBoundedWhenWritten() throws {
        let f = HistoryFixture()
        let (writer, _) = try f.open()
        var run = f.run(1, outcome: .failedWillRetry)
        run.stderrExcerpt = String(repeating: "é", count: 5000) + "THE END"
        run.resultExcerpt = "START" + String(repeating: "x", count: 10_000)
        run.error = String(repeating: "e", count: 5000)
        try writer.append(run, limits: .default)
        let back = try #require(try f.read().runs.first)
        #expect(back.stderrExcerpt?.utf8.count ?? 0 <= RunRecord.excerptBytes)
        #expect(back.stderrExcerpt?.hasSuffix("THE END") == true)
        #expect(back.stderrExcerpt?.contains("\u{FFFD}") == false)  // cut on a character boundary
        #expect(back.resultExcerpt?.hasPrefix("START") == true)
        #expect(back.resultExcerpt?.utf8.count == RunRecord.excerptBytes)
        #expect(back.error?.utf8.count == RunRecord.errorBytes)
    }

    @Test func aWorkerNameThatIsNotOnePathComponentIsRefused() {
        let f = HistoryFixture()
        #expect(throws: RunHistoryError.self) { _ = try RunHistoryReader(root: f.root).read(worker: "../etc") }
    }
}
