import Foundation
import StarfleetClock
import Testing

@testable import StarfleetQueue

/// Issue 13: what an operator or an editor leaves in dead-letter/ never makes a dlq command fail.
@Suite struct DeadLetterStrayTests {
    @Test func straysAreSkippedAndReportedNeverFatal() async throws {
        let f = QueueFixture(maxReceiveCount: 1)
        let q = try f.open()
        let id = try await q.send([message("payload")])[0].messageId
        let got = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)
        _ = try await q.retryOrDeadLetter(
            got[0].receiptHandle,
            failure: FailureRecord(
                time: f.clock.now(), error: "boom", exitStatus: 1, stderrTail: ""), retryAfter: 600)
        await q.close()
        let root = f.state + "/dead-letter"
        let fm = FileManager.default
        try Data("notes\n".utf8).write(to: URL(fileURLWithPath: root + "/README"))
        try Data().write(to: URL(fileURLWithPath: root + "/.README.swp"))
        try fm.createDirectory(atPath: root + "/old stuff", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/AuditWorker/README.md"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/AuditWorker/\(id).json.tmp"))
        try fm.createDirectory(atPath: root + "/AuditWorker/folder.json", withIntermediateDirectories: true)

        #expect(try f.deadLetters.workers() == ["AuditWorker"])
        #expect(try f.deadLetters.ids(worker: "AuditWorker") == [id])
        let listed = try f.deadLetters.list(worker: "AuditWorker")
        #expect(listed.map(\.messageId) == [id])
        #expect(try f.deadLetters.show(id: id).messageId == id)
        let strays = f.deadLetters.strays().map { $0.path.replacingOccurrences(of: root + "/", with: "") }
        #expect(
            Set(strays) == [
                "AuditWorker/README.md", "AuditWorker/\(id).json.tmp", "AuditWorker/folder.json", "README", "old stuff",
            ])
        // A worker name that is a stray file is simply not a worker.
        #expect(try f.deadLetters.ids(worker: "README") == [])
        #expect(try f.deadLetters.purge(worker: "AuditWorker", .all) == 1)
    }
}
