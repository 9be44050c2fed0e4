package import FoundationEssentials
import Glibc
import StarfleetFiles

/// An operator's request for a queue that a running daemon has open (its lock is held): `starfleetctl` drops
/// it into `<state>/inbox/<queue>/` and the daemon carries it out (``JournalQueue/processInbox(_:)``).
package struct QueueRequest: Sendable, Codable, Hashable {
    package enum Action: String, Sendable, Codable, Hashable {
        /// Dead letters back onto the queue at `ratePerSecond` (``InboxRedrive``).
        case redrive
        /// Every message on the queue deleted (SQS PurgeQueue).
        case purgeQueue
        /// `messages` sent to the queue (`starfleetctl trigger`, `invoke --async`: ``InboxQueue``).
        case send
    }

    /// A message of a `send` request.
    package struct Message: Sendable, Codable, Hashable {
        package var body: String
        package var delaySeconds: Int
        package var attributes: [String: String]
        package var deduplicationId: String?

        package init(_ message: OutgoingMessage) {
            body = message.body
            delaySeconds = message.delaySeconds
            attributes = message.attributes
            deduplicationId = message.deduplicationId
        }

        package var outgoing: OutgoingMessage {
            OutgoingMessage(body: body, delaySeconds: delaySeconds, attributes: attributes, deduplicationId: deduplicationId)
        }
    }

    package var action: Action
    /// Dead-letter ids for `redrive`; ignored when `all` is true.
    package var ids: [String]
    /// Take every dead letter of the worker (`--all`; never implied by an empty `ids`).
    package var all: Bool
    package var ratePerSecond: Double?
    package var requestedAt: Date
    /// The messages of a `send` request.
    package var messages: [Message]?

    package init(
        action: Action, ids: [String] = [], all: Bool = false, ratePerSecond: Double? = nil, requestedAt: Date,
        messages: [Message]? = nil
    ) {
        self.action = action
        self.ids = ids
        self.all = all
        self.ratePerSecond = ratePerSecond
        self.requestedAt = requestedAt
        self.messages = messages
    }
}

/// What the daemon did with a request: written next to it as `<request>.result.json`, for the CLI to show.
package struct QueueRequestResult: Sendable, Codable, Hashable {
    package var request: QueueRequest
    package var completedAt: Date
    /// Dead-letter id → new message id, for a redrive.
    package var redriven: [String: String]
    /// Dead-letter id → why not, for a redrive.
    package var failed: [String: String]
    /// Messages removed, for a purge.
    package var purged: Int
    /// Message ids of a `send` (the original id for a deduplicated one).
    package var sent: [String]?
    /// Set when the request could not be carried out at all.
    package var error: String?
}

/// `<state>/inbox/<queue>/`: request files (`<time>-<random>.request.json`, written atomically) and their
/// results. Request files are removed once carried out; results stay until the CLI (or an operator) removes them.
package struct QueueInbox: Sendable {
    package let root: String
    let fileSystem: any JournalFileSystem

    package init(root: String, fileSystem: any JournalFileSystem = PosixFileSystem()) {
        self.root = root
        self.fileSystem = fileSystem
    }

    package func directory(queue: String) -> String { root + "/" + queue }

    /// Drops a request for `queue`; returns the request file's path (its result appears as
    /// `<path without .request.json>.result.json`).
    @discardableResult
    package func submit(_ request: QueueRequest, queue: String) throws -> String {
        try QueueNames.validate(queue)
        let folder = directory(queue: queue)
        try fileSystem.makeDirectories(folder, mode: 0o700)
        let stamp = String(Int64(request.requestedAt.timeIntervalSince1970 * 1000))
        let name = stamp + "-" + MessageID().description + ".request.json"
        try writeAtomically(try ISO8601.encoder().encode(request), to: folder + "/" + name, folder: folder)
        return folder + "/" + name
    }

    /// Requests waiting for `queue`, oldest first. Unreadable files are skipped (and left for an operator).
    package func pending(queue: String) throws -> [(path: String, request: QueueRequest)] {
        let folder = directory(queue: queue)
        guard fileSystem.fileExists(folder) else { return [] }
        return try fileSystem.contents(ofDirectory: folder).filter { $0.hasSuffix(".request.json") }.sorted().compactMap { name in
            let path = folder + "/" + name
            guard let data = try? readFile(path), let request = try? ISO8601.decoder().decode(QueueRequest.self, from: data)
            else {
                return nil
            }
            return (path, request)
        }
    }

    /// Records the outcome and removes the request.
    package func complete(_ path: String, with result: QueueRequestResult) throws {
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        let resultPath = String(path.dropLast(".request.json".count)) + ".result.json"
        try writeAtomically(try ISO8601.encoder().encode(result), to: resultPath, folder: folder)
        try fileSystem.unlink(path)
        try fileSystem.syncDirectory(folder)
    }

    private func readFile(_ path: String) throws -> Data {
        let fd = try fileSystem.open(path, flags: O_RDONLY, mode: 0)
        defer { fileSystem.close(fd) }
        var bytes = [UInt8](repeating: 0, count: Int(try fileSystem.size(fd, path: path)))
        _ = try bytes.withUnsafeMutableBytes { try fileSystem.read(fd, into: $0, at: 0, path: path) }
        return Data(bytes)
    }

    private func writeAtomically(_ data: Data, to path: String, folder: String) throws {
        try fileSystem.writeAtomically(Array(data), to: path)
    }
}

