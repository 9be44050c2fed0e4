/// A worker's name, checked once where it comes in (a configuration section, a command's argument, a console path,
/// the Invoke API's FunctionName). The name becomes the worker's queue, its dead-letter and run-history folders and,
/// on SQS, a queue name, so the rule is SQS's queue-name rule, `[A-Za-z0-9_-]{1,80}`: nothing that passes it is
/// empty, `.`, `..`, or holds a slash, a NUL or a non-ASCII character, so no name can leave its folder.
///
/// `StarfleetQueue` cannot import the core, so its `QueueNames.validate` keeps its own copy of the same rule; a test
/// (`WorkerNameAgreementTests`) holds the two together on a table of cases.
package struct WorkerName: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    package let rawValue: String

    /// SQS's longest queue name.
    package static let maximumLength = 80

    /// The rule in words, for a message that has to say what a name may be.
    package static let rule =
        "use 1 to 80 letters (A-Z, a-z), digits, '_' or '-', as SQS's queue names: the name becomes the worker's queue and dead-letter folder"

    /// Why `name` is refused.
    package struct Invalid: Error, CustomStringConvertible, Equatable {
        package let name: String
        /// What breaks the rule first ("'.' is not allowed"); a configuration diagnostic shows it after the section's
        /// name, with the rule as its hint.
        package let problem: String
        package var description: String {
            "\(WorkerName.quoted(name)) is not a valid worker name: \(problem) (\(WorkerName.rule))"
        }
    }

    package init(validating name: String) throws(Invalid) {
        if let problem = Self.problem(with: name) {
            throw Invalid(name: name, problem: problem)
        }
        rawValue = name
    }

    package init?(rawValue: String) {
        guard Self.problem(with: rawValue) == nil else { return nil }
        self.rawValue = rawValue
    }

    package var description: String { rawValue }

    package static func < (a: WorkerName, b: WorkerName) -> Bool { a.rawValue < b.rawValue }

    /// The rule: what breaks it first, or nil. Kept character for character like `QueueNames.validate`'s.
    static func problem(with name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.utf8.count > maximumLength { return "it is \(name.utf8.count) bytes long" }
        if let bad = name.unicodeScalars.first(where: { !allowed($0) }) {
            return "\(String(bad).debugDescription) is not allowed"
        }
        return nil
    }

    private static func allowed(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "_" || s == "-"
    }

    /// A refused name as a message shows it: quoted, control characters escaped, cut at 100 characters, so a hostile
    /// one cannot fill a log line or a page, or hide itself (as `QueueNames.quoted` does).
    package static func quoted(_ name: String) -> String {
        let shown = String(name.prefix(100)).debugDescription
        return name.count > 100 ? shown + "…" : shown
    }
}
