import Foundation
import Testing

@testable import StarfleetConsole
@testable import StarfleetCore
@testable import StarfleetDaemon

@Suite struct ConsoleHTMLTests {
    @Test func escapesEveryCharacterThatEndsTextOrAnAttribute() {
        #expect(
            HTML.text(#"<script>alert("x" & 'y')</script>"#)
                == "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;")
        #expect(HTML.text("plain ünïcode ✓") == "plain ünïcode ✓")
        #expect(HTML.text("&amp;") == "&amp;amp;")
    }

    @Test func pathSegmentsArePercentEncoded() {
        #expect(HTML.pathSegment("Audit-Worker_1.x~") == "Audit-Worker_1.x~")
        #expect(HTML.pathSegment("a/b c\"<") == "a%2Fb%20c%22%3C")
        #expect(HTML.pathSegment("é") == "%C3%A9")
    }

    @Test func aHostileWorkerErrorCannotInjectMarkupIntoTheOverview() {
        let row = ConsoleOverview.WorkerRow(
            name: "W<b>", enabled: true, runtime: "process", frequency: nil, lastFailure: Date(),
            lastError: #""><img src=x onerror=alert(1)>"#, queue: .init(deadLetters: 2))
        let html = ConsolePages.overviewFragment(
            ConsoleOverview(
                version: "1", startedAt: Date(), now: Date(), generation: 3,
                lastReload: nil, workers: [row], starbase: .init()))
        #expect(!html.contains("<img"))
        #expect(!html.contains("W<b>"))
        #expect(html.contains("W&lt;b&gt;"))
        #expect(html.contains("/workers/W%3Cb%3E"))
        #expect(html.contains("<b id=\"generation\">3</b>"))
    }

    @Test func theOverviewShowsEachTimersLastLateness() {
        var overview = ConsoleOverview(
            version: "1", startedAt: Date(), now: Date(), generation: 1, lastReload: nil, workers: [], starbase: .init())
        #expect(ConsolePages.overviewFragment(overview).contains("no timed event has fired since start"))
        overview.timerLateness = ["HOURLY": 0.012, "rate(5 minutes)<": 95]
        let html = ConsolePages.overviewFragment(overview)
        #expect(html.contains("<tr><td>HOURLY</td><td class=\"n\">12 ms</td></tr>"))
        #expect(html.contains("rate(5 minutes)&lt;"))
    }

    @Test func theStatusBoardKeepsTheLastLatenessPerSchedule() {
        let board = StatusBoard(startedAt: Date(), pid: 1)
        #expect(board.snapshot(now: Date(), queues: [:]).timerLateness == nil)
        board.recordTimerLateness("HOURLY", seconds: 0.5)
        board.recordTimerLateness("HOURLY", seconds: 0.02)
        board.recordTimerLateness("DAILY", seconds: -1)  // a clock step: never negative
        #expect(board.snapshot(now: Date(), queues: [:]).timerLateness == ["HOURLY": 0.02, "DAILY": 0])
    }

    @Test func formsDecodePlusPercentAndRepeatedKeys() {
        let form = ConsoleForm("token=ab%2Fc&letter=W%2F1&letter=W%2F2&action=redrive&x=a+b&bad=%zz")
        #expect(form.value("token") == "ab/c")
        #expect(form.values("letter") == ["W/1", "W/2"])
        #expect(form.value("x") == "a b")
        #expect(form.value("bad") == "%zz")
        #expect(form.value("missing") == nil)
    }

    @Test func selectionsAreGroupedByWorker() throws {
        let groups = try DeadLetterOperations.group(["A/1", "B/2", "A/3"])
        #expect(groups.map(\.worker) == ["A", "B"])
        #expect(groups.map(\.ids) == [["1", "3"], ["2"]])
    }

    /// A forged form value refuses the whole selection (400), not just itself: `../scheduler` once named
    /// `<state>/scheduler.json` and `../../victim/x` a file two folders up.
    @Test func aSelectionNamingAnythingButADeadLetterIsRefusedWhole() {
        for bad in ["nope", "/4", "C/x/y", "../scheduler", "../../victim/x", "A/..", "A/", "A/.x", "A\u{0}/1", "A/1\u{0}"] {
            #expect(throws: DeadLetterOperations.InvalidSelection.self, "\(bad.debugDescription)") {
                try DeadLetterOperations.group(["A/1", bad])
            }
        }
        #expect(throws: DeadLetterOperations.InvalidSelection.self) {
            try DeadLetterOperations.Filter(worker: "../../victim", account: nil).validated()
        }
        #expect(throws: DeadLetterOperations.InvalidSelection.self) {
            try DeadLetterOperations.Filter(worker: "a/b", account: nil).validated()
        }
        // Empty means any worker.
        #expect((try? DeadLetterOperations.Filter(worker: "", account: nil).validated())?.worker == nil)
        #expect((try? DeadLetterOperations.Filter(worker: "Audit-1", account: "1").validated())?.worker == "Audit-1")
    }

    @Test func workerSettingsShowEnvironmentKeysButNeverTheirValues() throws {
        var worker = WorkerConfiguration(
            name: "W", enabled: true, templatePrefix: "W/", invocationQueueUrl: nil, invocationSources: [.s3], schedule: nil,
            alert: nil, concurrency: 1, visibilityTimeoutSeconds: 30, timeoutSeconds: 10, maxReceiveCount: 3,
            backoff: BackoffPolicy(), commit: false, command: nil, fanOutStrategy: .singleInvocation,
            mark: SourceMark(file: "t.yaml", line: 1, column: 1),
            section: Node(.null, at: SourceMark(file: "t.yaml", line: 1, column: 1)))
        worker.runtime = .python
        worker.process.environment = ["API_TOKEN": "s3cr3t-value", "MODE": "x"]
        let rows = ConsoleSource.settings(of: worker)
        let text = rows.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        #expect(text.contains("API_TOKEN, MODE"))
        #expect(!text.contains("s3cr3t-value"))
    }
}

