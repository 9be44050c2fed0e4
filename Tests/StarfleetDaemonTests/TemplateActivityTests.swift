import Foundation
import StarfleetTestSupport
import Testing

@testable import StarfleetDaemon

/// The console's per-template record: what it keeps, its file, and its bound. Manual clock, a temp dir per test.
@Suite struct TemplateActivityTests {
    static func fanOut(_ clock: ManualClock, payloads: Int = 4, failure: String? = nil) -> TemplateActivity.FanOut {
        .init(at: clock.now(), worker: "Audit", payloads: payloads, trigger: .templateChange, sha256: "ab12", failure: failure)
    }

    @Test func theLastChangeAndTheLastFanOutAreKeptPerKey() {
        let clock = ManualClock()
        let activity = TemplateActivity()
        let calls = Locked(0)
        activity.observeChanges { calls.withLock { $0 += 1 } }
        activity.recordChange(key: "Audit/a.yaml", sha256: "old", at: clock.now())
        clock.advance(by: 5)
        activity.recordChange(key: "Audit/a.yaml", sha256: "ab12", at: clock.now())
        clock.advance(by: 1)
        activity.recordFanOut(key: "Audit/a.yaml", Self.fanOut(clock))
        let entry = activity.entry("Audit/a.yaml")
        #expect(entry?.change == .init(at: clock.now().addingTimeInterval(-1), sha256: "ab12"))
        #expect(entry?.fanOut == Self.fanOut(clock))
        #expect(entry?.touched == clock.now())
        #expect(activity.lastFanOut(key: "Audit/a.yaml", worker: "Audit")?.payloads == 4)
        #expect(activity.lastFanOut(key: "Audit/a.yaml", worker: "Other") == nil)
        #expect(calls.value == 3)
    }

    @Test func itRoundTripsThroughItsFileWrittenOnlyWhenSomethingChanged() throws {
        let dir = try TemporaryDirectory("template-activity")
        defer { dir.remove() }
        let path = StatePaths(dir.path).templateActivity
        let clock = ManualClock()
        let activity = TemplateActivity()
        #expect(try activity.persistIfChanged(to: path) == false, "an empty, unchanged record was written")
        activity.recordChange(key: "Audit/a.yaml", sha256: "ab12", at: clock.now())
        activity.recordFanOut(key: "Audit/b.yaml", Self.fanOut(clock, payloads: 0, failure: "account index unreadable"))
        #expect(try activity.persistIfChanged(to: path))
        #expect(try activity.persistIfChanged(to: path) == false, "written again with nothing new")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(dir.read("template-activity.json")?.contains("\"version\" : 1") == true)

        let loaded = TemplateActivity.load(from: path)
        #expect(loaded.entry("Audit/a.yaml") == activity.entry("Audit/a.yaml"))
        #expect(loaded.entry("Audit/b.yaml")?.fanOut?.failure == "account index unreadable")
        #expect(try loaded.persistIfChanged(to: path) == false, "a loaded record is not dirty")

        // Another version, or garbage: an empty record (the console falls back to file times).
        try dir.write("template-activity.json", #"{"version": 2, "templates": {}}"#)
        #expect(TemplateActivity.load(from: path).count == 0)
        #expect(TemplateActivity.load(from: dir.path("missing.json")).count == 0)
    }

    @Test func itKeepsAtMostTenThousandKeysDroppingTheLeastRecentlyTouched() {
        let clock = ManualClock()
        let activity = TemplateActivity()
        for n in 0..<TemplateActivity.defaultLimit {
            activity.recordChange(key: "T/\(n).yaml", sha256: "s", at: clock.now())
            clock.advance(by: 1)
        }
        // The oldest key, touched again, is now among the newest.
        activity.recordFanOut(key: "T/0.yaml", Self.fanOut(clock))
        clock.advance(by: 1)
        #expect(activity.count == 10_000)
        activity.recordChange(key: "T/new.yaml", sha256: "s", at: clock.now())
        #expect(activity.count <= 10_000)
        #expect(activity.entry("T/new.yaml") != nil)
        #expect(activity.entry("T/0.yaml") != nil)
        #expect(activity.entry("T/1.yaml") == nil, "the least recently touched key was kept")
        #expect(activity.entry("T/9999.yaml") != nil)
    }

    @Test func aLoadedFileOverTheBoundIsCutToIt() {
        let clock = ManualClock()
        var entries: [String: TemplateActivity.Entry] = [:]
        for n in 0..<12 {
            entries["T/\(n).yaml"] = .init(change: .init(at: clock.now(), sha256: "s"), touched: clock.now())
            clock.advance(by: 1)
        }
        let activity = TemplateActivity(entries, limit: 10)
        #expect(activity.count <= 10)
        #expect(activity.entry("T/11.yaml") != nil)
        #expect(activity.entry("T/0.yaml") == nil)
    }
}
