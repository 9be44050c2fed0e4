import FoundationEssentials
import Testing

/// Parses an ISO 8601 UTC instant with Foundation's own parser (independent of the code under test).
/// Fractional seconds are accepted: "2026-03-10T10:04:59.5Z".
func utc(_ text: String) throws -> Date {
    if text.contains(".") {
        return try Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
    return try Date(text, strategy: .iso8601)
}

/// Formats an instant as ISO 8601 UTC for readable expectations; "nil" for none.
func iso(_ date: Date?) -> String {
    guard let date else { return "nil" }
    return date.formatted(.iso8601)
}
