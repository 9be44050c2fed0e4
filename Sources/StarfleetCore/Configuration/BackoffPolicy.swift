/// How long a failed message stays invisible before its next attempt: exponential, capped, with jitter so that
/// a burst of failures does not retry in lockstep. Pure: the random draw comes in as a parameter.
package struct BackoffPolicy: Sendable, Hashable {
    package var initialSeconds: Double
    package var maxSeconds: Double
    package var multiplier: Double

    package init(initialSeconds: Double = 10, maxSeconds: Double = 300, multiplier: Double = 2) {
        self.initialSeconds = initialSeconds
        self.maxSeconds = maxSeconds
        self.multiplier = multiplier
    }

    /// The delay after failed attempt number `attempt` (1-based): `min(max, initial × multiplier^(attempt−1))`,
    /// then "equal jitter" — half fixed, half random — so it never collapses to zero.
    /// - Parameter unit: a random number in 0..<1.
    package func delay(afterAttempt attempt: Int, unit: Double) -> Double {
        var base = initialSeconds
        var step = 1
        while step < attempt && base < maxSeconds {
            base *= multiplier
            step += 1
        }
        base = min(base, maxSeconds)
        return base / 2 + base / 2 * min(max(unit, 0), 1)
    }
}
