package import FoundationEssentials

/// An EventBridge `rate(value unit)` expression, e.g. `rate(5 minutes)`, `rate(1 hour)`, `rate(2 days)`.
///
/// Syntax is EventBridge's, strictly: `value` is a positive integer (starfleetd also refuses a sign or leading
/// zeros), one space, then `minute`, `hour` or `day`, singular exactly when the value is 1 and plural otherwise.
/// No other spaces: `rate( 5 minutes)` and `rate(5  minutes)` are rejected rather than guessed at.
///
/// **Alignment (starfleetd's choice, unlike EventBridge):** EventBridge counts a rate from the moment the rule was
/// created, which a restartable daemon cannot reproduce. starfleetd instead aligns every rate to the Unix epoch in
/// UTC: it fires at every instant `t` with `t mod seconds == 0`. So `rate(1 hour)` fires at the top of each hour
/// exactly like `HOURLY`, `rate(1 day)` at 00:00 UTC like `DAILY`, and `rate(15 minutes)` at :00/:15/:30/:45.
/// Periods that do not divide a day drift against the clock face (`rate(7 minutes)` fires at epoch multiples of
/// 420 s; `rate(7 days)` on Thursdays, because 1970-01-01 was one) but stay deterministic across restarts.
package struct RateExpression: Sendable, Hashable, CustomStringConvertible {
    package enum Unit: String, Sendable, Hashable, CaseIterable {
        case minute
        case hour
        case day

        /// Seconds in one unit.
        package var seconds: Int {
            switch self {
            case .minute: 60
            case .hour: 3600
            case .day: 86400
            }
        }
    }

    /// At least 1.
    package let value: Int
    package let unit: Unit

    /// The period in seconds (`value * unit.seconds`; the initializers guarantee it does not overflow).
    package var seconds: Int { value * unit.seconds }

    /// Builds a rate from parts. Throws if `value` is not positive or the period would overflow.
    package init(value: Int, unit: Unit) throws(ScheduleError) {
        let text = "rate(\(value) \(Self.unitWord(unit, value: value)))"
        guard value >= 1 else {
            throw ScheduleError("\(text): the value must be a positive integer", hint: "for example rate(5 minutes)")
        }
        guard !value.multipliedReportingOverflow(by: unit.seconds).overflow else {
            throw ScheduleError("\(text): the value is too large")
        }
        self.value = value
        self.unit = unit
    }

    /// For known-good constants (the named frequencies).
    init(checkedValue value: Int, unit: Unit) {
        self.value = value
        self.unit = unit
    }

    /// Parses `rate(value unit)` exactly as written in config.
    package init(parsing text: String) throws(ScheduleError) {
        guard text.hasPrefix("rate("), text.hasSuffix(")"), text.count >= 6 else {
            throw ScheduleError("\(text): a rate expression is written rate(value unit)", hint: "for example rate(5 minutes)")
        }
        let inner = String(text.dropFirst(5).dropLast())
        let trimmed = inner.trimmingWhitespace()
        if inner.isEmpty {
            throw ScheduleError("\(text): needs a value and a unit", hint: "for example rate(5 minutes)")
        }
        if trimmed != inner {
            // Why: EventBridge is strict; say exactly what to write instead of silently accepting.
            let fixed = (try? Self(parsing: "rate(\(trimmed))")).map { "write \($0)" }
            throw ScheduleError("\(text): no spaces are allowed after \"(\" or before \")\"", hint: fixed)
        }
        let parts = inner.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            if inner.contains("  ") {
                throw ScheduleError("\(text): separate the value and the unit with a single space")
            }
            throw ScheduleError("\(text): needs a value and a unit separated by one space", hint: "for example rate(5 minutes)")
        }
        let (valueText, unitText) = (String(parts[0]), String(parts[1]))

        let isDigits = valueText.allSatisfy { $0.isASCII && $0.isNumber }
        guard isDigits else {
            throw ScheduleError(
                "\(text): the value \"\(valueText)\" must be a positive integer", hint: "for example rate(5 minutes)")
        }
        guard let value = Int(valueText) else {
            throw ScheduleError("\(text): the value \(valueText) is too large")
        }
        guard value >= 1 else {
            throw ScheduleError("\(text): the value must be a positive integer, not 0", hint: "for example rate(1 minute)")
        }
        guard !valueText.hasPrefix("0") else {
            throw ScheduleError("\(text): write the value without leading zeros", hint: "write rate(\(value) \(unitText))")
        }

        let singular = unitText.hasSuffix("s") ? String(unitText.dropLast()) : unitText
        guard let unit = Unit(rawValue: singular) else {
            let lowered = singular.lowercased()
            if let unit = Unit(rawValue: lowered) {
                throw ScheduleError(
                    "\(text): the unit \"\(unitText)\" must be lowercase",
                    hint: "write rate(\(value) \(Self.unitWord(unit, value: value)))")
            }
            throw ScheduleError("\(text): the unit \"\(unitText)\" is not one of minute, minutes, hour, hours, day, days")
        }
        let expected = Self.unitWord(unit, value: value)
        guard unitText == expected else {
            let which = value == 1 ? "singular" : "plural"
            let when = value == 1 ? "is 1" : "is not 1"
            throw ScheduleError(
                "\(text): use the \(which) unit \"\(expected)\" when the value \(when)",
                hint: "write rate(\(value) \(expected))")
        }
        try self.init(value: value, unit: unit)
    }

    /// The canonical text, e.g. `rate(1 hour)` or `rate(5 minutes)`.
    package var description: String { "rate(\(value) \(Self.unitWord(unit, value: value)))" }

    /// The first epoch-aligned fire time strictly after `date`; nil only for non-finite or absurdly distant dates.
    package func nextFire(after date: Date) -> Date? {
        nextMultiple(of: seconds, after: date)
    }

    /// The last epoch-aligned fire time at or before `date`; nil only for non-finite or absurdly distant dates.
    package func previousFire(atOrBefore date: Date) -> Date? {
        previousMultiple(of: seconds, atOrBefore: date)
    }

    private static func unitWord(_ unit: Unit, value: Int) -> String {
        value == 1 ? unit.rawValue : unit.rawValue + "s"
    }
}
