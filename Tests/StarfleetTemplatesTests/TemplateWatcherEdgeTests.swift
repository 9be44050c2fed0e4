import FoundationEssentials
import Glibc
import StarfleetClock
import StarfleetTestSupport
import Testing

@testable import StarfleetTemplates

/// Paths that a walk alone does not reach: overflow, keys that could climb out, a linked template directory.
@Suite struct TemplateWatcherEdgeTests {
    @Test func eventOverflowFallsBackToAFullRescan() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let clock = ManualClock()
        let recorder = Recorder()
        let watcher = box.watcher(clock: clock)
        await watcher.setEventBufferLimit(8)
        try await whileRunning(watcher, clock: clock, recorder: recorder) {
            for i in 0..<300 { try box.write("t\(i).yaml", "\(i)") }
            // No clock advance: only the overflow's rescan can find every file.
            #expect(try await recorder.wait(upTo: 5) { Set($0.changes.map(\.key)).count == 300 })
        }
    }

    @Test(arguments: [
        ("a.yaml", true), ("dir/sub/a.yaml", true), ("../a.yaml", false), ("dir/../a.yaml", false),
        ("./a.yaml", false), ("dir//a.yaml", false), ("/a.yaml", false), (".a.yaml", false), ("dir/.git/a.yaml", false),
        ("a.yml", false), (".yaml", false), ("a.yaml/", false),
    ])
    func keysThatCouldLeaveTheDirectoryAreUnsafe(key: String, safe: Bool) {
        #expect(TemplateWalk.isSafeKey(key) == safe)
    }

    @Test func templateDirectoryMayItselfBeASymlink() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let link = box.root + "/linked"
        #expect(symlink(box.templates, link) == 0)
        let clock = ManualClock()
        let recorder = Recorder()
        let watcher = TemplateWatcher(
            directory: link, stateFile: box.stateFile, clock: clock, settleDelay: 0, logger: quietLogger)
        try await whileRunning(watcher, clock: clock, recorder: recorder) {
            try box.write("through-link.yaml", "x")
            #expect(try await recorder.wait { $0.changes.count == 1 })
            #expect(recorder.changes.first?.path == link + "/through-link.yaml")
        }
    }

    @Test func runTwiceAtOnceIsRefused() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let clock = ManualClock()
        let watcher = box.watcher(clock: clock)
        try await whileRunning(watcher, clock: clock, recorder: Recorder()) {
            await #expect(throws: TemplateWatcherError.self) { try await watcher.run { _, _ in } }
        }
    }

    @Test func fixedRejectionIsReportedAgainWhenItComesBack() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let watcher = box.watcher(maxBytes: 10)
        try box.write("a.yaml", String(repeating: "x", count: 20))
        #expect(await watcher.scan().rejections.count == 1)
        #expect(await watcher.scan().rejections.isEmpty)
        try box.write("a.yaml", "small")
        #expect(await watcher.scan().changes.count == 1)
        try box.write("a.yaml", String(repeating: "y", count: 30))
        #expect(await watcher.scan().rejections.first?.reason.contains("30 bytes") == true)
    }
}

@Suite struct TemplateDirectoryReplacedTests {
    @Test func directoryMovedAwayAndReplacedIsWatchedAgainAfterTheRescan() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let clock = ManualClock()
        let recorder = Recorder()
        let watcher = box.watcher(clock: clock)
        try await whileRunning(watcher, clock: clock, recorder: recorder) {
            #expect(rename(box.templates, box.root + "/old") == 0)
            try box.mkdir(box.templates)
            try await Task.sleep(nanoseconds: 50_000_000)  // let IN_MOVE_SELF arrive and be handled
            try box.writeFile(box.root + "/old/ignored.yaml", "in the moved-away tree")  // not the template directory any more
            clock.advance(by: 30)
            try await clock.waitForSleepers(1)
            try box.write("fresh.yaml", "x")
            #expect(try await recorder.wait { $0.changes.count >= 1 })
            #expect(recorder.changes.map(\.key) == ["fresh.yaml"])
        }
    }
}
