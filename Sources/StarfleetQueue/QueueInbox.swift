import FoundationEssentials
import Glibc

/// The hand-off directory through which `starfleetctl` sends to a queue the running daemon owns (the daemon holds
/// the queue's lock): `<state>/inbox/<queue>/<unique>.json`, each file a JSON array of messages, written atomically
/// (tmp + fsync + rename + fsync dir). The daemon sends each file's messages to the queue and only then removes the
/// file, so a request survives a crash on either side (at-least-once; a deduplication id makes it exactly-once
/// within 5 minutes).
public struct QueueInbox: Sendable {
    public let directory: String

    /// `<state>/inbox/<queue>`.
    public init(stateDirectory: String, queue: String) {
        directory = "\(stateDirectory)/inbox/\(queue)"
    }

    struct Wire: Codable {
        var body: String
        var delaySeconds: Int?
        var attributes: [String: String]?
        var deduplicationId: String?
    }

    /// Writes one request file; returns its path.
    @discardableResult
    public func drop(_ messages: [OutgoingMessage]) throws -> String {
        let fs = PosixFileSystem()
        try fs.makeDirectories(directory, mode: 0o700)
        let wire = messages.map { Wire(body: $0.body, delaySeconds: $0.delaySeconds, attributes: $0.attributes, deduplicationId: $0.deduplicationId) }
        let data = try JSONEncoder().encode(wire)
        let name = "\(Int64(Date().timeIntervalSince1970 * 1000))-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        let temporary = "\(directory)/.\(name).tmp"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw QueueError.system("open", path: temporary, errno: errno) }
        defer { Glibc.close(fd) }
        var offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw QueueError.system("write", path: temporary, errno: errno)
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw QueueError.system("fsync", path: temporary, errno: errno) }
        let final = "\(directory)/\(name)"
        guard rename(temporary, final) == 0 else { throw QueueError.system("rename", path: final, errno: errno) }
        try fs.syncDirectory(directory)
        return final
    }

    /// Sends every waiting request to `queue` in file-name (time) order, removing each file after its send is
    /// acknowledged. Unreadable files are renamed `*.bad` and reported, never silently dropped.
    /// - Returns: how many messages were sent, and the files that could not be read.
    public func ingest(into queue: any MessageQueue) async throws -> (sent: Int, bad: [String]) {
        guard let names = try? PosixFileSystem().contents(ofDirectory: directory) else { return (0, []) }
        var sent = 0
        var bad: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = "\(directory)/\(name)"
            guard let data = try? Data(contentsOf: URL(filePath: path)),
                  let wire = try? JSONDecoder().decode([Wire].self, from: data)
            else {
                _ = rename(path, path + ".bad")
                bad.append(path + ".bad")
                continue
            }
            let messages = wire.map {
                OutgoingMessage(body: $0.body, delaySeconds: $0.delaySeconds ?? 0, attributes: $0.attributes ?? [:], deduplicationId: $0.deduplicationId)
            }
            if !messages.isEmpty { _ = try await queue.send(messages) }
            sent += messages.count
            _ = unlink(path)
        }
        return (sent, bad)
    }
}

/// A send-only ``MessageQueue`` that hands messages to the running daemon through its ``QueueInbox``: what
/// `starfleetctl` uses when the daemon holds the queue's lock.
public struct InboxQueue: MessageQueue {
    public let name: String
    public let inbox: QueueInbox

    public init(stateDirectory: String, queue: String) {
        name = queue
        inbox = QueueInbox(stateDirectory: stateDirectory, queue: queue)
    }

    public func send(_ entries: [OutgoingMessage]) async throws -> [SendResult] {
        try inbox.drop(entries)
        // The daemon assigns the ids when it ingests the request.
        return entries.map { _ in SendResult(messageId: "(handed to the daemon)", duplicate: false) }
    }

    public func receive(max: Int, visibilityTimeout: Double?, wait: Double) async throws -> [ReceivedMessage] { try unsupported("receive") }
    public func delete(_ receipt: ReceiptHandle) async throws -> Bool { try unsupported("delete") }
    public func changeVisibility(_ receipt: ReceiptHandle, timeout: Double, failure: FailureRecord?) async throws { try unsupported("changeVisibility") }
    public func deadLetter(_ receipt: ReceiptHandle, failure: FailureRecord) async throws { try unsupported("deadLetter") }
    public func stats() async throws -> QueueStats { try unsupported("stats") }

    private func unsupported(_ operation: String) throws -> Never {
        throw QueueError(.unavailable, "the daemon owns queue \(name); \(operation) is not possible through its inbox",
                         hint: "Stop the daemon to operate on the queue directly.", queue: name)
    }
}
