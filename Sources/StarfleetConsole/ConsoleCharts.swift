import FoundationEssentials
import StarfleetDaemon

/// The console's charts: inline SVG drawn on the server from `RunChartSeries` and the warm pools' minutes, placed by
/// `ChartGeometry`. No script draws or needs them: each bucket's numbers are in its `<title>` (a tooltip) and its
/// `data-*` attributes, and a line of text under each chart says the totals.
enum ConsoleCharts {
    static let width = 600.0
    static let height = 110.0
    /// Room for the y axis labels on the left and the time labels below.
    static let left = 36.0
    static let bottom = 16.0

    // MARK: runs per bucket

    /// Stacked bars per bucket: succeeded, failed, dead-lettered.
    static func runs(_ s: RunChartSeries, id: String, title: String) -> String {
        let top = s.buckets.map(\.total).max() ?? 0
        let g = ChartGeometry(width: width, height: height, slots: s.buckets.count, maxValue: Double(top))
        var marks = ""
        for (i, b) in s.buckets.enumerated() {
            let values = [b.succeeded, b.failed, b.deadLettered]
            marks +=
                "<g class=\"bucket\" data-start=\"\(iso(b.start))\" data-succeeded=\"\(b.succeeded)\" data-failed=\"\(b.failed)\" data-dead-lettered=\"\(b.deadLettered)\">"
            marks +=
                "<title>\(label(b.start, s.bucketSeconds)): \(b.succeeded) succeeded, \(b.failed) failed, \(b.deadLettered) dead-lettered</title>"
            for (rect, kind) in zip(g.stack(values, at: i), ["ok", "fail", "dead"]) where rect.height > 0 {
                marks +=
                    "<rect class=\"c-\(kind)\" x=\"\(n(rect.x))\" y=\"\(n(rect.y))\" width=\"\(n(rect.width))\" height=\"\(n(rect.height))\"/>"
            }
            marks += "</g>"
        }
        let totals = s.buckets.reduce(into: (0, 0, 0)) {
            $0.0 += $1.succeeded
            $0.1 += $1.failed
            $0.2 += $1.deadLettered
        }
        let summary =
            "<span class=\"ok\">\(totals.0) succeeded</span>, <span class=\"warn\">\(totals.1) failed</span>, "
            + "<span class=\"bad\">\(totals.2) dead-lettered</span>"
            + (s.filtered > 0 ? " (\(s.filtered) filtered by FilterCriteria, not charted)" : "")
        return figure(id: id, title: title, geometry: g, series: s, marks: marks, summary: summary, unit: "runs")
    }

    /// p50 and p95 of the runs' durations per bucket, as two lines broken where a bucket had no run.
    static func durations(_ s: RunChartSeries, id: String, title: String) -> String {
        let top = s.buckets.compactMap(\.p95).max() ?? 0
        let g = ChartGeometry(width: width, height: height, slots: s.buckets.count, maxValue: top)
        var marks = ""
        for (kind, values) in [("p95", s.buckets.map(\.p95)), ("p50", s.buckets.map(\.p50))] {
            for run in g.line(values) {
                let points = run.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
                marks += run.count == 1 ? "" : "<polyline class=\"c-\(kind)\" points=\"\(points)\"/>"
                for p in run { marks += "<circle class=\"c-\(kind)\" cx=\"\(n(p.x))\" cy=\"\(n(p.y))\" r=\"1.6\"/>" }
            }
        }
        for b in s.buckets {
            guard let p50 = b.p50, let p95 = b.p95 else { continue }
            marks +=
                "<g class=\"bucket\" data-start=\"\(iso(b.start))\" data-p50=\"\(p50)\" data-p95=\"\(p95)\"><title>\(label(b.start, s.bucketSeconds)): p50 \(seconds(p50)), p95 \(seconds(p95))</title></g>"
        }
        let summary =
            s.overall.map {
                "<span class=\"p50\">p50 \(seconds($0.p50))</span>, <span class=\"p95\">p95 \(seconds($0.p95))</span> over the window"
            }
            ?? "no runs in the window"
        return figure(id: id, title: title, geometry: g, series: s, marks: marks, summary: summary, unit: "seconds")
    }

    /// The overview's small chart: the last hour's bars, no axes; the numbers in its title.
    static func spark(_ s: RunChartSeries) -> String {
        let g = ChartGeometry(width: 120, height: 18, slots: s.buckets.count, maxValue: Double(s.buckets.map(\.total).max() ?? 0))
        let totals = s.buckets.reduce(into: (0, 0, 0)) {
            $0.0 += $1.succeeded
            $0.1 += $1.failed
            $0.2 += $1.deadLettered
        }
        var svg =
            "<svg class=\"spark\" viewBox=\"0 0 120 18\" width=\"120\" height=\"18\" role=\"img\" data-succeeded=\"\(totals.0)\" data-failed=\"\(totals.1)\" data-dead-lettered=\"\(totals.2)\">"
        svg += "<title>last hour: \(totals.0) succeeded, \(totals.1) failed, \(totals.2) dead-lettered</title>"
        svg += "<line class=\"axis\" x1=\"0\" y1=\"18\" x2=\"120\" y2=\"18\"/>"
        for (i, b) in s.buckets.enumerated() where b.total > 0 {
            for (rect, kind) in zip(g.stack([b.succeeded, b.failed, b.deadLettered], at: i), ["ok", "fail", "dead"])
            where rect.height > 0 {
                svg +=
                    "<rect class=\"c-\(kind)\" x=\"\(n(rect.x))\" y=\"\(n(rect.y))\" width=\"\(n(rect.width))\" height=\"\(n(rect.height))\"/>"
            }
        }
        return svg + "</svg>"
    }

