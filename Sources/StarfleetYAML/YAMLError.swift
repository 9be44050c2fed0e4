public import StarfleetCore

/// A document libyaml could not read, with the place it stopped.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var mark: SourceMark
    public var message: String

    public init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }

    public var description: String { "\(mark): error: \(message)" }

    /// The same problem as a diagnostic, so it prints with the rest of a validation run.
    public var diagnostic: Diagnostic { Diagnostic(at: mark, path: "", message) }
}
