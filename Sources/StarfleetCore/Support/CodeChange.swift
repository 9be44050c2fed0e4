package import FoundationEssentials

/// Which file changes in a warm worker's CodeDirectory mean new code (hot reload). Editors and interpreters write
/// files that are not code: swap and backup files, vim's `4913` probe, Emacs lock files, Python's bytecode cache.
/// A change to those is ignored; an editor's atomic save still counts, by the rename onto the real name.
package enum CodeChange {
    /// Directories not watched: bytecode caches, version control, and installed dependencies (`worker build` writes
    /// thousands of files there; `starfleetctl worker reload NAME` picks them up).
    package static let ignoredDirectories: Set<String> = ["__pycache__", ".git", ".hg", ".svn", "node_modules", "venv", ".venv"]

    /// Whether a change to the entry `name` is a change of the worker's code.
    package static func matters(_ name: String) -> Bool {
        if name.isEmpty || name.hasPrefix(".") || name.hasSuffix("~") || name == "4913" { return false }
        for suffix in [".swp", ".swo", ".swx", ".pyc", ".pyo", ".tmp", ".part", ".crdownload"] where name.hasSuffix(suffix) {
            return false
        }
        if name.hasPrefix("#") && name.hasSuffix("#") { return false }
        return !ignoredDirectories.contains(name)
    }
}

/// Debounces a burst of changes: fires once `quietSeconds` passed without another change, or `maxDelaySeconds`
/// after the first one (a tree that never stops changing still reloads). Pure: the caller's clock says when.
package struct QuietPeriod: Sendable, Hashable {
    package let quietSeconds: Double
    package let maxDelaySeconds: Double
    private var first: Date?
    private var last: Date?

    package init(quietSeconds: Double = 0.3, maxDelaySeconds: Double = 5) {
        self.quietSeconds = quietSeconds
        self.maxDelaySeconds = maxDelaySeconds
    }

    package mutating func noteChange(at time: Date) {
        if first == nil { first = time }
        last = time
    }

    /// When it fires if nothing else changes; nil when no change waits.
    package var deadline: Date? {
        guard let first, let last else { return nil }
        return min(last.addingTimeInterval(quietSeconds), first.addingTimeInterval(maxDelaySeconds))
    }

    /// True, once per burst, when the deadline has come at `now`.
    package mutating func fire(at now: Date) -> Bool {
        guard let deadline, now >= deadline else { return false }
        first = nil
        last = nil
        return true
    }
}
