import FoundationEssentials

/// `starfleetctl runs --since`: a span back from now (`90s`, `30m`, `6h`, `7d`, combined as `1h30m`) or an ISO 8601
/// time (`2026-01-31T14:05:00Z`, or a date, `2026-01-31`, meaning its midnight UTC).
enum RunsSince {
    static func parse(_ text: String, now: Date) -> Date? {
        if let seconds = span(text) { return now.addingTimeInterval(-seconds) }
        if let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().parse(text) { return date }
        return nil
    }

    /// Seconds in `1d2h30m10s`-style text; nil unless every part is digits followed by s, m, h or d.
    static func span(_ text: String) -> Double? {
        var total = 0.0
        var digits = ""
        for c in text {
            if c.isASCII && c.isNumber {
                digits.append(c)
                continue
            }
            guard let n = Double(digits) else { return nil }
            switch c {
            case "s": total += n
            case "m": total += n * 60
            case "h": total += n * 3600
            case "d": total += n * 86_400
            default: return nil
            }
            digits = ""
        }
        return digits.isEmpty && !text.isEmpty ? total : nil
    }
}
