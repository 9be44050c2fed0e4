import FoundationEssentials
import Glibc
import StarfleetFiles

/// The dead-letter directory, `<state>/dead-letter/`: one folder per worker, one JSON file per message
/// (``DeadLetter``), each written atomically (temp file, fsync, rename, fsync of the folder) with mode 0600.
///
/// Files are the source of truth and the daemon never rewrites one after writing it, so `list`, `show` and
/// `purge` are safe while the daemon runs; `redrive` needs the worker's queue (see ``QueueInbox``).
package struct DeadLetterDirectory: Sendable {
    /// `<state>/dead-letter`.
    package let root: String
    let fileSystem: any JournalFileSystem

    package init(root: String, fileSystem: any JournalFileSystem = PosixFileSystem()) {
        self.root = root
        self.fileSystem = fileSystem
    }

    /// `<root>/<worker>`. Every path of this type is built here or in ``path(worker:id:)``, which refuse a name that
    /// could leave the folder (`..`, a slash, NUL): callers pass names from a form, a command line or an inbox
    /// request, and one that forgot to check must not reach a file outside `dead-letter/`.
    package func directory(worker: String) throws -> String {
        try Self.validateWorker(worker)
        return root + "/" + worker
    }

    /// `<root>/<worker>/<id>.json`, for a valid worker name and letter id (else throws, see ``directory(worker:)``).
    package func path(worker: String, id: String) throws -> String {
        try Self.validateID(id)
        return try directory(worker: worker) + "/" + id + ".json"
    }

    /// Writes (or replaces) a dead letter durably: after this returns, a crash cannot lose it.
    package func write(_ letter: DeadLetter) throws {
        let folder = try directory(worker: letter.queue)
        let file = try path(worker: letter.queue, id: letter.messageId)
        try fileSystem.makeDirectories(folder, mode: 0o700)
        let data: Data
        do {
            data = try ISO8601.encoder().encode(letter)
        } catch {
            throw QueueError(
                .corruptData, "the dead letter could not be encoded as JSON: \(error)", hint: "Report this bug.",
                queue: letter.queue, messageId: letter.messageId)
        }
        // Written beside the letter as `.<id>.json.tmp`, which the listing skips.
        try fileSystem.writeAtomically(Array(data) + [0x0A], to: file)
    }

    /// Workers that have a dead-letter folder: directories with a queue name. Anything else an operator or an
    /// editor left in `dead-letter/` (a README, a swap file, a `.tmp`) is skipped here and reported by ``strays()``.
    package func workers() throws -> [String] {
        guard fileSystem.fileExists(root) else { return [] }
        return try fileSystem.contents(ofDirectory: root).filter { isWorkerFolder($0) }.sorted()
    }

    /// The ids of a worker's dead letters (regular `<id>.json` files with a valid id), sorted.
    package func ids(worker: String) throws -> [String] {
        let folder = try directory(worker: worker)
        guard fileSystem.fileExists(folder), Self.isDirectory(folder) else { return [] }
        return try fileSystem.contents(ofDirectory: folder)
            .filter { isLetterFile(folder, $0) }
            .map { String($0.dropLast(5)) }
            .sorted()
    }

    /// Entries in the dead-letter directory that are not dead letters, with the reason each is skipped, so a
    /// listing can report them instead of failing on them. Dot-files (the writer's own `.<id>.json.tmp`, editors'
    /// swap files) are not reported: they are expected and short-lived.
    package func strays() -> [DeadLetterStray] {
        guard fileSystem.fileExists(root), let names = try? fileSystem.contents(ofDirectory: root) else { return [] }
        var strays: [DeadLetterStray] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = root + "/" + name
            guard isWorkerFolder(name) else {
                let reason =
                    Self.isDirectory(path)
                    ? "not a worker's folder (a worker's name is 1 to 80 letters, digits, '_' or '-')"
                    : "not a worker's folder (a file in dead-letter/)"
                strays.append(DeadLetterStray(path: path, reason: reason))
                continue
            }
            guard let entries = try? fileSystem.contents(ofDirectory: path) else {
                strays.append(DeadLetterStray(path: path, reason: "the folder cannot be listed"))
                continue
            }
            for entry in entries.sorted() where !entry.hasPrefix(".") && !isLetterFile(path, entry) {
                strays.append(
                    DeadLetterStray(path: path + "/" + entry, reason: "not a dead letter (only regular <id>.json files are)"))
            }
        }
        return strays
    }

    func isWorkerFolder(_ name: String) -> Bool {
        guard !name.hasPrefix("."), (try? QueueNames.validate(name)) != nil else { return false }
        return Self.isDirectory(root + "/" + name)
    }

    func isLetterFile(_ folder: String, _ name: String) -> Bool {
        guard name.hasSuffix(".json"), (try? Self.validateID(String(name.dropLast(5)))) != nil else { return false }
        var info = stat()
        return lstat(folder + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// A worker's dead letters, oldest first. Unreadable files are listed with reason "unreadable: …".
    package func list(worker: String) throws -> [DeadLetterSummary] {
        try ids(worker: worker).map { id in
            let file = try path(worker: worker, id: id)
            do {
                let letter = try read(file)
                return DeadLetterSummary(
                    worker: worker, messageId: id, reason: letter.reason, receiveCount: letter.receiveCount,
                    deadLetteredTimestamp: letter.deadLetteredTimestamp, lastError: letter.failures.last?.error, path: file)
            } catch {
                return DeadLetterSummary(
                    worker: worker, messageId: id, reason: "unreadable: \(error)", receiveCount: 0,
                    deadLetteredTimestamp: Date(timeIntervalSince1970: 0), lastError: nil, path: file)
            }
        }.sorted { ($0.deadLetteredTimestamp, $0.messageId) < ($1.deadLetteredTimestamp, $1.messageId) }
    }

    /// One dead letter. With `worker` nil, every worker's folder is searched.
    package func show(worker: String? = nil, id: String) throws -> DeadLetter {
        try Self.validateID(id)
        for candidate in try (worker.map { [$0] } ?? workers()) {
            let file = try path(worker: candidate, id: id)
            if fileSystem.fileExists(file) { return try read(file) }
        }
        throw QueueError(
            .notFound, "no dead letter with id \(id)", hint: "List them with `starfleetctl dlq list`.",
            queue: worker, messageId: id)
    }

    /// Deletes dead letters for good; returns how many files were removed.
    @discardableResult
    package func purge(worker: String, _ selection: DeadLetterSelection) throws -> Int {
        var removed = 0
        for (_, file) in try files(worker: worker, selection) {
            guard fileSystem.fileExists(file) else { continue }
            try fileSystem.unlink(file)
            removed += 1
        }
        if removed > 0 { try fileSystem.syncDirectory(directory(worker: worker)) }
        return removed
    }

    /// The files a selection names, every name checked before the first is touched: one bad id in a list refuses the
    /// whole operation rather than leave it half done.
    func files(worker: String, _ selection: DeadLetterSelection) throws -> [(id: String, path: String)] {
        let targets: [String]
        switch selection {
        case .all: targets = try ids(worker: worker)
        case .ids(let ids): targets = ids
        }
        return try targets.map { ($0, try path(worker: worker, id: $0)) }
    }

    func read(_ file: String) throws -> DeadLetter {
        let fd = try fileSystem.open(file, flags: O_RDONLY, mode: 0)
        defer { fileSystem.close(fd) }
        let size = try fileSystem.size(fd, path: file)
        var bytes = [UInt8](repeating: 0, count: Int(size))
        _ = try bytes.withUnsafeMutableBytes { try fileSystem.read(fd, into: $0, at: 0, path: file) }
        do {
            return try ISO8601.decoder().decode(DeadLetter.self, from: Data(bytes))
        } catch {
            throw QueueError(
                .corruptData, "the dead-letter file is not a valid dead letter: \(error)",
                hint: "Inspect it by hand; move it away to silence this.", path: file)
        }
    }

    /// Worker names become folder names: the queue-name rule (``QueueNames``), which no path can pass.
    package static func validateWorker(_ worker: String) throws {
        try QueueNames.validate(worker, as: "worker name")
    }

    /// Ids become file names: refuse anything that could leave the folder.
    package static func validateID(_ id: String) throws {
        guard !id.isEmpty, id.utf8.count <= 128, !id.hasPrefix("."), !id.contains("/"), !id.contains("\0") else {
            throw QueueError(
                .invalidParameterValue, "\(QueueNames.quoted(id)) is not a dead-letter id",
                hint: "Use an id printed by `dlq list`.")
        }
    }
}

/// Something in the dead-letter directory that is not a dead letter, skipped by every `dlq` command.
package struct DeadLetterStray: Sendable, Hashable, CustomStringConvertible {
    package var path: String
    package var reason: String
    package var description: String { "\(path): skipped: \(reason)" }
}
