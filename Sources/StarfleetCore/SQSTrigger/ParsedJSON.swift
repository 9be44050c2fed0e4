import FoundationEssentials

/// A JSON document as the SQS trigger reads one: a handler's batch response, a message body, a filter pattern.
/// Numbers keep whether they were written as integers only for display; they compare as numbers.
package indirect enum ParsedJSON: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ParsedJSON])
    case object([String: ParsedJSON])

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let v = try? c.decode(Bool.self) {
            self = .bool(v)
        } else if let v = try? c.decode(Double.self) {
            self = .number(v)
        } else if let v = try? c.decode(String.self) {
            self = .string(v)
        } else if let v = try? c.decode([ParsedJSON].self) {
            self = .array(v)
        } else {
            self = .object(try c.decode([String: ParsedJSON].self))
        }
    }

    /// The document in `bytes`, or nil when they are not one JSON value (the decoder bounds the nesting depth).
    package static func parse(_ bytes: [UInt8]) -> ParsedJSON? {
        try? JSONDecoder().decode(ParsedJSON.self, from: Data(bytes))
    }

    package static func parse(_ text: String) -> ParsedJSON? { parse(Array(text.utf8)) }

    /// A short description of the kind of value, for messages.
    package var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
