import Foundation
import Glibc
import StarfleetFiles
import Synchronization
import Testing

@testable import StarfleetQueue

/// The real file system, remembering how far each file was fdatasync'ed, so that a power loss can be played: every
/// file is cut back to its synced size, as a kernel crash loses dirty pages.
final class SyncTrackingFileSystem: JournalFileSystem {
    private let real = PosixFileSystem()
    private let state = Mutex<(syncs: Int, synced: [String: Int64])>((0, [:]))

    var syncs: Int { state.withLock { $0.syncs } }

    /// Cuts every file it synced back to its size at its last fdatasync (what survives a power loss).
    func losePower() throws {
        for (path, size) in state.withLock({ $0.synced }) {
            let fd = Glibc.open(path, O_WRONLY)
            guard fd >= 0 else { continue }
            defer { Glibc.close(fd) }
            _ = ftruncate(fd, __off_t(size))
        }
    }

    func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 { try real.open(path, flags: flags, mode: mode) }
    func close(_ fd: Int32) { real.close(fd) }
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        try real.write(fd, bytes, at: offset, path: path)
    }
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        try real.read(fd, into: buffer, at: offset, path: path)
    }
    func fdatasync(_ fd: Int32, path: String) throws {
        try real.fdatasync(fd, path: path)
        let size = try real.size(fd, path: path)
        state.withLock {
            $0.syncs += 1
            $0.synced[path] = size
        }
    }
    func fsync(_ fd: Int32, path: String) throws {
        try real.fsync(fd, path: path)
        let size = try real.size(fd, path: path)
        state.withLock { $0.synced[path] = size }
    }
    func truncate(_ fd: Int32, to size: Int64, path: String) throws { try real.truncate(fd, to: size, path: path) }
    func size(_ fd: Int32, path: String) throws -> Int64 { try real.size(fd, path: path) }
    func rename(_ from: String, to: String) throws { try real.rename(from, to: to) }
    func unlink(_ path: String) throws { try real.unlink(path) }
    func makeDirectories(_ path: String, mode: UInt32) throws { try real.makeDirectories(path, mode: mode) }
    func contents(ofDirectory path: String) throws -> [String] { try real.contents(ofDirectory: path) }
    func syncDirectory(_ path: String) throws { try real.syncDirectory(path) }
    func fileExists(_ path: String) -> Bool { real.fileExists(path) }
}

/// A batch of deletes only is written without an fdatasync of its own (no caller waits on a delete, and a lost one
/// only means the message is delivered again); the next batch's fdatasync makes it durable.
@Suite struct DeleteDurabilityTests {
    @Test func aDeleteCostsNoFdatasyncAndALostOneDeliversTheMessageAgain() async throws {
        let disk = SyncTrackingFileSystem()
        let f = QueueFixture(fileSystem: disk)
        var q = try f.open()
        _ = try await q.send([message("a")])
        let taken = try await q.receive(max: 1, visibilityTimeout: 30, wait: 0)
        let before = disk.syncs
        #expect(try await q.delete(taken[0].receiptHandle))
        try await q.waitForPendingRecords()
        #expect(disk.syncs == before)
        try disk.losePower()
        await q.close()
        q = try f.open()
        // A power loss drops the unsynced delete: the message comes back (at-least-once), with its receive count.
        let again = try await q.receive(max: 1, visibilityTimeout: 30, wait: 0)
        #expect(again.map(\.body) == ["a"])
        #expect(again.first?.receiveCount == 2)
    }

    @Test func theNextBatchsFdatasyncCarriesTheDelete() async throws {
        let disk = SyncTrackingFileSystem()
        let f = QueueFixture(fileSystem: disk)
        var q = try f.open()
        _ = try await q.send([message("a")])
        let taken = try await q.receive(max: 1, visibilityTimeout: 30, wait: 0)
        #expect(try await q.delete(taken[0].receiptHandle))
        try await q.waitForPendingRecords()
        let before = disk.syncs
        _ = try await q.send([message("b")])
        #expect(disk.syncs == before + 1)
        try disk.losePower()
        await q.close()
        q = try f.open()
        let left = try await q.receive(max: 10, visibilityTimeout: 30, wait: 0)
        #expect(left.map(\.body) == ["b"])
    }

    @Test func leavingASegmentSyncsTheDeletesItHolds() async throws {
        let disk = SyncTrackingFileSystem()
        let f = QueueFixture(segmentBytes: 4096, fileSystem: disk)
        var q = try f.open()
        // "keep" stays live, so the first segment is not compacted away: only its own sync can save the delete.
        _ = try await q.send([message("a")])
        _ = try await q.send([message("keep")])
        let taken = try await q.receive(max: 1, visibilityTimeout: 30, wait: 0)
        #expect(taken.map(\.body) == ["a"])
        #expect(try await q.delete(taken[0].receiptHandle))
        try await q.waitForPendingRecords()
        // Big enough to start a new segment: the old one's delete must be durable before it is left.
        _ = try await q.send([message(String(repeating: "x", count: 4000))])
        #expect(f.journalFiles().count == 2)
        try disk.losePower()
        await q.close()
        q = try f.open()
        let left = try await q.receive(max: 10, visibilityTimeout: 30, wait: 0)
        #expect(left.map { $0.body.count }.sorted() == [4, 4000])
    }
}