/// Carries out an inbox redrive: the dead letters `selection` names of `worker`, sent into `queue` at most
/// `ratePerSecond` a second (nil: no limit). The daemon hands in its paced redrive (`DeadLetterOperations`), the one the
/// console and `starfleetctl` use, so the queue layer keeps no pacer of its own.
package typealias InboxRedrive =
    @Sendable (_ worker: String, _ selection: DeadLetterSelection, _ queue: any MessageQueue, _ ratePerSecond: Double?)
    async throws -> RedriveResult

extension JournalQueue {
    /// Carries out the operator requests waiting in `inbox` for this queue, oldest first (the daemon calls this
    /// every few seconds). Returns the results, which are also written next to each request. Without `redrive`, a
    /// redrive request is carried out unpaced.
    @discardableResult
    package func processInbox(_ inbox: QueueInbox, redrive: InboxRedrive? = nil) async -> [QueueRequestResult] {
        let waiting: [(path: String, request: QueueRequest)]
        do {
            waiting = try inbox.pending(queue: name)
        } catch {
            logger.error("could not read the queue's inbox", metadata: ["queue": "\(name)", "error": "\(error)"])
            return []
        }
        var results: [QueueRequestResult] = []
        for (path, request) in waiting {
            var result = QueueRequestResult(
                request: request, completedAt: clock.now(), redriven: [:], failed: [:], purged: 0, error: nil)
            do {
                switch request.action {
                case .redrive:
                    let selection: DeadLetterSelection = request.all ? .all : .ids(request.ids)
                    let outcome =
                        if let redrive {
                            try await redrive(name, selection, self, request.ratePerSecond)
                        } else {
                            try await options.deadLetters.redrive(worker: name, selection, into: self)
                        }
                    result.redriven = outcome.redriven
                    result.failed = outcome.failed
                case .purgeQueue:
                    result.purged = try await purge()
                case .send:
                    let outgoing = (request.messages ?? []).map(\.outgoing)
                    result.sent = outgoing.isEmpty ? [] : try await send(outgoing).map(\.messageId)
                }
            } catch {
                result.error = "\(error)"
            }
            result.completedAt = clock.now()
            logger.notice(
                "operator request carried out",
                metadata: [
                    "queue": "\(name)", "action": "\(request.action.rawValue)", "redriven": "\(result.redriven.count)",
                    "failed": "\(result.failed.count)", "purged": "\(result.purged)", "error": "\(result.error ?? "")",
                ])
            do {
                try inbox.complete(path, with: result)
            } catch {
                logger.error("could not record an inbox result", metadata: ["queue": "\(name)", "error": "\(error)"])
            }
            results.append(result)
        }
        return results
    }
}
