import Foundation
import Logging
import StarfleetClock
import StarfleetTestSupport

@testable import StarfleetRunHistory

/// A temp history root per test and a manual clock; removed when the fixture goes.
final class HistoryFixture: @unchecked Sendable {
    let root = "/tmp/sfh-test-" + UUID().uuidString
    let clock = ManualClock()
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init() { try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) }

    func directory(_ worker: String = "AuditWorker") -> String { root + "/" + worker }

    func open(_ worker: String = "AuditWorker") throws -> (RunHistoryWriter, RunHistoryRecovery) {
        try RunHistoryWriter.open(directory: directory(worker), clock: clock)
    }

    func read(_ worker: String = "AuditWorker") throws -> RunHistoryRead { try RunHistoryReader(root: root).read(worker: worker) }

    func segments(_ worker: String = "AuditWorker") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory(worker))) ?? []).filter { $0.hasSuffix(".runs") }
            .sorted()
    }

    /// A run that started now on the fixture's clock.
    func run(_ n: Int, worker: String = "AuditWorker", outcome: RunOutcome = .succeeded, account: String? = "111111111111")
        -> RunRecord
    {
        RunRecord(
            worker: worker, template: "\(worker)/all.yaml", account: account, region: "us-east-1", messageId: "m-\(n)",
            attempt: 1, started: clock.now(), durationSeconds: 0.25, outcome: outcome, resultBytes: 2, resultExcerpt: "{}")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}
