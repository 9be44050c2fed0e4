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

    /// Refuses a worker filter that is not a worker's name by the dead-letter directory's rule (`../../victim` once
    /// purged files outside it); the directory refuses it again where files are touched.
    func validated() throws(ConsoleSource.BadSelection) -> LetterScope {
        try ConsoleSource.BadSelection.check(worker: worker)
        return self
    }

    var description: String {
        "all" + (worker.map { " of \($0)" } ?? "") + (account.map { ", account \($0)" } ?? "")
    }
}
