import FoundationEssentials
import Glibc

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Stopwatch {
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// Aligned "name  value" lines, so results read as a table in a terminal and paste into docs/benchmarks.md.
enum Report {
    static func row(_ name: String, _ value: String) {
        print(name + String(repeating: " ", count: max(1, 44 - name.count)) + value)
    }

    static func ms(_ seconds: Double) -> String { fixed(seconds * 1000, 2) + " ms" }

    /// `measured / target` as "0.12×".
    static func ratio(_ measured: Double, _ target: Double) -> String { fixed(measured / target, 2) + "×" }

    /// `x` with `digits` decimals (no Foundation formatting in this binary).
    static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        let whole = Int(scaled / scale)
        var fraction = String(Int(scaled) - whole * Int(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return (x < 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + fraction : "")
    }
}
