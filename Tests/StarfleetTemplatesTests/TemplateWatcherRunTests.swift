import FoundationEssentials
import Glibc
import StarfleetClock
import StarfleetCrypto
import StarfleetTemplates
import StarfleetTestSupport
import Testing

/// `run`: real inotify on a temp directory (bounded waits for delivery), the manual clock for rescans.
@Suite struct TemplateWatcherRunTests {
    @Test func newFileArrivesThroughInotify() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let clock = ManualClock()
        let recorder = Recorder()
        let watcher = box.watcher(clock: clock)
        try await whileRunning(watcher, clock: clock, recorder: recorder) {
            let sha = try box.write("w/new.yaml", "TemplateName: new\n")
            #expect(try await recorder.wait { $0.changes.count >= 1 })
            #expect(recorder.changes.map(\.key) == ["w/new.yaml"])
            #expect(recorder.changes.first?.sha256 == sha)
        }
        // Acknowledged by run: a restart does not report it again.
        #expect(await box.watcher().scan().changes.isEmpty)
    }

    @Test func atomicRenameIntoPlaceIsOneChange() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("a.yaml", "old\n")
        let clock = ManualClock()
        let recorder = Recorder()
        let watcher = box.watcher(clock: clock)
        try await whileRunning(watcher, clock: clock, recorder: recorder) {
            #expect(try await recorder.wait { $0.changes.count == 1 })  // the initial scan
            // An editor's atomic save: write a temporary (a dot-file and a non-template name), rename over.
            try box.write(".a.yaml.tmp123", "new\n")
            try box.write("a.yaml~", "new\n")
            #expect(rename(box.path(".a.yaml.tmp123"), box.path("a.yaml")) == 0)
            #expect(try await recorder.wait { $0.changes.count >= 2 })
            try await Task.sleep(nanoseconds: 100_000_000)  // nothing else may follow
            #expect(recorder.changes.map(\.key) == ["a.yaml", "a.yaml"])
            #expect(recorder.changes.last?.sha256 == Digest.sha256Hex("new\n"))
        }
    }

    @Test func fileInSubdirectoryCreatedAfterStart() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let clock = ManualClock()
        let recorder = Recorder()
        let watcher = box.watcher(clock: clock)
        try await whileRunning(watcher, clock: clock, recorder: recorder) {
            try box.mkdir(box.path("late"))
            try box.write("late/x.yaml", "x")  // may race the new watch: the subtree walk covers it
            #expect(try await recorder.wait { $0.changes.count >= 1 })
            try await Task.sleep(nanoseconds: 50_000_000)  // let the new watch settle, then write through it
            try box.write("late/deeper/y.yaml", "y")
            #expect(try await recorder.wait { Set($0.changes.map(\.key)).count >= 2 })
            #expect(Set(recorder.changes.map(\.key)) == ["late/x.yaml", "late/deeper/y.yaml"])
        }
    }

    @Test func deletedThenRecreatedFiresAgainWithoutARescan() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("a.yaml", "same")
        let clock = ManualClock()
        let recorder = Recorder()
        let watcher = box.watcher(clock: clock)
        try await whileRunning(watcher, clock: clock, recorder: recorder) {
            #expect(try await recorder.wait { $0.changes.count == 1 })
            try box.remove("a.yaml")
            try box.write("a.yaml", "same")
            #expect(try await recorder.wait { $0.changes.count == 2 })
        }
    }

    @Test func missingDirectoryIsPickedUpByTheRescan() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        #expect(rmdir(box.templates) == 0)
        let clock = ManualClock()
        let recorder = Recorder()
        let watcher = box.watcher(clock: clock)
        try await whileRunning(watcher, clock: clock, recorder: recorder) {
            try box.write("first.yaml", "1")
            clock.advance(by: 30)
            #expect(try await recorder.wait { $0.changes.count == 1 })
            try await clock.waitForSleepers(1)
            // Now watched: the next file arrives without another rescan.
            try box.write("second.yaml", "2")
            #expect(try await recorder.wait { $0.changes.count == 2 })
            #expect(recorder.changes.map(\.key) == ["first.yaml", "second.yaml"])
        }
    }

    /// Regression: a template written just before start was skipped by the first scan as still settling and then
    /// waited for the 30 s rescan, because the short re-check was only scheduled after a later wake.
    @Test func fileStillSettlingAtStartIsReportedAfterTheSettleDelay() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let clock = ManualClock(Date())  // the file's mtime is real "now": the clock must agree to see it settling
        try box.write("w/just-written.yaml", "TemplateName: x\n")
        let recorder = Recorder()
        let watcher = box.watcher(clock: clock, settle: 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await watcher.run { recorder.record($0, $1) } }
            // The rescan timer and the settle re-check both sleep (bounded, so a regression fails instead of hanging).
            for _ in 0..<2000 where clock.sleeperCount < 2 { try await Task.sleep(nanoseconds: 1_000_000) }
            #expect(clock.sleeperCount == 2)
            #expect(recorder.changes.isEmpty)
            // Past the 1 s settle delay with room for a slow write (its mtime is a little after this clock's start).
            clock.advance(by: 3)
            #expect(try await recorder.wait { $0.changes.count == 1 })
            #expect(recorder.changes.map(\.key) == ["w/just-written.yaml"])
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    @Test func failedEnqueueIsReportedAgainByTheRescan() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("a.yaml", "a")
        let clock = ManualClock()
        let recorder = Recorder()
        let watcher = box.watcher(clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await watcher.run { changes, rejections in
                    recorder.record(changes, rejections)
                    if recorder.calls == 1 { throw TestFailure("queue full") }
                }
            }
            try await clock.waitForSleepers(1)
            #expect(recorder.changes.count == 1)
            clock.advance(by: 30)
            #expect(try await recorder.wait { $0.changes.count == 2 })
            clock.advance(by: 30)
            // Acknowledged the second time: a further rescan reports nothing (a short bounded look).
            #expect(try await !recorder.wait(upTo: 0.3) { $0.changes.count > 2 })
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    @Test func tenThousandFilesDroppedAtOnceAllArrive() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let clock = ManualClock()
        let recorder = Recorder()
        let watcher = box.watcher(clock: clock)
        try await whileRunning(watcher, clock: clock, recorder: recorder) {
            for i in 0..<10_000 { try box.write("drop/t\(i).yaml", "n: \(i)\n") }
            let complete = try await recorder.wait(upTo: 30) { Set($0.changes.map(\.key)).count == 10_000 }
            #expect(complete)
            #expect(recorder.calls >= 10)  // delivered in batches of at most 1,000
        }
        #expect(await box.watcher().scan().changes.isEmpty)
    }
}
