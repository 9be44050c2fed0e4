/// What a batch's invocation came to under Lambda's partial batch response rules (`FunctionResponseTypes:
/// [ReportBatchItemFailures]`), as AWS documents them for SQS: which records are retried and which are deleted.
package enum BatchResponse {
    package enum Verdict: Sendable, Hashable {
        /// Every record succeeded: delete them all.
        case allSucceeded
        /// Only these records (message ids, in the response's order, without repeats) failed; the rest succeeded.
        case someFailed([String])
        /// The whole batch failed (the reason says why): every record is retried.
        case allFailed(String)
    }

    /// The verdict on a handler's `response` to a batch of `messageIds`. Without ReportBatchItemFailures the
    /// response is ignored (only a raised error, handled by the caller, fails the batch). With it: no response, a
    /// JSON null, `{}`, or a null or empty `batchItemFailures` is complete success; anything that is not that shape
    /// (not JSON, not an object, a list that is not a list of objects, an `itemIdentifier` missing, null, empty, not
    /// text or not in the batch) fails the whole batch, so a malformed response never deletes a record.
    package static func verdict(of response: [UInt8], messageIds: [String], reportsBatchItemFailures: Bool) -> Verdict {
        guard reportsBatchItemFailures else { return .allSucceeded }
        // A handler that returns nothing (Python's None is sent as `null`; some clients send no body at all).
        if response.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .allSucceeded }
        guard let document = ParsedJSON.parse(response) else {
            return .allFailed("the response is not JSON")
        }
        let failures: [ParsedJSON]
        switch document {
        case .null: return .allSucceeded
        case .object(let fields):
            switch fields["batchItemFailures"] {
            case nil, .null?: return .allSucceeded
            case .array(let items)?: failures = items
            case let other?: return .allFailed("batchItemFailures is \(other.kind), not a list")
            }
        default: return .allFailed("the response is \(document.kind), not an object with batchItemFailures")
        }
        let inBatch = Set(messageIds)
        var failed: [String] = []
        var seen: Set<String> = []
        for (index, item) in failures.enumerated() {
            guard case .object(let entry) = item else {
                return .allFailed("batchItemFailures[\(index)] is \(item.kind), not an object")
            }
            switch entry["itemIdentifier"] {
            case nil: return .allFailed("batchItemFailures[\(index)] has no itemIdentifier")
            case .null?: return .allFailed("batchItemFailures[\(index)].itemIdentifier is null")
            case .string(let id)? where id.isEmpty:
                return .allFailed("batchItemFailures[\(index)].itemIdentifier is empty")
            case .string(let id)? where !inBatch.contains(id):
                return .allFailed("batchItemFailures[\(index)].itemIdentifier \"\(id.prefix(100))\" is not in the batch")
            case .string(let id)?: if seen.insert(id).inserted { failed.append(id) }
            case let other?: return .allFailed("batchItemFailures[\(index)].itemIdentifier is \(other.kind), not text")
            }
        }
        return failed.isEmpty ? .allSucceeded : .someFailed(failed)
    }
}
