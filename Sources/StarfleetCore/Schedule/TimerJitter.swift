/// `STARFLEET.TimerJitterSeconds`: each schedule fires a fixed offset after its boundary, the same on every start of
/// a host and different between hosts and schedules, so that many timers (or many hosts) do not all start at :00.
/// Deterministic (FNV-1a, not Swift's per-process seeded `Hasher`), so restarts keep the offset and tests can
/// name it.
package enum TimerJitter {
    /// The offset in whole seconds, 0 ..< maxSeconds (0 when maxSeconds is 0), of `schedule` on host `host`.
    package static func offset(for schedule: Schedule, host: String, maxSeconds: Int) -> Int {
        guard maxSeconds > 0 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (host + "\u{0}" + schedule.description).utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(maxSeconds))
    }
}
