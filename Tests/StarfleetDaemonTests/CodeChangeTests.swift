import Foundation
import Logging
import StarfleetClock
import StarfleetTestSupport
import Synchronization
import Testing

@testable import StarfleetCore
@testable import StarfleetDaemon

/// Hot reload's inputs: which file changes are code, the debounce of a burst of them on the manual clock, and the
/// watch of a code folder and its subfolders (real inotify on a temporary directory).
@Suite struct CodeChangeTests {
    @Test func editorsTemporaryFilesAndCachesAreNotCodeChanges() {
        for name in ["handler.py", "index.mjs", "lib", "config.json", "requirements.txt"] {
            #expect(CodeChange.matters(name), "\(name)")
        }
        for name in [
            ".handler.py.swp", ".handler.py.swx", "handler.py~", "4913", ".#handler.py", "#handler.py#",
            "handler.cpython-311.pyc",
            "__pycache__", ".git", "node_modules", "handler.py.tmp", "",
        ] {
            #expect(!CodeChange.matters(name), "\(name)")
        }
    }

    @Test func aBurstOfChangesFiresOnceAfterItHasBeenQuiet() {
        let clock = ManualClock()
        var period = QuietPeriod(quietSeconds: 0.3, maxDelaySeconds: 5)
        let early = period.fire(at: clock.now())
        #expect(period.deadline == nil && !early)
        period.noteChange(at: clock.now())
        clock.advance(by: 0.2)
        period.noteChange(at: clock.now())
        clock.advance(by: 0.2)
        let tooSoon = period.fire(at: clock.now())
        #expect(!tooSoon, "0.2 s after the last change: not yet")
        clock.advance(by: 0.1)
        let quiet = period.fire(at: clock.now())
        #expect(quiet)
        let again = period.fire(at: clock.now())
        #expect(!again, "once per burst")
        #expect(period.deadline == nil)
    }

    @Test func changesThatNeverStopStillFireAtTheMaximumDelay() {
        let clock = ManualClock()
        let start = clock.now()
        var period = QuietPeriod(quietSeconds: 0.3, maxDelaySeconds: 5)
        var fired: [Double] = []
        for _ in 0..<60 {
            period.noteChange(at: clock.now())
            clock.advance(by: 0.2)
            if period.fire(at: clock.now()) { fired.append(clock.now().timeIntervalSince(start)) }
        }
        #expect(fired.count == 2)
        #expect(fired.first.map { abs($0 - 5.0) < 0.25 } == true)
    }

    @Test func theWatchSeesCodeInSubfoldersAndIgnoresEditorsFiles() async throws {
        let root = NSTemporaryDirectory() + "codewatch-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/lib/deep", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/__pycache__", withIntermediateDirectories: true)
        let changes = Atomic<Int>(0)
        let watch = CodeWatch(root: root, logger: Logger(label: "test")) { changes.add(1, ordering: .relaxed) }
        defer { watch.cancel() }
        // Not code: an editor's swap file, a backup, bytecode in the cache.
        for path in ["/.handler.py.swp", "/handler.py~", "/__pycache__/handler.cpython-311.pyc"] {
            _ = FileManager.default.createFile(atPath: root + path, contents: Data("x".utf8))
        }
        // Code: a module two folders down, and in a folder made after the watch began.
        _ = FileManager.default.createFile(atPath: root + "/lib/deep/util.py", contents: Data("x = 1".utf8))
        try await eventually { changes.load(ordering: .relaxed) > 0 }
        let afterDeep = changes.load(ordering: .relaxed)
        try FileManager.default.createDirectory(atPath: root + "/plugins", withIntermediateDirectories: true)
        try await eventually { changes.load(ordering: .relaxed) > afterDeep }
        let afterFolder = changes.load(ordering: .relaxed)
        try await Task.sleep(nanoseconds: 50_000_000)  // the new folder's watch is added as its creation is read
        _ = FileManager.default.createFile(atPath: root + "/plugins/extra.py", contents: Data("y = 2".utf8))
        try await eventually { changes.load(ordering: .relaxed) > afterFolder }
    }

    /// Waits (bounded, real time: the kernel's inotify events are the peer) until `condition` holds.
    func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<300 where !condition() { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(condition())
    }
}
