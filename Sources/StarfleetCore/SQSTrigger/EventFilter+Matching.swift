extension EventFilter {
    /// The record's filterable fields: the body (parsed when it is a JSON object or list, else its text) and the
    /// message attributes in the event's shape (`{"name": {"stringValue": …, "dataType": "String"}}`).
    package static func record(body: String, messageAttributes: [String: String]) -> [String: ParsedJSON] {
        var parsedBody = ParsedJSON.string(body)
        if let first = body.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "["), let document = ParsedJSON.parse(body)
        {
            parsedBody = document
        }
        let attributes = messageAttributes.mapValues { value -> ParsedJSON in
            .object([
                "stringValue": .string(value), "dataType": .string("String"), "stringListValues": .array([]),
                "binaryListValues": .array([]),
            ])
        }
        return ["body": parsedBody, "messageAttributes": .object(attributes)]
    }

    /// Whether any of `filters` matches the record (Lambda ORs a trigger's filters); no filters: every record.
    package static func admits(_ filters: [EventFilter], body: String, messageAttributes: [String: String]) -> Bool {
        if filters.isEmpty { return true }
        let fields = record(body: body, messageAttributes: messageAttributes)
        return filters.contains { $0.matches(fields) }
    }

    package func matches(_ record: [String: ParsedJSON]) -> Bool { Self.matches(pattern, record) }

    static func matches(_ pattern: Object, _ value: [String: ParsedJSON]) -> Bool {
        for field in pattern.fields where !matches(field.rule, value[field.name]) { return false }
        for group in pattern.alternatives where !group.contains(where: { matches($0, value) }) { return false }
        return true
    }

    static func matches(_ rule: Rule, _ value: ParsedJSON?) -> Bool {
        switch rule {
        case .nested(let inner):
            switch value {
            // An absent object: its fields are all absent (so `exists: false` inside still matches).
            case nil: return matches(inner, [:])
            case .object(let fields)?: return matches(inner, fields)
            case .array(let items)?:
                return items.contains { item in
                    if case .object(let fields) = item { return matches(inner, fields) }
                    return false
                }
            // A plain-text body against a pattern on its JSON fields: Lambda drops the message.
            default: return false
            }
        case .anyOf(let matchers):
            return matchers.contains { matcher in
                if case .exists(let wanted) = matcher { return (value != nil) == wanted }
                guard let value else { return false }
                if case .array(let items) = value { return items.contains { matches(matcher, $0) } }
                return matches(matcher, value)
            }
        }
    }

    static func matches(_ matcher: Matcher, _ value: ParsedJSON) -> Bool {
        switch (matcher, value) {
        case (.equals(let wanted), _): return wanted == value
        case (.prefix(let p), .string(let s)): return s.hasPrefix(p)
        case (.suffix(let p), .string(let s)): return s.hasSuffix(p)
        case (.equalsIgnoreCase(let p), .string(let s)): return s.lowercased() == p.lowercased()
        case (.anythingBut(let excluded), .string), (.anythingBut(let excluded), .number):
            return !excluded.contains(value)
        case (.numeric(let comparisons), .number(let n)):
            return comparisons.allSatisfy { c in
                switch c.operation {
                case "=": n == c.operand
                case "<": n < c.operand
                case "<=": n <= c.operand
                case ">": n > c.operand
                default: n >= c.operand
                }
            }
        // A JSON body against a pattern on the body's text: Lambda drops the message (handled by the types here).
        default: return false
        }
    }
}
