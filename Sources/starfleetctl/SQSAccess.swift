import Logging
import StarfleetAWS
import StarfleetDaemon
import StarfleetQueue

extension StateAccess {
    /// The SQS queue behind a worker (or the Starbase) whose queue URL in the configuration is an SQS queue URL.
    func sqsQueue(_ name: String) -> SQSQueue? {
        guard QueueRouter.sqsURL(of: name, in: configuration) != nil else { return nil }
        let router = QueueRouter(local: QueueSet(stateDirectory: paths.root, clock: clock, logger: logger), clock: clock, logger: logger)
        return router.sqsQueue(named: name, in: configuration)
    }

    /// SQS's approximate counts for an SQS-backed queue; nil for a local queue. An unreachable SQS is reported on
    /// stderr and counts as nil, so the other queues are still shown.
    func sqsStats(_ name: String) async -> QueueStats? {
        guard let queue = sqsQueue(name) else { return nil }
        do {
            return try await queue.stats()
        } catch {
            Console.error("warning: cannot read the counts of \(name) from SQS: \(error)")
            return nil
        }
    }
}
