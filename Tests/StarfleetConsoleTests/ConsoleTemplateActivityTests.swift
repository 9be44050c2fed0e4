import Foundation
import Logging
import StarfleetCrypto
import StarfleetQueue
import StarfleetTestSupport
import Testing

@testable import StarfleetConsole
@testable import StarfleetDaemon

/// The Templates page and the worker page with the daemon's per-template record: the acknowledged change, the last
/// fan-out, and the flags when the content moved on. Manual clock; a temp dir per test.
@Suite struct ConsoleTemplateActivityTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)
    static let sha = String(repeating: "a", count: 64)

    static func fanOut(
        _ worker: String = "Audit", payloads: Int = 4, sha256: String? = sha, failure: String? = nil, ago: Double = 120
    ) -> TemplateActivity.FanOut {
        .init(
            at: now.addingTimeInterval(-ago), worker: worker, payloads: payloads, trigger: .templateChange, sha256: sha256,
            failure: failure)
    }

    @Test func theTemplatesPageLabelsWhereChangedComesFromAndShowsTheLastFanOut() {
        let acknowledged = ConsoleCatalog.TemplateRow(
            worker: "Audit", key: "Audit/a.yaml", sha256: Self.sha,
            acknowledged: .init(at: Self.now.addingTimeInterval(-300), sha256: Self.sha), lastFanOut: Self.fanOut(),
            problems: [])
        let fileOnly = ConsoleCatalog.TemplateRow(
            worker: "Audit", key: "Audit/b.yaml", sha256: Self.sha, fileChanged: Self.now.addingTimeInterval(-3600),
            problems: [])
        let html = ConsolePages.templates([acknowledged, fileOnly], errors: [], now: Self.now)
        #expect(html.contains("<th>last fan-out</th>"))
        #expect(html.contains("5m0s ago</time> <span class=\"note\">acknowledged</span>"))
        #expect(html.contains("1h0m ago</time> <span class=\"note\">file mtime</span>"))
        #expect(html.contains("2m0s ago</time> · 4 payloads · template change"))
        #expect(!html.contains("class=\"warn\""), "a template fanned out as it is now is flagged")
    }

    @Test func aTemplateThatMovedOnIsFlaggedAndAFailureIsEscaped() {
        let other = String(repeating: "b", count: 64)
        let pending = ConsoleCatalog.TemplateRow(
            worker: "Audit", key: "Audit/<x>.yaml", sha256: other,
            acknowledged: .init(at: Self.now, sha256: Self.sha), lastFanOut: Self.fanOut(), problems: [])
        #expect(pending.flags == ["not yet picked up", "changed since the last fan-out"])
        let queued = ConsoleCatalog.TemplateRow(
            worker: "Audit", key: "Audit/q.yaml", sha256: other, acknowledged: .init(at: Self.now, sha256: other),
            lastFanOut: Self.fanOut(payloads: 0, failure: "account index unreadable: <script>"), problems: [])
        #expect(queued.flags == ["changed since the last fan-out"])
        let html = ConsolePages.templates([pending, queued], errors: [], now: Self.now)
        #expect(html.contains("<div class=\"warn\">changed since the last fan-out</div>"))
        #expect(html.contains("<div class=\"warn\">not yet picked up</div>"))
        #expect(html.contains("<span class=\"bad\">failed: account index unreadable: &lt;script&gt;</span>"))
        #expect(html.contains("Audit/&lt;x&gt;.yaml") && !html.contains("<script>") && !html.contains("<x>"))
        // Nothing recorded: nothing to compare with, no flag.
        #expect(ConsoleCatalog.TemplateRow(worker: "A", key: "k", sha256: other, problems: []).flags.isEmpty)
    }

    @Test func theWorkerPageListsItsTemplatesWithTheLastFanOutCountAndAPlanLink() {
        let page = ConsolePages.WorkerPage(
            name: "Audit", settings: [],
            templates: [
                .init(key: "Audit/all.yaml", lastFanOut: Self.fanOut()),
                .init(key: "Audit/new.yaml", lastFanOut: nil),
                .init(key: "Audit/bad.yaml", lastFanOut: Self.fanOut(payloads: 0, failure: "invalid template: <b>")),
            ])
        let html = ConsolePages.worker(page, now: Self.now)
        #expect(html.contains("<table id=\"templates\">"))
        #expect(
            html.contains(
                "<tr data-key=\"Audit/all.yaml\"><td>Audit/all.yaml</td><td class=\"fanned\"><time datetime=\"2025-12-31T23:58:00Z\""
            ))
        #expect(html.contains("<td class=\"n payloads\">4</td><td>template change</td><td><span class=\"ok\">done</span>"))
        #expect(html.contains("<a href=\"/plan?worker=Audit&amp;key=Audit%2Fall.yaml\">plan</a>"))
        #expect(html.contains("<td class=\"fanned\">—</td><td class=\"n payloads\">—</td>"))
        #expect(html.contains("failed: invalid template: &lt;b&gt;"))
    }

    @Test func theCatalogAndTheWorkerPageReadTheRecordBesideTheDirectory() async throws {
        let dir = try TemporaryDirectory("console-activity")
        defer { dir.remove() }
        let clock = ManualClock(Self.now)
        let text = "TemplateName: t\nTemplateDescription: d\n"
        let configuration = try dir.configuration(
            """
            STARFLEET: {TemplateDirectory: templates}
            Audit: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: Audit/, InvocationSources: [S3]}
            Other: {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: Audit/, InvocationSources: [S3]}
            """, templates: ["Audit/a.yaml": text])
        let sha = Digest.sha256Hex(Array(text.utf8))
        let activity = TemplateActivity()
        activity.recordChange(key: "Audit/a.yaml", sha256: sha, at: clock.now())
        activity.recordFanOut(key: "Audit/a.yaml", Self.fanOut(payloads: 7, sha256: "older", ago: 0))
        let running = RunningConfiguration(configuration)
        let paths = StatePaths(dir.path("state"))
        let catalog = ConsoleCatalog(
            running: running, aws: AWSResources(environment: [:], clock: clock, logger: .quiet), paths: paths,
            activity: activity)
        let rows = await catalog.templates().rows
        let audit = try #require(rows.first { $0.worker == "Audit" })
        #expect(audit.sha256 == sha && audit.acknowledged?.sha256 == sha && audit.lastFanOut?.payloads == 7)
        #expect(audit.flags == ["changed since the last fan-out"])
        // The other worker whose prefix matches the same key did not fan it out.
        #expect(rows.first { $0.worker == "Other" }?.lastFanOut == nil)

        let queues = QueueSet(stateDirectory: paths.root, clock: clock, logger: .quiet)
        let source = ConsoleSource(
            running: running, status: StatusBoard(startedAt: clock.now(), pid: 1), activity: activity,
            router: QueueRouter(local: queues, environment: [:], clock: clock, logger: .quiet), paths: paths, clock: clock)
        var page = try #require(await source.worker(named: "Audit"))
        (page.templates, page.templateError) = await catalog.templateLines(of: "Audit")  // as the route does
        #expect(page.templates.map(\.key) == ["Audit/a.yaml"])
        #expect(page.templates.first?.lastFanOut?.payloads == 7)
        #expect(ConsolePages.worker(page, now: clock.now()).contains("<td class=\"n payloads\">7</td>"))
        await queues.closeAll()
    }
}
