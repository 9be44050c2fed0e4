/// One problem found in a configuration file or a payload template.
///
/// Rendered in compiler style so that editors can jump to it:
/// `etc/starfleetd/config.yaml:12:3: error: STARFLEET.LogLevel: "LOUD" is not a log level (hint: one of …)`.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible, Error {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var severity: Severity
    public var mark: SourceMark
    /// The key path of the value at fault, e.g. `STARFLEET.LogLevel` or `IncludeAccounts.ByNames[1]`.
    public var path: String
    public var message: String
    public var hint: String?

    public init(_ severity: Severity = .error, at mark: SourceMark, path: String, _ message: String, hint: String? = nil) {
        self.severity = severity
        self.mark = mark
        self.path = path
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = "\(mark): \(severity.rawValue): "
        if !path.isEmpty { text += "\(path): " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }
}

extension Array where Element == Diagnostic {
    /// True when at least one diagnostic is an error (warnings alone do not stop anything).
    public var containsErrors: Bool { contains { $0.severity == .error } }

    /// Diagnostics in file, line, column order, so output reads top to bottom.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { a, b in
            let (l, r) = (a.element.mark, b.element.mark)
            if l.file != r.file { return l.file < r.file }
            if l.line != r.line { return l.line < r.line }
            if l.column != r.column { return l.column < r.column }
            return a.offset < b.offset
        }.map(\.element)
    }
}
