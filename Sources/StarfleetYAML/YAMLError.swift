package import StarfleetCore

/// A document libyaml could not read, with the place it stopped.
package struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    package var mark: SourceMark
    package var message: String

    package init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }

    package var description: String { "\(mark): error: \(message)" }

    /// The same problem as a diagnostic, so it prints with the rest of a validation run.
    package var diagnostic: Diagnostic { Diagnostic(at: mark, path: "", message) }
}
