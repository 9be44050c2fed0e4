import FoundationEssentials
import Glibc
import StarfleetClock
import StarfleetCrypto
import StarfleetTemplates
import StarfleetTestSupport
import Testing

@Suite struct TemplateWatcherScanTests {
    @Test func newFileIsOneChangeWithKeyAndHash() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let sha = try box.write("AuditWorker/all.yaml", "TemplateName: all\n")
        let watcher = box.watcher()
        let (changes, rejections) = await watcher.scan()
        #expect(rejections.isEmpty)
        #expect(
            changes == [
                TemplateChange(key: "AuditWorker/all.yaml", path: box.path("AuditWorker/all.yaml"), sha256: sha, size: 18)
            ])
    }

    @Test func unchangedFileAfterRestartIsNotReportedAgain() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("a.yaml", "x: 1\n")
        let first = box.watcher()
        let changes = await first.scan().changes
        try await first.acknowledge(changes)
        #expect(await first.scan().changes.isEmpty)
        let restarted = box.watcher()
        #expect(await restarted.scan().changes.isEmpty)
    }

    @Test func unacknowledgedChangeIsReportedAgainAfterRestart() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("a.yaml", "x: 1\n")
        #expect(await box.watcher().scan().changes.count == 1)
        // Crash between scan and enqueue: nothing acknowledged, so the next start reports it again.
        #expect(await box.watcher().scan().changes.map(\.key) == ["a.yaml"])
    }

    @Test func modifiedContentIsAChange() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("a.yaml", "x: 1\n")
        let watcher = box.watcher()
        try await watcher.acknowledge(await watcher.scan().changes)
        let sha = try box.write("a.yaml", "x: 2\n")
        #expect(await watcher.scan().changes.map(\.sha256) == [sha])
        // And across a restart too.
        #expect(await box.watcher().scan().changes.map(\.sha256) == [sha])
    }

    @Test func onlyDotYamlNonDotFilesAtAnyDepthCount() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("top.yaml", "a")
        try box.write("one/two/three/deep.yaml", "b")
        try box.write("ignored.yml", "c")
        try box.write("ignored.YAML", "c")
        try box.write("ignored.yaml.bak", "c")
        try box.write(".hidden.yaml", "c")
        try box.write(".x.yaml.swp", "c")
        try box.write(".#x.yaml", "c")
        try box.write(".git/inside.yaml", "c")
        try box.write("sub/.swap.yaml", "c")
        let (changes, rejections) = await box.watcher().scan()
        #expect(changes.map(\.key).sorted() == ["one/two/three/deep.yaml", "top.yaml"])
        #expect(rejections.isEmpty)
    }

    @Test func symlinkOutOfTheDirectoryIsRejected() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        #expect(symlink("/etc/passwd", box.path("passwd.yaml")) == 0)
        try box.writeFile(box.root + "/outside.yaml", "secret")
        #expect(symlink("../outside.yaml", box.path("relative.yaml")) == 0)
        let watcher = box.watcher()
        let (changes, rejections) = await watcher.scan()
        #expect(changes.isEmpty)
        #expect(Set(rejections.map(\.path)) == [box.path("passwd.yaml"), box.path("relative.yaml")])
        #expect(rejections.allSatisfy { $0.reason.contains("outside the template directory") })
        // Reported once, not at every rescan.
        #expect(await watcher.scan().rejections.isEmpty)
    }

    @Test func symlinkInsideTheDirectoryIsFollowedUnderItsOwnKey() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let sha = try box.write("real/base.yaml", "base")
        #expect(symlink("real/base.yaml", box.path("alias.yaml")) == 0)
        #expect(symlink("/nonexistent/x", box.path("dangling.yaml")) == 0)
        let (changes, rejections) = await box.watcher().scan()
        #expect(changes.map(\.key).sorted() == ["alias.yaml", "real/base.yaml"])
        #expect(changes.allSatisfy { $0.sha256 == sha })
        #expect(rejections.map(\.path) == [box.path("dangling.yaml")])
    }

    @Test func oversizeFileIsRejectedWithSizeAndLimit() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("big.yaml", String(repeating: "x", count: 2_000))
        try box.write("small.yaml", "ok")
        let (changes, rejections) = await box.watcher(maxBytes: 1_000).scan()
        #expect(changes.map(\.key) == ["small.yaml"])
        #expect(rejections.count == 1)
        #expect(rejections.first?.reason.contains("2000 bytes") == true)
        #expect(rejections.first?.reason.contains("1000-byte") == true)
    }

    @Test func nonRegularTemplateIsRejectedWithoutBlocking() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        #expect(mkfifo(box.path("pipe.yaml"), 0o644) == 0)
        let (changes, rejections) = await box.watcher().scan()
        #expect(changes.isEmpty)
        #expect(rejections.map(\.reason) == ["not a regular file; only regular *.yaml files are templates"])
    }

    @Test func deletedThenRecreatedWithSameContentFiresAgain() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("a.yaml", "same")
        let watcher = box.watcher()
        try await watcher.acknowledge(await watcher.scan().changes)
        try box.remove("a.yaml")
        #expect(await watcher.scan().changes.isEmpty)
        // The removal reached the state file: a restart forgets the key too.
        #expect(box.read(box.stateFile)?.contains("a.yaml") == false)
        try box.write("a.yaml", "same")
        #expect(await watcher.scan().changes.map(\.key) == ["a.yaml"])
    }

    @Test func halfWrittenFileWaitsForTheSettleDelay() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("slow.yaml", "partial")
        // The clock starts at the file's mtime exactly: however long the write took on a loaded machine.
        let mtime = try #require(
            try FileManager.default.attributesOfItem(atPath: box.path("slow.yaml"))[.modificationDate] as? Date)
        let clock = ManualClock(mtime)
        let watcher = box.watcher(clock: clock, settle: 1)
        #expect(await watcher.scan().changes.isEmpty)
        clock.advance(by: 0.5)
        #expect(await watcher.scan().changes.isEmpty)
        clock.advance(by: 1)
        #expect(await watcher.scan().changes.map(\.key) == ["slow.yaml"])
    }

    @Test func corruptStateFileReportsEverythingOnce() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("a.yaml", "a")
        try box.write("b/c.yaml", "c")
        let first = box.watcher()
        try await first.acknowledge(await first.scan().changes)
        try box.writeFile(box.stateFile, "{\"version\":1,\"templates\":{\"a.yaml\":")
        let restarted = box.watcher()
        let changes = await restarted.scan().changes
        #expect(changes.map(\.key).sorted() == ["a.yaml", "b/c.yaml"])
        try await restarted.acknowledge(changes)
        #expect(await box.watcher().scan().changes.isEmpty)
    }

    @Test func unknownStateVersionIsTreatedAsEmpty() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let sha = try box.write("a.yaml", "a")
        try box.writeFile(box.stateFile, "{\"version\":2,\"templates\":{\"a.yaml\":\"\(sha)\"}}")
        #expect(await box.watcher().scan().changes.map(\.key) == ["a.yaml"])
    }

    @Test func acknowledgePersistsTheHashSetAtomically() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let a = try box.write("a.yaml", "a")
        let c = try box.write("b/c.yaml", "c")
        let watcher = box.watcher()
        let changes = await watcher.scan().changes
        #expect(box.read(box.stateFile) == nil)  // a scan alone persists nothing
        try await watcher.acknowledge(changes.filter { $0.key == "a.yaml" })
        #expect(box.read(box.stateFile) == "{\"templates\":{\"a.yaml\":\"\(a)\"},\"version\":1}\n")
        try await watcher.acknowledge(changes.filter { $0.key == "b/c.yaml" })
        #expect(box.read(box.stateFile) == "{\"templates\":{\"a.yaml\":\"\(a)\",\"b/c.yaml\":\"\(c)\"},\"version\":1}\n")
        #expect(access(box.stateFile + ".tmp", F_OK) != 0)  // no temporary left behind
        var info = stat()
        #expect(stat(box.stateFile, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }

    @Test func acknowledgeFailureThrowsAnErrnoSentence() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("a.yaml", "a")
        let watcher = TemplateWatcher(
            directory: box.templates, stateFile: box.root + "/missing/templates.json", clock: ManualClock(),
            settleDelay: 0, logger: quietLogger)
        let changes = await watcher.scan().changes
        do {
            try await watcher.acknowledge(changes)
            Issue.record("acknowledge should fail without a state directory")
        } catch let error as TemplateWatcherError {
            #expect(error.code == .stateWriteFailed)
            #expect(error.errno == ENOENT)
            #expect(error.description.contains("No such file or directory"))
        }
    }

    @Test func tenThousandFilesAreTenThousandChanges() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        for i in 0..<10_000 { try box.write("bulk/d\(i % 10)/t\(i).yaml", "n: \(i)\n") }
        let watcher = box.watcher()
        let changes = await watcher.scan().changes
        #expect(changes.count == 10_000)
        #expect(Set(changes.map(\.key)).count == 10_000)
        try await watcher.acknowledge(changes)
        #expect(await box.watcher().scan().changes.isEmpty)
    }

    @Test func missingDirectoryReportsNothingAndKeepsState() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.write("a.yaml", "a")
        let watcher = box.watcher()
        try await watcher.acknowledge(await watcher.scan().changes)
        #expect(rename(box.templates, box.root + "/away") == 0)
        let whileAway = await watcher.scan()
        #expect(whileAway.changes.isEmpty && whileAway.rejections.isEmpty)
        #expect(rename(box.root + "/away", box.templates) == 0)
        #expect(await watcher.scan().changes.isEmpty)  // a vanished directory is not "every template deleted"
    }
}
