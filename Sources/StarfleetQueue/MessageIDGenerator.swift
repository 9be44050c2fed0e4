import Glibc
import Synchronization

/// Random version-4 UUIDs, fast: `UUID()` asks the kernel for randomness every time (~4 µs), which alone
/// would cost 70 ms for a 17,000-message fan-out. This is xoshiro256** seeded once per process from
/// getrandom(2); with 256 bits of state from the kernel, two processes' streams never meet in practice.
enum MessageIDGenerator {
    private static let state = Mutex<(UInt64, UInt64, UInt64, UInt64)>(seed())

    private static func seed() -> (UInt64, UInt64, UInt64, UInt64) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var generator = SystemRandomNumberGenerator()
        words = (generator.next(), generator.next(), generator.next(), generator.next())
        if words == (0, 0, 0, 0) { words.0 = 0x9E37_79B9_7F4A_7C15 }
        return words
    }

    /// `count` fresh message ids.
    static func make(_ count: Int) -> [MessageID] {
        state.withLock { s in
            var ids: [MessageID] = []
            ids.reserveCapacity(count)
            for _ in 0..<count {
                let high = next(&s)
                let low = next(&s)
                ids.append(MessageID(high: (high & ~0xF000) | 0x4000, low: (low & ~(0xC000 << 48)) | (0x8000 << 48)))
            }
            return ids
        }
    }

    private static func next(_ s: inout (UInt64, UInt64, UInt64, UInt64)) -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
