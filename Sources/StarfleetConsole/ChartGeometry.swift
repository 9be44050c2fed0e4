/// Where a chart's marks go in its plot area, `width` × `height` in SVG units with y growing downwards: bars in
/// equal slots left to right (one per bucket), stacked from the bottom, and lines through the slots' centres. The
/// value at the top of the plot is a round number at or above the largest value (1, 2 or 5 times a power of ten), so
/// the axis label reads well and the tallest bar fits.
struct ChartGeometry: Sendable, Equatable {
    struct Rect: Sendable, Equatable {
        var x: Double
        var y: Double
        var width: Double
        var height: Double
    }

    struct Point: Sendable, Equatable {
        var x: Double
        var y: Double
    }

    let width: Double
    let height: Double
    let slots: Int
    /// The value at the top edge of the plot.
    let top: Double

    init(width: Double, height: Double, slots: Int, maxValue: Double) {
        precondition(width > 0 && height > 0 && slots > 0)
        self.width = width
        self.height = height
        self.slots = slots
        top = Self.roundCeiling(maxValue)
    }

    /// The smallest of …, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, … at or above `value` (1 for nothing: an empty chart
    /// still has an axis; durations under a second get a scale of their own).
    static func roundCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        var power = 1.0
        while power > value { power /= 10 }
        while power * 10 < value { power *= 10 }
        for step in [1.0, 2, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    /// The y of `value` (0 at the bottom edge, `top` at the top edge).
    func y(_ value: Double) -> Double { height - min(max(value, 0), top) / top * height }

    /// Slot `index`'s bar: the slot's width less a gap of a fifth (none when slots are under 2 units wide).
    func slot(_ index: Int) -> (x: Double, width: Double) {
        let pitch = width / Double(slots)
        let gap = pitch >= 2 ? pitch / 5 : 0
        return (Double(index) * pitch + gap / 2, pitch - gap)
    }

    /// Slot `index`'s stacked segments, one per value in order from the bottom up (zero-height for a zero value, so
    /// the n-th rect is always the n-th value's).
    func stack(_ values: [Int], at index: Int) -> [Rect] {
        let (x, barWidth) = slot(index)
        var base = 0.0
        return values.map { value in
            let bottom = y(base)
            base += Double(value)
            let topY = y(base)
            return Rect(x: x, y: topY, width: barWidth, height: bottom - topY)
        }
    }

    /// A line through the slots' centres, broken where a slot has no value: one run of points per unbroken stretch.
    func line(_ values: [Double?]) -> [[Point]] {
        var runs: [[Point]] = []
        var current: [Point] = []
        for (i, value) in values.enumerated() {
            guard let value else {
                if !current.isEmpty { runs.append(current) }
                current = []
                continue
            }
            let (x, barWidth) = slot(i)
            current.append(Point(x: x + barWidth / 2, y: y(value)))
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }
}
