import Foundation
import Glibc
import StarfleetFiles
import Synchronization
import Testing

@testable import StarfleetRunHistory

/// The daemon's entry point: runs recorded from many executions at once, each worker's folder opened once.
@Suite struct RunHistoryStoreTests {
    /// The real file system, counting how often a folder is listed (once per recovery) and lingering there (yielding
    /// the CPU, no sleep) so that concurrent first runs overlap the recovery.
    final class CountingFileSystem: FileSystem {
        let base = PosixFileSystem()
        let listings = Mutex(0)

        func contents(ofDirectory path: String) throws -> [String] {
            listings.withLock { $0 += 1 }
            for _ in 0..<2000 { sched_yield() }
            return try base.contents(ofDirectory: path)
        }

        func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 { try base.open(path, flags: flags, mode: mode) }
        func close(_ fd: Int32) { base.close(fd) }
        func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
            try base.write(fd, bytes, at: offset, path: path)
        }
        func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
            try base.read(fd, into: buffer, at: offset, path: path)
        }
        func fdatasync(_ fd: Int32, path: String) throws { try base.fdatasync(fd, path: path) }
        func fsync(_ fd: Int32, path: String) throws { try base.fsync(fd, path: path) }
        func truncate(_ fd: Int32, to size: Int64, path: String) throws { try base.truncate(fd, to: size, path: path) }
        func size(_ fd: Int32, path: String) throws -> Int64 { try base.size(fd, path: path) }
        func rename(_ from: String, to: String) throws { try base.rename(from, to: to) }
        func unlink(_ path: String) throws { try base.unlink(path) }
        func makeDirectories(_ path: String, mode: UInt32) throws { try base.makeDirectories(path, mode: mode) }
        func syncDirectory(_ path: String) throws { try base.syncDirectory(path) }
        func fileExists(_ path: String) -> Bool { base.fileExists(path) }
    }

    /// A worker's first runs arrive together (Concurrency 8 and a fan-out): its folder is recovered once, and no
    /// run is lost to a second recovery cutting what the first writer was appending.
    @Test func concurrentFirstRunsAreAllRecordedAndTheFolderIsRecoveredOnce() async throws {
        let f = HistoryFixture()
        let fileSystem = CountingFileSystem()
        let store = RunHistoryStore(root: f.root, clock: f.clock, logger: f.logger, fileSystem: fileSystem)
        let limits = RunHistoryLimits(maxRuns: 1000, maxAgeSeconds: 86_400)
        let runs = (1...64).map { f.run($0) }
        await withTaskGroup(of: Void.self) { group in
            for run in runs { group.addTask { store.record(run, limits: limits) } }
        }
        #expect(fileSystem.listings.withLock { $0 } == 1)
        let read = try f.read()
        #expect(read.runs.count == 64)
        #expect(Set(read.runs.map(\.messageId)) == Set(runs.map(\.messageId)))
        #expect(read.problems.isEmpty && read.unfinishedTailBytes == 0)
    }

    @Test func maxRunsZeroRecordsNothingAndCreatesNoFolder() throws {
        let f = HistoryFixture()
        let store = RunHistoryStore(root: f.root, clock: f.clock, logger: f.logger)
        store.record(f.run(1), limits: RunHistoryLimits(maxRuns: 0, maxAgeSeconds: 86_400))
        #expect(!FileManager.default.fileExists(atPath: f.directory()))
    }
}
