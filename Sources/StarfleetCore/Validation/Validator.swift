/// Collects diagnostics while reading a marked value tree against a schema, so that one pass reports every
/// problem (Starfleet's marshmallow schemas stop at the first layer; we do not).
package struct Validator: Sendable {
    package private(set) var diagnostics: [Diagnostic] = []

    package init() {}

    package mutating func error(_ node: Node, _ path: String, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, at: node.mark, path: path, message, hint: hint))
    }

    package mutating func error(at mark: SourceMark, _ path: String, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, at: mark, path: path, message, hint: hint))
    }

    package mutating func warning(_ node: Node, _ path: String, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.warning, at: node.mark, path: path, message, hint: hint))
    }

    package mutating func append(contentsOf other: [Diagnostic]) { diagnostics.append(contentsOf: other) }

    package var hasErrors: Bool { diagnostics.containsErrors }

    /// Joins a key path: `Section` + `Key` → `Section.Key`.
    package static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    // MARK: Reading typed values

    /// The mapping's entries, or an error naming what was found instead.
    package mutating func mapping(_ node: Node, _ path: String, what: String = "a mapping") -> [Node.Entry]? {
        if let entries = node.entries { return entries }
        error(node, path, "expected \(what), found \(Validator.describe(node))")
        return nil
    }

    /// A string (marshmallow `fields.String`): numbers and booleans are refused, as in Starfleet.
    package mutating func string(_ node: Node, _ path: String, length: ClosedRange<Int>? = nil, hint: String? = nil)
        -> String?
    {
        guard let s = node.string else {
            let extra = node.int != nil ? "quote it so YAML keeps it as text, e.g. \"000000000001\"" : hint
            error(node, path, "Not a valid string: found \(Validator.describe(node)).", hint: extra)
            return nil
        }
        if let length, !length.contains(s.count) {
            error(node, path, Validator.lengthMessage(length))
            return nil
        }
        return s
    }

    /// A boolean as marshmallow accepts one: YAML booleans, 0/1 and the usual true/false words.
    package mutating func bool(_ node: Node, _ path: String) -> Bool? {
        switch node.value {
        case .bool(let b): return b
        case .int(0): return false
        case .int(1): return true
        case .string(let s):
            if ["t", "true", "on", "y", "yes", "1"].contains(s.lowercased()) { return true }
            if ["f", "false", "off", "n", "no", "0"].contains(s.lowercased()) { return false }
        default: break
        }
        error(node, path, "Not a valid boolean: found \(Validator.describe(node)).", hint: "use true or false")
        return nil
    }

    /// An integer within `range`.
    package mutating func int(_ node: Node, _ path: String, range: ClosedRange<Int>) -> Int? {
        guard let i = node.int else {
            error(node, path, "Not a valid integer: found \(Validator.describe(node)).")
            return nil
        }
        guard range.contains(i) else {
            error(node, path, "\(i) is out of range", hint: "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return i
    }

    /// A list, or an error.
    package mutating func list(_ node: Node, _ path: String) -> [Node]? {
        if let items = node.sequence { return items }
        error(node, path, "Not a valid list: found \(Validator.describe(node)).")
        return nil
    }

    /// A list of strings, each checked; returns only the valid ones (with their nodes).
    package mutating func stringList(_ node: Node, _ path: String, length: ClosedRange<Int>? = nil) -> [(String, Node)]? {
        guard let items = list(node, path) else { return nil }
        var result: [(String, Node)] = []
        for (i, item) in items.enumerated() {
            if let s = string(item, "\(path)[\(i)]", length: length) { result.append((s, item)) }
        }
        return result
    }

    /// Reports every key of `entries` that is not in `known`, with a "did you mean" hint.
    package mutating func rejectUnknownKeys(_ entries: [Node.Entry], known: [String], _ path: String) {
        for entry in entries where !known.contains(entry.key.keyText) {
            let key = entry.key.keyText
            let hint = Suggestion.hint(for: key, in: known) ?? "known keys: \(known.joined(separator: ", "))"
            error(entry.key, Validator.join(path, key), "Unknown field.", hint: hint)
        }
    }

    /// Reports keys that appear twice in one mapping (YAML loaders silently keep the last one).
    package mutating func rejectDuplicateKeys(_ entries: [Node.Entry], _ path: String) {
        var seen: [String: SourceMark] = [:]
        for entry in entries {
            let key = entry.key.keyText
            if let first = seen[key] {
                error(
                    entry.key, Validator.join(path, key), "the key is defined twice; the first is at \(first)",
                    hint: "remove one of them")
            } else {
                seen[key] = entry.key.mark
            }
        }
    }

    static func lengthMessage(_ r: ClosedRange<Int>) -> String {
        r.upperBound == Int.max
            ? "Shorter than minimum length \(r.lowerBound)." : "Length must be between \(r.lowerBound) and \(r.upperBound)."
    }

    /// `a list`, `the string "abc"`, `the integer 5`: what a value is, for messages.
    package static func describe(_ node: Node) -> String {
        switch node.value {
        case .string(let s): return "the string \"\(s.count > 60 ? String(s.prefix(57)) + "..." : s)\""
        case .int(let i): return "the integer \(i)"
        case .double(let d): return "the number \(d)"
        case .bool(let b): return "the boolean \(b)"
        case .null: return "nothing (null)"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
