import Glibc

/// CLOCK_MONOTONIC in microseconds: the clock systemd compares `MONOTONIC_USEC=` against.
func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    // clock_gettime(CLOCK_MONOTONIC) cannot fail on Linux for a valid pointer; 0 keeps the field well-formed if it did.
    guard clock_gettime(CLOCK_MONOTONIC, &now) == 0 else { return 0 }
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
}
