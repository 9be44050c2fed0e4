import Foundation
import Glibc
import StarfleetFiles
import StarfleetTestSupport
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
        /// Writes (pwrite calls) so far.
        let writes = Mutex(0)
        /// While set, a write waits for it to be cleared: a stalled disk.
        let stalled = Mutex(false)

        /// A write is waiting on the stall.
        let waiting = Mutex(false)

        func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
            while stalled.withLock({ $0 }) {
                waiting.withLock { $0 = true }
                sched_yield()
            }
            waiting.withLock { $0 = false }
            writes.withLock { $0 += 1 }
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
        store.flush()
        #expect(fileSystem.listings.withLock { $0 } == 1)
        let read = try f.read()
        #expect(read.runs.count == 64)
        #expect(Set(read.runs.map(\.messageId)) == Set(runs.map(\.messageId)))
        #expect(read.problems.isEmpty && read.unfinishedTailBytes == 0)
    }

    /// Runs that finish while a write is under way go out together: one write for many runs, across a segment's end.
    @Test func runsQueuedDuringAWriteShareTheNextOne() throws {
        let f = HistoryFixture()
        let fileSystem = CountingFileSystem()
        let store = RunHistoryStore(root: f.root, clock: f.clock, logger: f.logger, fileSystem: fileSystem)
        let limits = RunHistoryLimits(maxRuns: 64, maxAgeSeconds: 86_400)  // segments of 16
        store.record(f.run(0), limits: limits)
        store.flush()
        let before = fileSystem.writes.withLock { $0 }
        fileSystem.stalled.withLock { $0 = true }
        store.record(f.run(1), limits: limits)  // its drain waits on the disk
        for n in 2...40 { store.record(f.run(n), limits: limits) }
        fileSystem.stalled.withLock { $0 = false }
        store.flush()
        let read = try f.read()
        #expect(read.runs.map(\.messageId) == (0...40).map { "m-\($0)" })
        #expect(read.problems.isEmpty && read.unfinishedTailBytes == 0)
        // Run 1 alone, then 2…40 as one batch split where segments end (15 + 16 + 8 runs): 4 record writes, 3 headers.
        #expect(fileSystem.writes.withLock { $0 } - before <= 7)
        #expect(f.segments().count == 3)
    }

    /// A stalled disk cannot grow the daemon's memory: past `maxQueued` runs are dropped, counted and logged.
    @Test func aStalledDiskDropsRunsPastTheBoundAndSaysSo() throws {
        let f = HistoryFixture()
        let fileSystem = CountingFileSystem()
        let logs = CapturedLogs()
        let store = RunHistoryStore(root: f.root, clock: f.clock, logger: logs.logger, fileSystem: fileSystem)
        let big = RunHistoryLimits(maxRuns: 100_000, maxAgeSeconds: 86_400)
        store.record(f.run(0), limits: big)
        store.flush()
        fileSystem.stalled.withLock { $0 = true }
        store.record(f.run(1), limits: big)
        while !fileSystem.waiting.withLock({ $0 }) { sched_yield() }  // the drain holds run 1, stuck on the disk
        for n in 2..<(RunHistoryStore.maxQueued + 12) { store.record(f.run(n), limits: big) }
        fileSystem.stalled.withLock { $0 = false }
        store.flush()
        #expect(try f.read().runs.count == 2 + RunHistoryStore.maxQueued)
        #expect(logs.text.contains("its writes fell behind") && logs.text.contains("\"runs\": 10]"))
    }

    @Test func maxRunsZeroRecordsNothingAndCreatesNoFolder() throws {
        let f = HistoryFixture()
        let store = RunHistoryStore(root: f.root, clock: f.clock, logger: f.logger)
        store.record(f.run(1), limits: RunHistoryLimits(maxRuns: 0, maxAgeSeconds: 86_400))
        store.flush()
        #expect(!FileManager.default.fileExists(atPath: f.directory()))
    }
}
