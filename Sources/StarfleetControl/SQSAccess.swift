import Logging
import StarfleetAWS
import StarfleetDaemon
import StarfleetQueue
import StarfleetSQSQueue

extension StateAccess {
    /// The SQS queue behind a worker (or the Starbase) whose queue URL in the configuration is an SQS queue URL.
    func sqsQueue(_ name: String) -> SQSQueue? {
        guard QueueRouter.sqsURL(of: name, in: configuration) != nil else { return nil }
        let router = QueueRouter(
            local: QueueSet(stateDirectory: paths.root, clock: clock, logger: logger), clock: clock, logger: logger)
        return router.sqsQueue(named: name, in: configuration)
    }

    /// SQS's approximate counts for an SQS-backed queue; nil for a local queue. An unreachable SQS is reported on
    /// stderr and counts as nil, so the other queues are still shown.
    func sqsStats(_ name: String) async -> QueueStats? {
        guard let queue = sqsQueue(name) else { return nil }
        do {
            return try await queue.stats()
        } catch {
            Terminal.error("warning: cannot read the counts of \(name) from SQS: \(error)")
            return nil
        }
    }
}

extension StateAccess {
    /// `targets` without the dead letters whose message already sits in an SQS dead-letter queue (the file is a record
    /// of the failures; redriving it would send a second copy). Named ones are an error (`failOnNamed`), otherwise
    /// they are skipped with a warning; either way the operator is told how to redrive with SQS.
    func withoutLettersInSQSDeadLetterQueues(_ targets: [(worker: String, ids: [String])], failOnNamed: Bool) throws
        -> [(worker: String, ids: [String])]
    {
        var kept: [(worker: String, ids: [String])] = []
        for (worker, ids) in targets {
            var keep: [String] = []
            for id in ids {
                guard let letter = try? deadLetters.show(worker: worker, id: id),
                    let marker = letter.reason.firstRange(of: SQSQueue.deadLetterQueueMarker)
                else {
                    keep.append(id)
                    continue
                }
                let arn = letter.reason[marker.upperBound...].prefix { $0 != " " && $0 != ";" }
                let text =
                    "\(id) (\(worker)) is \(SQSQueue.deadLetterQueueMarker)\(arn): redrive it with "
                    + "`aws sqs start-message-move-task --source-arn \(arn)`, then `starfleetctl dlq purge \(id)`"
                if failOnNamed {
                    Terminal.error("error: " + text)
                    throw ControlExit(ExitStatus.dataError)
                }
                Terminal.error("warning: skipped: " + text)
            }
            if !keep.isEmpty { kept.append((worker, keep)) }
        }
        return kept
    }
}
