import Foundation
import Glibc
import StarfleetClock
import StarfleetFiles
import Synchronization
import Testing

@testable import StarfleetQueue

/// The real file system, except that the Nth write (counting from when it is armed) fails with an errno.
final class FaultyFileSystem: JournalFileSystem {
    private let real = PosixFileSystem()
    private let plan = Mutex<(writes: Int, failAt: Int?, errno: Int32)>((0, nil, ENOSPC))

    /// Fails the `n`th write from now (1 = the next one) with `code`.
    func failWrite(_ n: Int, errno code: Int32 = ENOSPC) {
        plan.withLock { $0 = (0, n, code) }
    }

    func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 { try real.open(path, flags: flags, mode: mode) }
    func close(_ fd: Int32) { real.close(fd) }
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        let fail: Int32? = plan.withLock { p in
            p.writes += 1
            guard let at = p.failAt, p.writes == at else { return nil }
            p.failAt = nil
            return p.errno
        }
        if let fail {
            // Like a real full disk: part of the data may have landed before the error.
            if bytes.count > 1 {
                try real.write(fd, UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count / 2)]), at: offset, path: path)
            }
            throw QueueError.system("pwrite", path: path, errno: fail)
        }
        try real.write(fd, bytes, at: offset, path: path)
    }
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        try real.read(fd, into: buffer, at: offset, path: path)
    }
    func fdatasync(_ fd: Int32, path: String) throws { try real.fdatasync(fd, path: path) }
    func fsync(_ fd: Int32, path: String) throws { try real.fsync(fd, path: path) }
    func truncate(_ fd: Int32, to size: Int64, path: String) throws { try real.truncate(fd, to: size, path: path) }
    func size(_ fd: Int32, path: String) throws -> Int64 { try real.size(fd, path: path) }
    func rename(_ from: String, to: String) throws { try real.rename(from, to: to) }
    func unlink(_ path: String) throws { try real.unlink(path) }
    func makeDirectories(_ path: String, mode: UInt32) throws { try real.makeDirectories(path, mode: mode) }
    func contents(ofDirectory path: String) throws -> [String] { try real.contents(ofDirectory: path) }
    func syncDirectory(_ path: String) throws { try real.syncDirectory(path) }
    func fileExists(_ path: String) -> Bool { real.fileExists(path) }
}

@Suite struct FaultInjectionTests {
    @Test(arguments: [1, 2, 3])
    func enospcOnTheNthWriteFailsThatSendAndKeepsEverythingAcknowledged(n: Int) async throws {
        let faulty = FaultyFileSystem()
        let f = QueueFixture(fileSystem: faulty)
        var q = try f.open()
        var acknowledged: [String] = []
        faulty.failWrite(n)
        var failures: [QueueError] = []
        for i in 0..<6 {
            do {
                acknowledged.append(try await q.send([message("m\(i)"), message("m\(i)b")])[0].messageId)
            } catch let error as QueueError {
                failures.append(error)
            }
        }
        #expect(failures.count == 1)
        let failure = try #require(failures.first)
        #expect(failure.code == .fileSystem && failure.errno == ENOSPC)
        #expect(failure.description.contains("Free disk space"))
        #expect(failure.queue == "AuditWorker")
        #expect(acknowledged.count == 5)
        await q.close()
        q = try f.open()
        #expect(q.recoveryReport.isClean)
        let present = Set(try q.messages().map(\.messageId))
        #expect(Set(acknowledged).isSubset(of: present))
        #expect(present.count == 10)
        await q.close()
    }

    @Test func enospcOnAReceiveRecordPutsTheMessageBack() async throws {
        let faulty = FaultyFileSystem()
        let f = QueueFixture(fileSystem: faulty)
        let q = try f.open()
        _ = try await q.send([message("m")])
        faulty.failWrite(1)
        await #expect(throws: QueueError.self) { _ = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0) }
        let m = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)
        #expect(m.first?.receiveCount == 1)
        await q.close()
    }

    @Test func enospcOnTheDeadLetterFileKeepsTheMessageOnTheQueue() async throws {
        let faulty = FaultyFileSystem()
        let f = QueueFixture(maxReceiveCount: 1, fileSystem: faulty)
        let q = try f.open()
        let id = try await q.send([message("poison")])[0].messageId
        _ = try await q.receive(max: 1, visibilityTimeout: 0, wait: 0)
        faulty.failWrite(1)
        #expect(try await q.receive(max: 1, visibilityTimeout: 0, wait: 0).isEmpty)
        #expect(try f.deadLetters.ids(worker: "AuditWorker").isEmpty)
        #expect(try q.messages().map(\.messageId) == [id])
        f.clock.advance(by: 1)
        #expect(try await q.receive(max: 1, visibilityTimeout: 0, wait: 0).isEmpty)
        #expect(try f.deadLetters.ids(worker: "AuditWorker") == [id])
        await q.close()
    }

    /// The failure call says what the queue did: a retry with its time, the dead letter's file, or a message kept
    /// because the file could not be written (never a dead letter that did not happen).
    @Test func theFailureCallReturnsWhatBecameOfTheMessage() async throws {
        let faulty = FaultyFileSystem()
        let f = QueueFixture(maxReceiveCount: 2, fileSystem: faulty)
        let q = try f.open()
        let failure = { FailureRecord(time: f.clock.now(), error: "boom") }
        let id = try await q.send([message("flaky")])[0].messageId
        let first = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)[0]
        let retried = try await q.retryOrDeadLetter(first.receiptHandle, failure: failure(), retryAfter: 5)
        #expect(retried == .retried(visibleAt: f.clock.now().addingTimeInterval(5), attempt: 1, maxReceiveCount: 2))
        f.clock.advance(by: 5)
        let second = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0)[0]
        faulty.failWrite(2)  // the first is the failure's journal record, the second the dead-letter file
        let kept = try await q.retryOrDeadLetter(second.receiptHandle, failure: failure(), retryAfter: 5)
        guard case .kept(let why) = kept else {
            Issue.record("a dead letter that could not be written gave \(kept)")
            return
        }
        #expect(why.contains("could not be written"))
        #expect(try f.deadLetters.ids(worker: "AuditWorker").isEmpty)
        #expect(try q.messages().map(\.messageId) == [id])
        // A stale handle (the message received again since) leaves it as it is.
        #expect(try await q.retryOrDeadLetter(first.receiptHandle, failure: failure(), retryAfter: 0).isDeadLettered == false)
        let other = try await q.send([message("poison")])[0].messageId
        let taken = try await q.receive(max: 1, visibilityTimeout: nil, wait: 0).first { $0.messageId == other }
        let dead = try await q.deadLetter(try #require(taken).receiptHandle, failure: failure())
        #expect(dead == .deadLettered(location: f.state + "/dead-letter/AuditWorker/\(other).json", attempts: 1))
        await q.close()
    }
}
