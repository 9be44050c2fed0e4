import FoundationEssentials
internal import Glibc

/// The two timestamp forms of Starfleet's account index, computed with gmtime_r (no locale, no time-zone database).
enum UTCTimestamp {
    /// `generated`: `YYYY-MM-DDTHH:MM:SSZ` (Python's `datetime.now(UTC)` without microseconds, plus `Z`).
    static func generated(_ date: Date) -> String {
        let (day, time) = parts(seconds: Int64(date.timeIntervalSince1970.rounded(.down)))
        return "\(day)T\(time)Z"
    }

    /// `JoinedTimestamp`: Python's `str(datetime)`: `YYYY-MM-DD HH:MM:SS.ffffff`, the fraction left out when zero.
    static func joined(epochSeconds: Double) -> String {
        let micros = Int64((epochSeconds * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let (day, time) = parts(seconds: seconds)
        guard fraction > 0 else { return "\(day) \(time)" }
        return "\(day) \(time).\(pad(Int32(fraction), 6))"
    }

    private static func parts(seconds: Int64) -> (day: String, time: String) {
        var value = time_t(seconds)
        var t = tm()
        gmtime_r(&value, &t)
        let day = pad(t.tm_year + 1900, 4) + "-" + pad(t.tm_mon + 1, 2) + "-" + pad(t.tm_mday, 2)
        let time = pad(t.tm_hour, 2) + ":" + pad(t.tm_min, 2) + ":" + pad(t.tm_sec, 2)
        return (day, time)
    }

    private static func pad(_ value: Int32, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
