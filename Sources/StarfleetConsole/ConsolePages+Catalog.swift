import FoundationEssentials
import StarfleetCore
import StarfleetDaemon

extension ConsolePages {
    /// "changed" is the daemon's acknowledged change when it recorded one, else the file's mtime, each labelled;
    /// "last fan-out" is this worker's; the flags say when the content is not what was acknowledged or fanned out.
    static func templates(_ rows: [ConsoleCatalog.TemplateRow], errors: [String], now: Date) -> String {
        var body = errors.map { "<p class=\"bad\">\(HTML.text($0))</p>" }.joined()
        if rows.isEmpty { return page(title: "Templates", body: body + "<p>no templates</p>") }
        body +=
            "<table id=\"templates\"><tr><th>worker</th><th>key</th><th>SHA-256</th><th>changed</th><th>last fan-out</th><th>problems</th><th></th></tr>"
        for r in rows {
            let plan = "/plan?worker=\(HTML.pathSegment(r.worker))&amp;key=\(HTML.pathSegment(r.key))"
            body +=
                "<tr data-key=\"\(HTML.text(r.key))\"><td>\(HTML.text(r.worker))</td><td>\(HTML.text(r.key))</td><td><code title=\"\(HTML.text(r.sha256 ?? ""))\">\(HTML.text(String((r.sha256 ?? "?").prefix(16))))</code>"
            body += r.flags.map { "<div class=\"warn\">\(HTML.text($0))</div>" }.joined() + "</td>"
            if let acknowledged = r.acknowledged {
                body += "<td>\(time(acknowledged.at, now: now)) <span class=\"note\">acknowledged</span></td>"
            } else if let mtime = r.fileChanged {
                body += "<td>\(time(mtime, now: now)) <span class=\"note\">file mtime</span></td>"
            } else {
                body += "<td>—</td>"
            }
            body += "<td>\(lastFanOut(r.lastFanOut, now: now))</td>"
            body +=
                "<td>\(r.problems.isEmpty ? "<span class=\"ok\">none</span>" : r.problems.map { "<div class=\"bad\">\(HTML.text($0))</div>" }.joined())</td>"
            body += "<td><a href=\"\(plan)\">plan</a></td></tr>"
        }
        return page(title: "Templates", body: body + "</table>")
    }

    /// e.g. "2m ago · 4 payloads · template change", or the failure's short reason.
    static func lastFanOut(_ f: TemplateActivity.FanOut?, now: Date) -> String {
        guard let f else { return "—" }
        let what =
            f.failure.map { "<span class=\"bad\">failed: \(HTML.text($0))</span>" }
            ?? "\(f.payloads) payload\(f.payloads == 1 ? "" : "s")"
        return "\(time(f.at, now: now)) · \(what) · \(HTML.text(f.trigger.label))"
    }

    static func plan(_ v: ConsoleCatalog.PlanView) -> String {
        var body =
            "<p>\(HTML.text(v.key)) → \(HTML.text(v.worker)) (\(HTML.text(v.strategy))): <b id=\"count\">\(v.count)</b> payload(s)</p>"
        body += v.problems.map { "<p class=\"bad\">\(HTML.text($0))</p>" }.joined()
        body += v.notes.map { "<p class=\"note\">\(HTML.text($0))</p>" }.joined()
        if !v.sample.isEmpty {
            body += "<table id=\"plan\"><tr><th>account</th><th>name</th><th>region</th></tr>"
            for s in v.sample {
                body += "<tr><td>\(HTML.text(s.account))</td><td>\(HTML.text(s.name))</td><td>\(HTML.text(s.region))</td></tr>"
            }
            body += "</table>"
            if v.count > v.sample.count { body += "<p class=\"note\">the first \(v.sample.count) of \(v.count)</p>" }
        }
        return page(title: "Plan", body: body)
    }

    static func accounts(_ index: Result<AccountIndex, AccountIndexError>) -> String {
        switch index {
        case .failure(let error): return page(title: "Accounts", body: "<p class=\"bad\">\(HTML.text(error.description))</p>")
        case .success(let index):
            var body = "<p>\(index.accounts.count) account(s)\(index.generated.map { ", generated \(HTML.text($0))" } ?? "")</p>"
            body += "<table id=\"accounts\"><tr><th>id</th><th>name</th><th>OUs</th><th>regions</th><th>tags</th></tr>"
            for a in index.accounts {
                body += "<tr><td>\(HTML.text(a.id))</td><td>\(HTML.text(a.name))</td>"
                body += "<td>\(HTML.text(a.parents.map { "\($0.name) (\($0.id))" }.joined(separator: ", ")))</td>"
                body += "<td>\(HTML.text(a.regions.joined(separator: ", ")))</td>"
                body +=
                    "<td>\(HTML.text(a.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")))</td></tr>"
            }
            return page(title: "Accounts", body: body + "</table>")
        }
    }
}
