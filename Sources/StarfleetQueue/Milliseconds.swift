import FoundationEssentials

/// The journal stores times as milliseconds since 1970 (SQS's own resolution for SentTimestamp).
enum Milliseconds {
    static func from(_ date: Date) -> Int64 {
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        // Out-of-range dates (never produced by a sane clock) saturate instead of trapping.
        guard ms.isFinite else { return 0 }
        return ms >= 9.2e18 ? Int64.max / 2 : ms <= -9.2e18 ? Int64.min / 2 : Int64(ms)
    }

    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    /// Seconds (a timeout) as milliseconds.
    static func duration(_ seconds: Double) -> Int64 { from(Date(timeIntervalSince1970: seconds)) }
}
