import Glibc
import StarfleetFiles

/// `<runtime>/workers/<Worker>/{config,settings,secrets}.json`: what a worker outside the daemon reads. The secrets
/// file holds credential contents and the worker's Secrets Manager entry, so these folders exist only while a worker
/// that runs needs them: each generation removes the folders of workers it does not run (removed, disabled, turned
/// into a Swift worker, or whose files could not be written), and the daemon removes them all at stop. Otherwise a
/// worker disabled on reload would keep its secret on disk, and, outside systemd's `RuntimeDirectory=` (which systemd
/// empties at stop), after the daemon is gone.
package struct WorkerFiles: Sendable {
    /// `$RUNTIME_DIRECTORY` or `<state>/run`.
    let runtimeDirectory: String

    package init(runtimeDirectory: String) { self.runtimeDirectory = runtimeDirectory }

    var root: String { "\(runtimeDirectory)/workers" }
    func folder(_ worker: String) -> String { "\(root)/\(worker)" }

    /// Writes the three files of `worker` (0600 in a 0700 folder). Every byte is computed by the caller first, so a
    /// failure here (a full disk) is the only way to leave a folder half written, and the caller removes it then.
    func write(worker: String, config: [UInt8], settings: [UInt8], secrets: [UInt8]) throws {
        let folder = folder(worker)
        try PosixDirectories.make(root)
        try PosixDirectories.make(folder)
        if chmod(folder, 0o700) != 0 { throw FileSystemError("chmod 0700", path: folder, errno: errno) }
        try JSONStateFile.writeBytes(config, to: "\(folder)/config.json", mode: 0o600)
        try JSONStateFile.writeBytes(settings, to: "\(folder)/settings.json", mode: 0o600)
        try JSONStateFile.writeBytes(secrets, to: "\(folder)/secrets.json", mode: 0o600)
    }

    /// Removes the folder of every worker not in `keeping`; returns the names removed. A folder that cannot be
    /// removed is returned in `failed` so the caller can say so (its secret is still on disk).
    func sweep(keeping: Set<String>) -> (removed: [String], failed: [(String, any Error)]) {
        let names = (try? PosixFileSystem().contents(ofDirectory: root)) ?? []
        var removed: [String] = []
        var failed: [(String, any Error)] = []
        for name in names.sorted() where !keeping.contains(name) {
            do {
                try Self.removeTree(folder(name))
                removed.append(name)
            } catch {
                failed.append((name, error))
            }
        }
        return (removed, failed)
    }

    /// Removes one worker's folder (nothing when it has none).
    func remove(_ worker: String) throws { try Self.removeTree(folder(worker)) }

    /// Removes `<runtime>/workers/` and everything in it (at stop: no worker runs any more).
    package func removeAll() throws { try Self.removeTree(root) }

    /// rm -rf without following symbolic links: a link is unlinked, never entered. Missing is fine.
    static func removeTree(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw FileSystemError("lstat", path: path, errno: errno)
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            if unlink(path) != 0 && errno != ENOENT { throw FileSystemError("unlink", path: path, errno: errno) }
            return
        }
        for name in try PosixFileSystem().contents(ofDirectory: path) { try removeTree(path + "/" + name) }
        if rmdir(path) != 0 && errno != ENOENT { throw FileSystemError("rmdir", path: path, errno: errno) }
    }
}
