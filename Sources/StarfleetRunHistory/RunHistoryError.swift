/// What the run history throws: a sentence naming the file and what to do about it.
package struct RunHistoryError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    package var path: String?

    package init(_ message: String, path: String? = nil) {
        self.message = message
        self.path = path
    }

    package var description: String { path.map { "\($0): \(message)" } ?? message }
}
