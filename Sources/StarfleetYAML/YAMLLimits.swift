/// Bounds that keep hostile or accidental input from exhausting the daemon.
///
/// Counted while libyaml's events are read, with every alias expanded (what a consumer walking the tree will see),
/// and checked before the value is attached, so a document that crosses one stops with its file:line:column at
/// the alias (or value) that crossed it, having cost no more memory than its own text. docs/configuration.md
/// lists the same numbers.
package struct YAMLLimits: Sendable, Hashable {
    /// Deepest nesting of sequences and mappings (PyYAML would hit Python's recursion limit near 1,000).
    package var maxDepth: Int
    /// Most nodes the document may produce once aliases are expanded.
    package var maxNodes: Int
    /// Most scalar text (bytes) the document may produce once aliases are expanded.
    package var maxBytes: Int
    /// Most nodes aliases may add ("billion laughs" bombs are small documents whose aliases add millions).
    package var maxAliasNodes: Int
    /// Most scalar text (bytes) aliases may add (a few aliases of one long string amplify bytes, not nodes).
    package var maxAliasBytes: Int

    package init(
        maxDepth: Int = 128, maxNodes: Int = 1_000_000, maxBytes: Int = 64 * 1_048_576,
        maxAliasNodes: Int = 100_000, maxAliasBytes: Int = 4 * 1_048_576
    ) {
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxBytes = maxBytes
        self.maxAliasNodes = maxAliasNodes
        self.maxAliasBytes = maxAliasBytes
    }

    package static let `default` = YAMLLimits()
}
