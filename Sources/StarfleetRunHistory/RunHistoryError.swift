/// What the run history throws: a sentence naming the file and what to do about it.
public struct RunHistoryError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var path: String?

    public init(_ message: String, path: String? = nil) {
        self.message = message
        self.path = path
    }

    public var description: String { path.map { "\($0): \(message)" } ?? message }
}
