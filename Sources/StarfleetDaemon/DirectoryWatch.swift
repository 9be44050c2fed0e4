import Glibc
import Logging
import StarfleetTemplates
import Synchronization

/// Calls `onChange` when an entry appears in, or leaves, `root` or one of its subdirectories (one level: the
/// `<state>/inbox/<queue>/` and `<state>/dead-letter/<Worker>/` layouts). Creates `root` (0700) when missing so it can be
/// watched. Without inotify (`isWatching` false) the owner falls back to looking on a timer.
final class DirectoryWatch: Sendable {
    private let root: String
    private let inotify: Inotify?
    /// Watch descriptors of the subdirectories, by name.
    private let watched = Mutex<[String: Int32]>([:])
    private let rootWatch: Int32?
    /// The reader's way back to this object; cleared by ``cancel()`` to break the cycle through the inotify handler.
    private let owner: Locked<DirectoryWatch?>

    var isWatching: Bool { inotify != nil && rootWatch != nil }

    init(root: String, logger: Logger, onChange: @escaping @Sendable () -> Void) {
        self.root = root
        _ = mkdir(root, 0o700)
        let owner = Locked<DirectoryWatch?>(nil)
        self.owner = owner
        let inotify = try? Inotify(onReadable: {
            owner.value?.drain()
            onChange()
        })
        self.inotify = inotify
        if let inotify, case .success(let wd) = inotify.addWatch(root, followLink: true) {
            rootWatch = wd
        } else {
            rootWatch = nil
            logger.warning(
                "cannot watch the directory with inotify; looking at it every second instead", metadata: ["path": "\(root)"])
        }
        owner.withLock { $0 = self }
        if isWatching { watchSubdirectories() }
    }

    /// Stops watching (call it when done: the reader holds this object until then).
    func cancel() {
        owner.withLock { $0 = nil }
        inotify?.cancel()
    }

    /// Takes the parked events; a new subdirectory gets its own watch (and a look, since entries may already be in it).
    private func drain() {
        guard let inotify else { return }
        let (events, overflowed) = inotify.take()
        if overflowed || events.contains(where: { $0.watch == rootWatch && $0.has(Int32(IN_ISDIR)) }) {
            watchSubdirectories()
        }
    }

    private func watchSubdirectories() {
        guard let inotify, let dir = opendir(root) else { return }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." || entry.pointee.d_type != UInt8(DT_DIR) { continue }
            names.append(name)
        }
        for name in names where watched.withLock({ $0[name] }) == nil {
            if case .success(let wd) = inotify.addWatch(root + "/" + name, followLink: false) {
                watched.withLock { $0[name] = wd }
            }
        }
    }
}