    // MARK: warm processes

    /// A Lambda-runtime worker's last hour: cold starts per minute (bars) and its most warm processes (a line).
    static func warm(_ minutes: [WarmProcessActivity.Minute], id: String) -> String {
        guard !minutes.isEmpty else { return "" }
        let top = max(minutes.map(\.coldStarts).max() ?? 0, minutes.map(\.peakProcesses).max() ?? 0)
        let g = ChartGeometry(width: width, height: height, slots: minutes.count, maxValue: Double(top))
        var marks = ""
        for (i, m) in minutes.enumerated() {
            marks +=
                "<g class=\"bucket\" data-start=\"\(iso(m.start))\" data-processes=\"\(m.peakProcesses)\" data-cold-starts=\"\(m.coldStarts)\">"
            marks +=
                "<title>\(label(m.start, 60)): \(m.peakProcesses) warm process(es) at most, \(m.coldStarts) cold start(s)</title>"
            if let rect = g.stack([m.coldStarts], at: i).first, rect.height > 0 {
                marks +=
                    "<rect class=\"c-cold\" x=\"\(n(rect.x))\" y=\"\(n(rect.y))\" width=\"\(n(rect.width))\" height=\"\(n(rect.height))\"/>"
            }
            marks += "</g>"
        }
        for run in g.line(minutes.map { Double($0.peakProcesses) }) {
            marks += "<polyline class=\"c-warm\" points=\"\(run.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " "))\"/>"
        }
        let cold = minutes.map(\.coldStarts).reduce(0, +)
        let summary =
            "<span class=\"cold\">\(cold) cold start(s)</span> in the hour; <span class=\"warmnow\">\(minutes.last?.peakProcesses ?? 0)</span> warm process(es) at most this minute"
        let first = minutes[0].start
        let last = minutes[minutes.count - 1].start
        return frame(
            id: id, title: "Warm processes and cold starts, last hour (per minute)", geometry: g, marks: marks,
            from: label(first, 60), to: label(last, 60), unit: "", summary: summary)
    }

    // MARK: frame

    private static func figure(
        id: String, title: String, geometry g: ChartGeometry, series s: RunChartSeries, marks: String, summary: String,
        unit: String
    ) -> String {
        let first = s.buckets.first.map { label($0.start, s.bucketSeconds) } ?? ""
        let last = s.buckets.last.map { label($0.start, s.bucketSeconds) } ?? ""
        return frame(id: id, title: title, geometry: g, marks: marks, from: first, to: last, unit: unit, summary: summary)
    }

    private static func frame(
        id: String, title: String, geometry g: ChartGeometry, marks: String, from: String, to: String, unit: String,
        summary: String
    ) -> String {
        let w = n(left + width + 4)
        let h = n(height + bottom + 8)
        let topLabel = unit == "seconds" ? seconds(g.top) : n(g.top)
        var svg = "<figure class=\"chart\" id=\"\(HTML.text(id))\"><figcaption>\(HTML.text(title))</figcaption>"
        svg += "<svg viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" role=\"img\" aria-label=\"\(HTML.text(title))\">"
        svg += "<g transform=\"translate(\(n(left)),4)\">"
        svg += "<line class=\"axis\" x1=\"0\" y1=\"\(n(height))\" x2=\"\(n(width))\" y2=\"\(n(height))\"/>"
        svg += "<line class=\"axis\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"\(n(height))\"/>"
        svg += "<line class=\"grid\" x1=\"0\" y1=\"0\" x2=\"\(n(width))\" y2=\"0\"/>"
        svg += "<text class=\"ylabel\" x=\"-4\" y=\"8\" text-anchor=\"end\" data-top=\"\(n(g.top))\">\(topLabel)</text>"
        svg += "<text x=\"-4\" y=\"\(n(height))\" text-anchor=\"end\">0</text>"
        svg += marks
        svg += "<text x=\"0\" y=\"\(n(height + bottom))\">\(from)</text>"
        svg += "<text x=\"\(n(width))\" y=\"\(n(height + bottom))\" text-anchor=\"end\">\(to)</text>"
        svg += "</g></svg><p class=\"summary\">\(summary)</p></figure>"
        return svg
    }

    /// A bucket's start for a label: `HH:MM` for minutes, `MM-DD HH:00` for hours (UTC, as the run history).
    static func label(_ date: Date, _ bucketSeconds: Int) -> String {
        let text = iso(date)  // 2026-01-01T00:10:00Z
        let time = text.dropFirst(11).prefix(5)
        return bucketSeconds < 3600 ? String(time) + "Z" : String(text.dropFirst(5).prefix(5)) + " " + time + "Z"
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    /// A duration for a label: milliseconds under a second (most workers), else as the rest of the console.
    static func seconds(_ value: Double) -> String {
        value < 1 ? "\(Int((value * 1000).rounded())) ms" : ConsolePages.duration(value)
    }

    /// A coordinate with at most two decimals.
    static func n(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
