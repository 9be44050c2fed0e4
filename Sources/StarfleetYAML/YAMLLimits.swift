/// Bounds that keep hostile or accidental input from exhausting the daemon.
public struct YAMLLimits: Sendable, Hashable {
    /// Deepest nesting of sequences and mappings (PyYAML would hit Python's recursion limit near 1,000).
    public var maxDepth: Int
    /// Most nodes the document may produce once aliases are expanded (stops "billion laughs" alias bombs).
    public var maxNodes: Int

    public init(maxDepth: Int = 128, maxNodes: Int = 1_000_000) {
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    public static let `default` = YAMLLimits()
}
