/// One `FilterCriteria` pattern of an SQS trigger, compiled: Lambda's event filtering syntax on a record's `body`
/// and `messageAttributes`. Reading a pattern checks it whole, so a mistake is a configuration error, never a
/// message silently dropped at run time.
package struct EventFilter: Sendable, Hashable {
    /// The pattern's top level: every field must match (and one alternative of each `$or`).
    package var pattern: Object

    /// Fields and alternatives of one pattern object.
    package struct Object: Sendable, Hashable {
        package var fields: [Field] = []
        /// Each `$or`: at least one of its objects must match, beside the fields.
        package var alternatives: [[Object]] = []
    }

    package struct Field: Sendable, Hashable {
        package var name: String
        package var rule: Rule
    }

    package indirect enum Rule: Sendable, Hashable {
        /// `{"key": {…}}`: the value is an object and the inner pattern matches it.
        case nested(Object)
        /// `{"key": [m1, m2]}`: the value (or one element of a list value) matches one of the matchers.
        case anyOf([Matcher])
    }

    package enum Matcher: Sendable, Hashable {
        /// A string, number, boolean or null written as is.
        case equals(ParsedJSON)
        case prefix(String)
        case suffix(String)
        case equalsIgnoreCase(String)
        /// `anything-but`: present, and none of these values.
        case anythingBut([ParsedJSON])
        /// `numeric`: a number that passes every comparison (`[">", 0, "<=", 5]`).
        case numeric([Comparison])
        case exists(Bool)
    }

    package struct Comparison: Sendable, Hashable {
        package var operation: String
        package var operand: Double
    }

    /// What a pattern may name at the top of an SQS record.
    package static let recordKeys = ["body", "messageAttributes"]
    /// Lambda's limit on a pattern's length.
    package static let maxPatternLength = 4096
    /// Lambda's default quota of filters per event source mapping.
    package static let maxFilters = 5
    /// EventBridge's bounds on a numeric operand.
    static let numericBound = 5e9

    package struct PatternError: Error, Sendable, Hashable, CustomStringConvertible {
        package var message: String
        package var description: String { message }
    }

    /// Reads a `Pattern` string; throws with what is wrong and where in the pattern.
    package init(parsing text: String) throws(PatternError) {
        guard text.utf8.count <= Self.maxPatternLength else {
            throw PatternError(message: "the pattern is longer than \(Self.maxPatternLength) characters")
        }
        guard let document = ParsedJSON.parse(text) else { throw PatternError(message: "the pattern is not JSON") }
        guard case .object(let top) = document else {
            throw PatternError(message: "the pattern is \(document.kind), not a JSON object")
        }
        for key in top.keys where !Self.recordKeys.contains(key) && key != "$or" {
            throw PatternError(
                message: "\"\(key)\" is not a field starfleetd filters on; an SQS record's filters name body or messageAttributes"
            )
        }
        pattern = try Self.object(top, path: "")
    }

    private static func object(_ fields: [String: ParsedJSON], path: String) throws(PatternError) -> Object {
        guard !fields.isEmpty else { throw PatternError(message: "\(path.isEmpty ? "the pattern" : path) is an empty object") }
        var out = Object()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            let here = path.isEmpty ? name : "\(path).\(name)"
            if name == "$or" {
                guard case .array(let items) = value, items.count >= 2 else {
                    throw PatternError(message: "\(here) must be a list of at least two pattern objects")
                }
                var group: [Object] = []
                for (i, item) in items.enumerated() {
                    guard case .object(let inner) = item else {
                        throw PatternError(message: "\(here)[\(i)] is \(item.kind), not a pattern object")
                    }
                    group.append(try object(inner, path: "\(here)[\(i)]"))
                }
                out.alternatives.append(group)
                continue
            }
            switch value {
            case .object(let inner): out.fields.append(Field(name: name, rule: .nested(try object(inner, path: here))))
            case .array(let items):
                guard !items.isEmpty else { throw PatternError(message: "\(here) is an empty list; it would match nothing") }
                var matchers: [Matcher] = []
                for (i, item) in items.enumerated() { matchers.append(try matcher(item, path: "\(here)[\(i)]")) }
                out.fields.append(Field(name: name, rule: .anyOf(matchers)))
            default:
                throw PatternError(
                    message: "\(here) is \(value.kind); a pattern's values are lists of matches (e.g. [\"a\"]) or objects")
            }
        }
        return out
    }

    private static func matcher(_ item: ParsedJSON, path: String) throws(PatternError) -> Matcher {
        guard case .object(let operation) = item else {
            if case .array = item { throw PatternError(message: "\(path) is a list inside a list") }
            return .equals(item)
        }
        guard operation.count == 1, let (name, operand) = operation.first else {
            throw PatternError(message: "\(path) must hold exactly one operator, found \(operation.count)")
        }
        func text() throws(PatternError) -> String {
            guard case .string(let s) = operand else {
                throw PatternError(message: "\(path).\(name) takes text, found \(operand.kind)")
            }
            return s
        }
        switch name {
        case "prefix": return .prefix(try text())
        case "suffix": return .suffix(try text())
        case "equals-ignore-case": return .equalsIgnoreCase(try text())
        case "exists":
            guard case .bool(let b) = operand else { throw PatternError(message: "\(path).exists takes true or false") }
            return .exists(b)
        case "anything-but":
            let values: [ParsedJSON]
            if case .array(let list) = operand { values = list } else { values = [operand] }
            guard !values.isEmpty else { throw PatternError(message: "\(path).anything-but is an empty list") }
            for value in values {
                switch value {
                case .string, .number: continue
                default:
                    throw PatternError(
                        message: "\(path).anything-but takes text or numbers (a value or a list), found \(value.kind)")
                }
            }
            return .anythingBut(values)
        case "numeric": return .numeric(try comparisons(operand, path: "\(path).numeric"))
        default:
            throw PatternError(
                message:
                    "\(path): \"\(name)\" is not a filter operator (prefix, suffix, equals-ignore-case, anything-but, numeric, exists)"
            )
        }
    }

    private static func comparisons(_ operand: ParsedJSON, path: String) throws(PatternError) -> [Comparison] {
        guard case .array(let items) = operand, !items.isEmpty, items.count.isMultiple(of: 2), items.count <= 4 else {
            throw PatternError(message: "\(path) takes one or two [operator, number] pairs, e.g. [\">\", 0, \"<=\", 5]")
        }
        var out: [Comparison] = []
        for pair in stride(from: 0, to: items.count, by: 2) {
            guard case .string(let op) = items[pair], ["=", "<", "<=", ">", ">="].contains(op) else {
                throw PatternError(message: "\(path)[\(pair)] is not one of =, <, <=, >, >=")
            }
            guard case .number(let n) = items[pair + 1], abs(n) <= numericBound else {
                throw PatternError(message: "\(path)[\(pair + 1)] is not a number from -5e9 to 5e9")
            }
            out.append(Comparison(operation: op, operand: n))
        }
        if out.count == 2 && (out.contains { $0.operation == "=" }) {
            throw PatternError(message: "\(path): \"=\" stands alone; a range is a lower and an upper bound")
        }
        return out
    }
}