@Suite struct ConsoleGuardTests {
    let guardian = ConsoleGuard(token: "t0ken", hosts: ConsoleHosts.on("127.0.0.1:8080"))

    @Test func aSameOriginPostWithTheTokenPasses() {
        #expect(
            guardian.refusal(
                formToken: "t0ken", origin: "http://127.0.0.1:8080", fetchSite: "same-origin", host: "127.0.0.1:8080") == nil)
        // Older browsers and curl send neither header: the token alone decides.
        #expect(guardian.refusal(formToken: "t0ken", origin: nil, fetchSite: nil, host: "127.0.0.1:8080") == nil)
    }

    @Test func aMissingOrWrongTokenIsRefused() {
        #expect(guardian.refusal(formToken: nil, origin: nil, fetchSite: nil, host: "h") != nil)
        #expect(guardian.refusal(formToken: "t0keN", origin: nil, fetchSite: nil, host: "h") != nil)
        #expect(guardian.refusal(formToken: "", origin: nil, fetchSite: nil, host: "h") != nil)
    }

    @Test func aCrossSiteRequestIsRefusedEvenWithTheToken() {
        #expect(
            guardian.refusal(formToken: "t0ken", origin: "https://evil.example", fetchSite: "cross-site", host: "127.0.0.1:8080")
                != nil)
        #expect(guardian.refusal(formToken: "t0ken", origin: nil, fetchSite: "same-site", host: "127.0.0.1:8080") != nil)
        #expect(
            guardian.refusal(formToken: "t0ken", origin: "http://evil.example", fetchSite: nil, host: "127.0.0.1:8080") != nil)
    }

    /// DNS rebinding: the attacker's page is same-origin with its own name, so its Origin matches its Host; both name a
    /// host the console does not answer, and the post is refused even with the token it read.
    @Test func anOriginMatchingTheHostIsStillRefusedWhenTheHostIsNotTheConsoles() {
        let rebound = "rebind.attacker.example:8080"
        #expect(
            guardian.refusal(formToken: "t0ken", origin: "http://\(rebound)", fetchSite: "same-origin", host: rebound) != nil)
        #expect(guardian.refusal(formToken: "t0ken", origin: "http://\(rebound)", fetchSite: nil, host: rebound) != nil)
        // Another port of this machine is another origin.
        #expect(
            guardian.refusal(formToken: "t0ken", origin: "http://127.0.0.1:9090", fetchSite: nil, host: "127.0.0.1:9090") != nil)
        // Case and a trailing dot name the same host: not a different origin.
        #expect(
            guardian.refusal(formToken: "t0ken", origin: "http://localhost:8080", fetchSite: nil, host: "LOCALHOST.:8080") == nil)
        // A listed proxy name behind TLS: no port on either side.
        let proxied = ConsoleGuard(token: "t0ken", hosts: ConsoleHosts.on("unix:/run/c.sock", names: ["starfleet.example.com"]))
        #expect(
            proxied.refusal(
                formToken: "t0ken", origin: "https://starfleet.example.com", fetchSite: "same-origin",
                host: "starfleet.example.com") == nil)
        #expect(
            proxied.refusal(formToken: "t0ken", origin: "https://evil.example", fetchSite: nil, host: "evil.example") != nil)
    }

    @Test func everyDaemonGetsItsOwnLongToken() {
        let hosts = ConsoleHosts.on("127.0.0.1:8080")
        let a = ConsoleGuard(hosts: hosts)
        let b = ConsoleGuard(hosts: hosts)
        #expect(a.token.count == 64 && a.token.allSatisfy(\.isHexDigit))
        #expect(a.token != b.token)
    }
}
