import Synchronization

/// The daemon's counters, gauges and fixed-bucket histograms, rendered as Prometheus text exposition 0.0.4.
///
/// Hand-rolled on purpose: swift-prometheus serves only through SwiftNIO, which the daemon does not use, and
/// swift-metrics would add a global factory and a second registry for the dozen series below. The text format is
/// small and stable; `render()` is checked against a golden text in StarfleetMetricsTests.
///
/// Every family is declared once (name, help, type, buckets); updates to undeclared names are ignored, so a typo
/// cannot create a stray family. Updates take one short lock and never block.
package final class MetricsRegistry: Sendable {
    package enum Kind: String, Sendable { case counter, gauge, histogram }

    /// Label pairs in the order they are written.
    package typealias Labels = KeyValuePairs<String, String>

    struct Series {
        var value: Double = 0
        /// Histogram only: per-bucket counts (not cumulative), then the sum; `value` is the count.
        var buckets: [UInt64] = []
        var sum: Double = 0
    }

    struct Family {
        let help: String
        let kind: Kind
        let buckets: [Double]
        var series: [String: Series] = [:]
    }

    private let families = Mutex<[String: Family]>([:])

    package init() {}

    /// Declares a family. Histogram buckets are upper bounds, ascending; +Inf is implied.
    package func declare(_ name: String, _ kind: Kind, help: String, buckets: [Double] = []) {
        families.withLock { all in
            if all[name] == nil {
                all[name] = Family(help: help, kind: kind, buckets: kind == .histogram ? buckets.sorted() : [])
            }
        }
    }

    /// Adds to a counter (or a gauge).
    package func increment(_ name: String, _ labels: Labels = [:], by amount: Double = 1) {
        update(name, labels) { series, _ in series.value += amount }
    }

    /// Sets a gauge, or a counter whose source keeps the running total (e.g. a queue's dead-letter count).
    package func set(_ name: String, _ labels: Labels = [:], to value: Double) {
        update(name, labels) { series, _ in series.value = value }
    }

    /// Records one histogram observation.
    package func observe(_ name: String, _ labels: Labels = [:], _ value: Double) {
        update(name, labels) { series, bounds in
            if series.buckets.count != bounds.count + 1 { series.buckets = Array(repeating: 0, count: bounds.count + 1) }
            let index = bounds.firstIndex { value <= $0 } ?? bounds.count
            series.buckets[index] += 1
            series.sum += value
            series.value += 1
        }
    }

    /// Replaces every series of a gauge family at once, so a scrape never sees it half updated.
    package func replace(_ name: String, with values: [(labels: Labels, value: Double)]) {
        families.withLock { all in
            guard all[name] != nil else { return }
            var series: [String: Series] = [:]
            for (labels, value) in values { series[Self.labelText(labels)] = Series(value: value) }
            all[name]?.series = series
        }
    }

    /// Drops every series of a family (for gauges whose label set changes, e.g. queues after a reload).
    package func reset(_ name: String) {
        families.withLock { $0[name]?.series = [:] }
    }

    /// The current value of one series (tests, diagnostics); a histogram's is its count.
    package func value(_ name: String, _ labels: Labels = [:]) -> Double? {
        families.withLock { $0[name]?.series[Self.labelText(labels)]?.value }
    }

    private func update(_ name: String, _ labels: Labels, _ body: (inout Series, [Double]) -> Void) {
        let key = Self.labelText(labels)
        families.withLock { all in
            guard var family = all[name] else { return }
            all[name] = nil  // keep the family uniquely referenced while it is mutated
            body(&family.series[key, default: Series()], family.buckets)
            all[name] = family
        }
    }

    // MARK: Exposition

    /// The Content-Type of `render()`.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Prometheus text exposition format 0.0.4: families by name, series by label text, one sample per line.
    package func render() -> String {
        let snapshot = families.withLock { $0 }
        var out = ""
        for name in snapshot.keys.sorted() {
            guard let family = snapshot[name] else { continue }
            out += "# HELP \(name) \(Self.escapeHelp(family.help))\n# TYPE \(name) \(family.kind.rawValue)\n"
            for key in family.series.keys.sorted() {
                guard let series = family.series[key] else { continue }
                switch family.kind {
                case .counter, .gauge:
                    out += "\(name)\(Self.braced(key)) \(Self.number(series.value))\n"
                case .histogram:
                    var cumulative: UInt64 = 0
                    let counts = series.buckets.isEmpty ? Array(repeating: 0, count: family.buckets.count + 1) : series.buckets
                    for (bound, count) in zip(family.buckets.map(Self.number) + ["+Inf"], counts) {
                        cumulative += count
                        let le = "le=\"\(bound)\""
                        out += "\(name)_bucket{\(key.isEmpty ? le : key + "," + le)} \(cumulative)\n"
                    }
                    out += "\(name)_sum\(Self.braced(key)) \(Self.number(series.sum))\n"
                    out += "\(name)_count\(Self.braced(key)) \(Self.number(series.value))\n"
                }
            }
        }
        return out
    }

    static func labelText(_ labels: Labels) -> String {
        labels.map { "\($0.key)=\"\(escapeLabel($0.value))\"" }.joined(separator: ",")
    }

    static func braced(_ key: String) -> String { key.isEmpty ? "" : "{\(key)}" }

    /// Integers without a fraction; NaN and infinities as Prometheus spells them.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapeLabel(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences("\\", with: "\\\\").replacingOccurrences("\n", with: "\\n")
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
