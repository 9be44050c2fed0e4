/// "All dead letters shown": the dead-letter page's filter (a worker, an account, or neither), carried by the
/// confirmation form instead of every letter's id, so an action on thousands of letters stays a small request.
struct LetterScope: Sendable, Equatable, CustomStringConvertible {
    var worker: String?
    var account: String?

    /// Empty form values mean "any".
    init(worker: String?, account: String?) {
        self.worker = worker.flatMap { $0.isEmpty ? nil : $0 }
        self.account = account.flatMap { $0.isEmpty ? nil : $0 }
    }

    var description: String {
        "all" + (worker.map { " of \($0)" } ?? "") + (account.map { ", account \($0)" } ?? "")
    }
}
