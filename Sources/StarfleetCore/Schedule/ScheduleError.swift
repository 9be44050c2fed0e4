/// Why a schedule text was rejected: one precise sentence naming the expression, the field and the reason,
/// plus an optional hint (a correct spelling, the list of valid names, or an example expression).
///
/// Rendered like ``Diagnostic``: `message (hint)`, so the config validator can lift both parts unchanged.
package struct ScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// For example `rate(1 hours): use the singular unit "hour" when the value is 1`.
    package var message: String
    /// For example `did you mean HOURLY?` or `write rate(1 hour)`.
    package var hint: String?

    package init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    package var description: String {
        guard let hint else { return message }
        return "\(message) (\(hint))"
    }
}
