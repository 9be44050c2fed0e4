/// A parsed YAML (or JSON) value that remembers where each part came from.
///
/// Scalars are already resolved the way PyYAML's `safe_load` (YAML 1.1) resolves plain scalars, so a template
/// means here what it meant to Starfleet: `yes`/`True` are booleans, `0x1F` is an integer, quoted text stays text.
public struct Node: Sendable, Hashable {
    public indirect enum Value: Sendable, Hashable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case sequence([Node])
        case mapping([Entry])
    }

    /// One key/value pair of a mapping, in document order.
    public struct Entry: Sendable, Hashable {
        public var key: Node
        public var value: Node
        public init(key: Node, value: Node) {
            self.key = key
            self.value = value
        }
    }

    public var value: Value
    public var mark: SourceMark

    public init(_ value: Value, at mark: SourceMark) {
        self.value = value
        self.mark = mark
    }
}

extension Node {
    /// The text of a string scalar, or nil.
    public var string: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let b) = value { return b }
        return nil
    }

    public var int: Int? {
        if case .int(let i) = value { return i }
        return nil
    }

    public var sequence: [Node]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    public var entries: [Entry]? {
        if case .mapping(let entries) = value { return entries }
        return nil
    }

    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// The value under a string key of a mapping (the last one, if a key repeats), or nil.
    public subscript(key: String) -> Node? {
        entries?.last { $0.key.string == key }?.value
    }

    /// The key's own text for a mapping key: strings as they are, other scalars as YAML would print them.
    public var keyText: String {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .double(let d): return String(d)
        case .null: return "null"
        case .sequence, .mapping: return "<\(kindName)>"
        }
    }

    /// A short name of the value's kind, for messages such as "expected a list, found a mapping".
    public var kindName: String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .sequence: return "list"
        case .mapping: return "mapping"
        }
    }
}
