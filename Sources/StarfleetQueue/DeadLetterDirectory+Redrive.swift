extension DeadLetterDirectory {
    /// The attribute a redriven message carries: the id it had when it was dead-lettered first.
    package static let originalMessageIdAttribute = "StarfleetOriginalMessageId"

    /// Puts dead letters back on `queue` (normally the worker's own) as new messages: a fresh receive count,
    /// a new message id, the original id in the `StarfleetOriginalMessageId` attribute (kept from an earlier
    /// redrive if there was one), and the exact body and attributes. Each file is removed once its send is
    /// acknowledged. The send carries the deduplication id `redrive-<dead-letter id>`, so a redrive interrupted
    /// between the send and the removal and run again within 5 minutes does not enqueue twice.
    ///
    /// As fast as the queue takes them: an operator's redrive is paced by the daemon's `DeadLetterOperations`, which
    /// calls this a chunk at a time.
    package func redrive(
        worker: String, _ selection: DeadLetterSelection, into queue: any MessageQueue
    ) async throws -> RedriveResult {
        // Every name is checked before the first send: a bad one refuses the redrive, nothing sent or removed.
        let targets = try files(worker: worker, selection)
        var result = RedriveResult()
        for (id, file) in targets {
            let letter: DeadLetter
            do {
                letter = try show(worker: worker, id: id)
            } catch {
                result.failed[id] = "\(error)"
                continue
            }
            var attributes = letter.attributes
            if attributes[Self.originalMessageIdAttribute] == nil {
                attributes[Self.originalMessageIdAttribute] = letter.messageId
            }
            let message = OutgoingMessage(
                body: letter.bodyText, delaySeconds: 0, attributes: attributes, deduplicationId: "redrive-\(letter.messageId)")
            do {
                let sent = try await queue.send([message])
                try fileSystem.unlink(file)
                result.redriven[id] = sent.first?.messageId
            } catch {
                result.failed[id] = "\(error)"
            }
        }
        if !result.redriven.isEmpty { try fileSystem.syncDirectory(directory(worker: worker)) }
        return result
    }
}
