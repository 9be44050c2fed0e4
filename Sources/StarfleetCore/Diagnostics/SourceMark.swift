/// Where a value came from: a file and a 1-based line and column, as editors and compilers count them.
public struct SourceMark: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The start of a file, for problems that belong to the whole file (empty, unreadable).
    public static func start(of file: String) -> SourceMark {
        SourceMark(file: file, line: 1, column: 1)
    }

    public var description: String { "\(file):\(line):\(column)" }
}
