/// A small ordered set of field values (minutes, hours, months, years) stored as a 256-bit mask.
///
/// Values are stored relative to `offset` so the Year field (1970-2199) fits: bit i means value offset + i.
/// Lookups take any Int and simply answer nil/false outside the representable range, which lets the fire-time
/// search overshoot (hour 24, day 0, month 13) and treat that as "no match here, carry to the next unit".
struct CronValueSet: Sendable, Hashable {
    private var w0: UInt64 = 0
    private var w1: UInt64 = 0
    private var w2: UInt64 = 0
    private var w3: UInt64 = 0
    let offset: Int

    init(offset: Int = 0) {
        self.offset = offset
    }

    init(offset: Int = 0, _ values: some Sequence<Int>) {
        self.offset = offset
        for v in values { insert(v) }
    }

    private func word(_ index: Int) -> UInt64 {
        switch index {
        case 0: w0
        case 1: w1
        case 2: w2
        default: w3
        }
    }

    mutating func insert(_ value: Int) {
        let bit = value - offset
        guard (0..<256).contains(bit) else { return }
        let mask = UInt64(1) << UInt64(bit % 64)
        switch bit / 64 {
        case 0: w0 |= mask
        case 1: w1 |= mask
        case 2: w2 |= mask
        default: w3 |= mask
        }
    }

    func contains(_ value: Int) -> Bool {
        let bit = value - offset
        guard (0..<256).contains(bit) else { return false }
        return word(bit / 64) & (UInt64(1) << UInt64(bit % 64)) != 0
    }

    var isEmpty: Bool { w0 | w1 | w2 | w3 == 0 }

    /// The smallest member in `value...limit`, or nil.
    func next(from value: Int, through limit: Int) -> Int? {
        var v = max(value, offset)
        let end = min(limit, offset + 255)
        while v <= end {
            if contains(v) { return v }
            v += 1
        }
        return nil
    }

    /// The largest member in `limit...value`, or nil.
    func previous(from value: Int, downTo limit: Int) -> Int? {
        var v = min(value, offset + 255)
        let end = max(limit, offset)
        while v >= end {
            if contains(v) { return v }
            v -= 1
        }
        return nil
    }

    /// Members in ascending order (for tests and debugging).
    var values: [Int] { (offset..<(offset + 256)).filter(contains) }

    // Equal when the members are equal, whatever offset each set was built with.
    static func == (lhs: Self, rhs: Self) -> Bool { lhs.values == rhs.values }
    func hash(into hasher: inout Hasher) { hasher.combine(values) }
}
