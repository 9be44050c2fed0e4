import StarfleetCore

extension WorkerName {
    /// A worker named on the command line, checked before any lookup: a name no worker can have is a usage mistake
    /// that says the rule, and never reaches a path or the Invoke API's URL.
    static func argument(_ name: String) throws(ControlUsageError) -> WorkerName {
        do { return try WorkerName(validating: name) } catch { throw ControlUsageError("\(error)") }
    }
}
