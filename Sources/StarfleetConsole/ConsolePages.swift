import FoundationEssentials
import StarfleetCore
import StarfleetDaemon
import StarfleetQueue
import StarfleetRunHistory

/// The console's pages: data in, HTML out, no I/O (so tests render them directly). Every value from outside the
/// console's own source is escaped with `HTML.text`.
enum ConsolePages {
    /// The frame around every page: navigation, stylesheet, and the script (which only the overview uses).
    static func page(title: String, body: String, refreshSeconds: Int? = nil) -> String {
        // A meta refresh (not script) keeps a progress page current for readers without JavaScript too.
        let refresh = refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">\(refresh)
            <title>\(HTML.text(title)) · starfleetd</title><link rel="stylesheet" href="/assets/console.css"></head>
            <body><header><a href="/"><b>starfleetd</b></a><a href="/">Overview</a><a href="/dead-letters">Dead letters</a><a href="/templates">Templates</a><a href="/accounts">Accounts</a></header>
            <main><h1>\(HTML.text(title))</h1>
            \(body)
            </main><script src="/assets/console.js"></script></body></html>
            """
    }

    // MARK: overview

    static func overview(_ o: ConsoleOverview) -> String {
        page(title: "Overview", body: "<div id=\"live\">\(overviewFragment(o))</div>")
    }

    /// The live part of the overview, also served alone at `/fragments/overview` for the refresh.
    static func overviewFragment(_ o: ConsoleOverview) -> String {
        var html =
            "<p>version <b>\(HTML.text(o.version))</b> · up \(duration(o.now.timeIntervalSince(o.startedAt))) · configuration generation <b id=\"generation\">\(o.generation)</b> · last reload: "
        if let r = o.lastReload {
            html +=
                "<span class=\"\(r.applied ? "ok" : "bad")\">\(r.applied ? "applied" : "refused")</span> \(time(r.time, now: o.now)) — \(HTML.text(r.message))"
        } else {
            html += "none since start"
        }
        html +=
            "</p>\n<table id=\"workers\"><thead><tr><th>worker</th><th>enabled</th><th>runtime</th><th>frequency</th><th>next fire</th>"
            + "<th>succeeded</th><th>failed</th><th>last hour</th><th>last success</th><th>last failure</th><th>visible</th><th>in flight</th>"
            + "<th>delayed</th><th>oldest</th><th>dead letters</th></tr></thead><tbody>\n"
        for w in o.workers {
            let link = "/workers/\(HTML.pathSegment(w.name))"
            html += "<tr data-worker=\"\(HTML.text(w.name))\"><td><a href=\"\(link)\">\(HTML.text(w.name))</a></td>"
            html += "<td>\(w.enabled ? "yes" : "<span class=\"off\">no</span>")</td><td>\(HTML.text(w.runtime))</td>"
            html += "<td>\(HTML.text(w.frequency ?? "—"))</td><td>\(w.nextFire.map { time($0, now: o.now) } ?? "—")</td>"
            html += "<td class=\"n succeeded\">\(w.succeeded)</td><td class=\"n failed\">\(w.failed)</td>"
            html += "<td class=\"spark\">\(w.lastHour.map(ConsoleCharts.spark) ?? "—")</td>"
            html += "<td>\(w.lastSuccess.map { time($0, now: o.now) } ?? "—")</td>"
            html +=
                "<td>\(w.lastFailure.map { "<span class=\"bad\" title=\"\(HTML.text(w.lastError ?? ""))\">\(time($0, now: o.now))</span>" } ?? "—")</td>"
            html += queueCells(w.queue, deadLetterLink: "/dead-letters?worker=\(HTML.pathSegment(w.name))") + "</tr>\n"
        }
        html +=
            "</tbody></table>\n<h2>Starbase queue</h2><table id=\"starbase\"><tr><th>visible</th><th>in flight</th><th>delayed</th><th>oldest</th><th>dead letters</th></tr><tr>"
        html += queueCells(o.starbase, deadLetterLink: "/dead-letters?worker=Starbase") + "</tr></table>"
        html += "\n<h2>Timers</h2>"
        if o.timerLateness.isEmpty {
            html += "<p id=\"timers\">no timed event has fired since start</p>"
        } else {
            html += "<table id=\"timers\"><tr><th>schedule</th><th>last fired after its boundary</th></tr>"
            for (schedule, seconds) in o.timerLateness.sorted(by: { $0.key < $1.key }) {
                let late = seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : duration(seconds)
                html += "<tr><td>\(HTML.text(schedule))</td><td class=\"n\">\(late)</td></tr>"
            }
            html += "</table>"
        }
        return html
    }

    static func queueCells(_ q: ConsoleOverview.QueueRow, deadLetterLink: String) -> String {
        "<td class=\"n visible\">\(q.visible)</td><td class=\"n inflight\">\(q.inFlight)</td><td class=\"n\">\(q.delayed)</td>"
            + "<td class=\"n\">\(q.visible + q.inFlight + q.delayed > 0 ? duration(q.oldestAgeSeconds) : "—")</td>"
            + "<td class=\"n deadletters\">\(q.deadLetters > 0 ? "<a class=\"bad\" href=\"\(deadLetterLink)\">\(q.deadLetters)</a>" : "0")</td>"
    }

    // MARK: one worker

    struct WorkerPage: Sendable {
        var name: String
        /// Key and shown value; secrets are never in here (the source leaves them out before rendering).
        var settings: [(key: String, value: String)]
        var templates: [TemplateLine]
        var templateError: String?
        var runFilter = RunFilter()
        var runs: [RunRecord] = []
        var runProblems: [String] = []
        var charts: WorkerCharts?
    }

    /// The worker page's charts: its runs over the last hour and week and, for a Lambda-runtime worker, its warm
    /// processes' last hour.
    struct WorkerCharts: Sendable {
        var lastHour: RunChartSeries
        var lastWeek: RunChartSeries
        var warm: [WarmProcessActivity.Minute]?
    }

    /// One of the worker's templates and its last fan-out by this worker (nil: none recorded).
    struct TemplateLine: Sendable {
        var key: String
        var lastFanOut: TemplateActivity.FanOut?
    }

    /// The worker page's run filter: an outcome name (or `failures`: every failed outcome), an account, a region and a
    /// template key.
    struct RunFilter: Sendable, Equatable {
        var outcome: String?
        var account: String?
        var region: String?
        var template: String?
    }

    static func worker(_ w: WorkerPage, now: Date) -> String {
        var body = w.charts.map(activity) ?? ""
        body += "<h2>Configuration</h2><table id=\"settings\">"
        for (key, value) in w.settings { body += "<tr><th>\(HTML.text(key))</th><td>\(HTML.text(value))</td></tr>" }
        body += "</table><h2>Templates</h2>"
        if let error = w.templateError { body += "<p class=\"bad\">\(HTML.text(error))</p>" }
        if w.templates.isEmpty {
            body += "<p class=\"note\">no templates under its prefix</p>"
        } else {
            body += workerTemplates(w, now: now)
        }
        body += "<p><a href=\"/dead-letters?worker=\(HTML.pathSegment(w.name))\">its dead letters</a></p>"
        body += recentRuns(w)
        return page(title: "Worker \(w.name)", body: body)
    }

    /// The worker's charts (UTC buckets; the run history's times).
    static func activity(_ c: WorkerCharts) -> String {
        var body = "<h2>Activity</h2><div class=\"charts\">"
        body += ConsoleCharts.runs(c.lastHour, id: "runs-hour", title: "Runs per minute, last hour")
        body += ConsoleCharts.durations(c.lastHour, id: "duration-hour", title: "Duration p50 / p95 per minute, last hour")
        body += ConsoleCharts.runs(c.lastWeek, id: "runs-week", title: "Runs per hour, last 7 days")
        body += ConsoleCharts.durations(c.lastWeek, id: "duration-week", title: "Duration p50 / p95 per hour, last 7 days")
        if let warm = c.warm { body += ConsoleCharts.warm(warm, id: "warm-hour") }
        return body + "</div>"
    }

    /// The worker's templates with what its last fan-out of each sent, and a link to what one would send now.
    static func workerTemplates(_ w: WorkerPage, now: Date) -> String {
        var body =
            "<table id=\"templates\"><tr><th>template</th><th>last fan-out</th><th>payloads</th><th>trigger</th><th>outcome</th><th></th></tr>"
        for t in w.templates {
            let plan = "/plan?worker=\(HTML.pathSegment(w.name))&amp;key=\(HTML.pathSegment(t.key))"
            body += "<tr data-key=\"\(HTML.text(t.key))\"><td>\(HTML.text(t.key))</td>"
            if let f = t.lastFanOut {
                body += "<td class=\"fanned\">\(time(f.at, now: now))</td><td class=\"n payloads\">\(f.payloads)</td>"
                body += "<td>\(HTML.text(f.trigger.label))</td>"
                body +=
                    "<td>\(f.failure.map { "<span class=\"bad\">failed: \(HTML.text($0))</span>" } ?? "<span class=\"ok\">done</span>")</td>"
            } else {
                body += "<td class=\"fanned\">—</td><td class=\"n payloads\">—</td><td>—</td><td>—</td>"
            }
            body += "<td><a href=\"\(plan)\">plan</a></td></tr>"
        }
        return body + "</table>"
    }

    static func recentRuns(_ w: WorkerPage) -> String {
        var body =
            "<h2>Recent runs</h2><form method=\"get\" action=\"/workers/\(HTML.pathSegment(w.name))\">outcome: <select name=\"outcome\">"
        for choice in ["", "failures"] + RunOutcome.allCases.map(\.name) {
            let selected = (w.runFilter.outcome ?? "") == choice ? " selected" : ""
            body += "<option value=\"\(HTML.text(choice))\"\(selected)>\(choice.isEmpty ? "all" : HTML.text(choice))</option>"
        }
        body += "</select>"
        for (name, value, size) in [
            ("account", w.runFilter.account, 14), ("region", w.runFilter.region, 12), ("template", w.runFilter.template, 24),
        ] {
            body += " \(name): <input name=\"\(name)\" size=\"\(size)\" value=\"\(HTML.text(value ?? ""))\">"
        }
        body += " <button>filter</button></form>"
        body += w.runProblems.map { "<p class=\"bad\">\(HTML.text($0))</p>" }.joined()
        if w.runs.isEmpty { return body + "<p class=\"note\">no runs</p>" }
        body +=
            "<table id=\"runs\"><tr><th>started</th><th>outcome</th><th>account</th><th>region</th><th>template</th><th>attempt</th>"
            + "<th>duration</th><th>host</th><th>exit</th><th>error / result</th></tr>"
        for r in w.runs {
            let detail =
                r.outcome.isFailure ? (r.error ?? "") + (r.stderrExcerpt.map { "\n" + $0 } ?? "") : (r.resultExcerpt ?? "")
            body += "<tr class=\"run\" data-outcome=\"\(r.outcome.name)\" data-account=\"\(HTML.text(r.account ?? ""))\">"
            body +=
                "<td>\(HTML.text(iso(r.started)))</td><td class=\"\(r.outcome.isFailure ? "bad" : "ok")\">\(r.outcome.name)</td>"
            body +=
                "<td>\(HTML.text(r.account ?? "—"))</td><td>\(HTML.text(r.region ?? "—"))</td><td>\(HTML.text(r.template ?? "—"))</td>"
            body += "<td class=\"n\">\(r.attempt)</td><td class=\"n\">\(Int((r.durationSeconds * 1000).rounded())) ms</td>"
            // Hosts sharing SQS queues run each other's payloads: say which one made this run.
            body += "<td class=\"host\">\(HTML.text(r.host ?? "—"))</td>"
            body +=
                "<td class=\"n\">\(r.exitStatus.map(String.init) ?? "—")</td><td><code>\(HTML.text(String(detail.prefix(300))))</code></td></tr>"
        }
        return body + "</table>"
    }

    // MARK: dead letters

    struct LetterRow: Sendable {
        var worker: String
        /// The file name's id (the message id it was dead-lettered with).
        var id: String
        var letter: DeadLetter
    }

    static func deadLetters(
        _ rows: [LetterRow], workers: [String], filter: String?, account: String?, token: String,
        redrives: [DeadLetterRedrives.Job] = []
    ) -> String {
        var body = redriveList(redrives)
        body += "<form method=\"get\" action=\"/dead-letters\">worker: <select name=\"worker\"><option value=\"\">all</option>"
        for w in workers { body += "<option\(w == filter ? " selected" : "")>\(HTML.text(w))</option>" }
        body +=
            "</select> account: <input name=\"account\" size=\"14\" value=\"\(HTML.text(account ?? ""))\"> <button>filter</button></form>"
        if rows.isEmpty { return page(title: "Dead letters", body: body + "<p>no dead letters</p>") }
        // One form for the selected letters; the actions go to a confirmation page first.
        body += "<form method=\"post\" action=\"/dead-letters/confirm\">\(tokenField(token))"
        if let filter { body += "<input type=\"hidden\" name=\"worker\" value=\"\(HTML.text(filter))\">" }
        if let account { body += "<input type=\"hidden\" name=\"account\" value=\"\(HTML.text(account))\">" }
        body +=
            "<table id=\"letters\"><tr><th></th><th>worker</th><th>id</th><th>account</th><th>region</th><th>dead-lettered</th><th>receives</th><th>reason</th><th>payload</th></tr>"
        for r in rows {
            let l = r.letter
            let value = "\(r.worker)/\(r.id)"
            let error = l.failures.last?.error ?? l.reason
            let address = PayloadAddress(attributes: l.attributes)
            body +=
                "<tr data-id=\"\(HTML.text(r.id))\"><td><input type=\"checkbox\" name=\"letter\" value=\"\(HTML.text(value))\"></td>"
            body +=
                "<td>\(HTML.text(r.worker))</td><td><a href=\"/dead-letters/\(HTML.pathSegment(r.worker))/\(HTML.pathSegment(r.id))\">\(HTML.text(r.id))</a></td>"
            body +=
                "<td class=\"account\">\(HTML.text(address.account ?? "—"))</td><td>\(HTML.text(address.region ?? "—"))</td>"
            body += "<td>\(HTML.text(iso(l.deadLetteredTimestamp)))</td><td class=\"n\">\(l.receiveCount)</td>"
            body +=
                "<td>\(HTML.text(String(error.prefix(200))))</td><td><code class=\"payload\">\(HTML.text(String(l.bodyText.prefix(160))))</code></td></tr>"
        }
        body += "</table>"
        body +=
            "<button name=\"action\" value=\"redrive\">Redrive selected…</button> <button name=\"action\" value=\"purge\" class=\"danger\">Purge selected…</button> "
        body +=
            "<button name=\"action\" value=\"redrive-all\">Redrive all shown…</button> <button name=\"action\" value=\"purge-all\" class=\"danger\">Purge all shown…</button></form>"
        return page(title: "Dead letters", body: body)
    }

    static func deadLetter(_ letter: DeadLetter, worker: String, id: String, token: String) -> String {
        var body = "<table id=\"letter\">"
        let rows: [(String, String)] =
            [
                ("worker", worker), ("message id", letter.messageId), ("reason", letter.reason),
                ("receives", "\(letter.receiveCount) of \(letter.maxReceiveCount)"), ("sent", iso(letter.sentTimestamp)),
                ("dead-lettered", iso(letter.deadLetteredTimestamp)),
            ] + letter.attributes.sorted { $0.key < $1.key }.map { ("attribute \($0.key)", $0.value) }
        for (k, v) in rows { body += "<tr><th>\(HTML.text(k))</th><td>\(HTML.text(v))</td></tr>" }
        body +=
            "</table><h2>Payload</h2><pre id=\"payload\">\(HTML.text(letter.bodyText))</pre><h2>Failures</h2><ol id=\"failures\">"
        for f in letter.failures {
            body += "<li>\(HTML.text(iso(f.time))): \(HTML.text(f.error))\(f.exitStatus.map { " (exit status \($0))" } ?? "")"
            if let tail = f.stderrTail, !tail.isEmpty { body += "<pre>\(HTML.text(tail))</pre>" }
            body += "</li>"
        }
        body += "</ol>"
        let value = HTML.text("\(worker)/\(id)")
        body +=
            "<form method=\"post\" action=\"/dead-letters/confirm\">\(tokenField(token))<input type=\"hidden\" name=\"letter\" value=\"\(value)\">"
        body +=
            "<button id=\"redrive\" name=\"action\" value=\"redrive\">Redrive…</button> <button name=\"action\" value=\"purge\" class=\"danger\">Purge…</button></form>"
        return page(title: "Dead letter \(id)", body: body)
    }

    /// The confirmation step: the same selection again, with the action's consequence spelled out.
    static func confirm(action: ConsoleAction, letters: [String], token: String) -> String {
        let verb = action.isPurge ? "Purge" : "Redrive"
        var body = "<p>\(verb) \(letters.count) dead letter(s)? "
        body +=
            action.isPurge
            ? "They are deleted for good." : "Each goes back on its worker's queue as a new message and runs again."
        body +=
            "</p><ul>" + letters.prefix(50).map { "<li>\(HTML.text($0))</li>" }.joined()
            + (letters.count > 50 ? "<li>…</li>" : "") + "</ul>"
        body += "<form method=\"post\" action=\"/dead-letters/\(action.isPurge ? "purge" : "redrive")\">\(tokenField(token))"
        for l in letters { body += "<input type=\"hidden\" name=\"letter\" value=\"\(HTML.text(l))\">" }
        body += confirmButtons(action: action, count: letters.count)
        return page(title: "Confirm: \(verb.lowercased())", body: body)
    }

    /// The confirmation of "all shown": the filter is carried, not the ids, and the action matches it again.
    static func confirmAll(action: ConsoleAction, scope: DeadLetterOperations.Filter, count: Int, token: String) -> String {
        let verb = action.isPurge ? "Purge" : "Redrive"
        var body = "<p>\(verb) \(HTML.text(scope.description)): <b id=\"count\">\(count)</b> dead letter(s) now? "
        body +=
            action.isPurge
            ? "They are deleted for good." : "Each goes back on its worker's queue as a new message and runs again."
        body += " Letters that arrive before you confirm are included.</p>"
        body += "<form method=\"post\" action=\"/dead-letters/\(action.isPurge ? "purge" : "redrive")\">\(tokenField(token))"
        body += "<input type=\"hidden\" name=\"all\" value=\"1\">"
        if let w = scope.worker { body += "<input type=\"hidden\" name=\"worker\" value=\"\(HTML.text(w))\">" }
        if let a = scope.account { body += "<input type=\"hidden\" name=\"account\" value=\"\(HTML.text(a))\">" }
        body += confirmButtons(action: action, count: count)
        return page(title: "Confirm: \(verb.lowercased())", body: body)
    }

    /// The confirm button (with the redrive's pace) and the way back; closes the form.
    static func confirmButtons(action: ConsoleAction, count: Int) -> String {
        var html = ""
        if !action.isPurge {
            html +=
                "<p><label>at most <input name=\"rate\" id=\"rate\" type=\"number\" min=\"1\" max=\"\(Int(DeadLetterRedrives.rates.upperBound))\" value=\"\(Int(DeadLetterRedrives.defaultRate))\"> letters per second</label></p>"
        }
        let verb = action.isPurge ? "Purge" : "Redrive"
        html +=
            "<button id=\"confirm\" class=\"\(action.isPurge ? "danger" : "")\">\(verb) \(count)</button> <a href=\"/dead-letters\">cancel</a></form>"
        return html
    }

    // MARK: redrives

    /// A redrive's progress; the page reloads itself every 2 s while it runs.
    static func redrive(_ job: DeadLetterRedrives.Job, token: String, now: Date) -> String {
        var body =
            "<p>\(HTML.text(job.scope)) at most \(Int(job.ratePerSecond)) per second, started \(time(job.started, now: now))"
        if let ended = job.ended { body += ", \(job.state.rawValue) \(time(ended, now: now))" }
        body += "</p><p><progress id=\"progress\" value=\"\(job.done)\" max=\"\(max(job.total, 1))\"></progress> "
        body +=
            "<span id=\"state\" class=\"\(job.state == .running ? "" : job.failed > 0 ? "bad" : "ok")\">\(job.state.rawValue)</span>: "
        body +=
            "<span id=\"counts\"><b id=\"redriven\">\(job.redriven)</b> redriven, <b id=\"failed\">\(job.failed)</b> failed, of <b id=\"total\">\(job.total)</b></span></p>"
        if !job.lines.isEmpty {
            body += "<ul id=\"problems\">" + job.lines.map { "<li class=\"bad\">\(HTML.text($0))</li>" }.joined() + "</ul>"
        }
        if job.state == .running {
            body +=
                "<form method=\"post\" action=\"/dead-letters/redrives/\(job.id)/stop\">\(tokenField(token))<button id=\"stop\" class=\"danger\">Stop the redrive</button></form>"
        }
        body += "<p><a href=\"/dead-letters\">dead letters</a> · <a href=\"/\">overview</a></p>"
        return page(title: "Redrive \(job.id)", body: body, refreshSeconds: job.state == .running ? 2 : nil)
    }

    static func redriveList(_ jobs: [DeadLetterRedrives.Job]) -> String {
        guard !jobs.isEmpty else { return "" }
        var html =
            "<table id=\"redrives\"><tr><th>redrive</th><th>of</th><th>state</th><th>redriven</th><th>failed</th><th>total</th></tr>"
        for j in jobs {
            html += "<tr><td><a href=\"/dead-letters/redrives/\(j.id)\">\(j.id)</a></td><td>\(HTML.text(j.scope))</td>"
            html +=
                "<td>\(j.state.rawValue)</td><td class=\"n\">\(j.redriven)</td><td class=\"n\">\(j.failed)</td><td class=\"n\">\(j.total)</td></tr>"
        }
        return html + "</table>"
    }

    static func result(title: String, lines: [String]) -> String {
        page(
            title: title,
            body: "<ul id=\"result\">" + lines.map { "<li>\(HTML.text($0))</li>" }.joined()
                + "</ul><p><a href=\"/dead-letters\">dead letters</a> · <a href=\"/\">overview</a></p>")
    }

    static func message(title: String, _ text: String) -> String {
        page(title: title, body: "<p>\(HTML.text(text))</p>")
    }

    static func tokenField(_ token: String) -> String {
        "<input type=\"hidden\" name=\"token\" value=\"\(HTML.text(token))\">"
    }

    // MARK: formatting

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    /// "2m ago", "in 14m"; the exact time in the tooltip.
    static func time(_ date: Date, now: Date) -> String {
        let delta = date.timeIntervalSince(now)
        let text = abs(delta) < 1 ? "now" : delta < 0 ? "\(duration(-delta)) ago" : "in \(duration(delta))"
        return "<time datetime=\"\(iso(date))\" title=\"\(iso(date))\">\(text)</time>"
    }

    static func duration(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s >= 86_400 { return "\(s / 86_400)d\((s % 86_400) / 3600)h" }
        if s >= 3600 { return "\(s / 3600)h\((s % 3600) / 60)m" }
        if s >= 60 { return "\(s / 60)m\(s % 60)s" }
        return "\(s)s"
    }
}

/// What a dead-letter form asks for.
enum ConsoleAction: String, Sendable {
    case redrive, purge
    case redriveAll = "redrive-all"
    case purgeAll = "purge-all"
    var isPurge: Bool { self == .purge || self == .purgeAll }
}
