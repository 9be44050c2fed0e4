import Glibc
package import Logging
import StarfleetCore
import StarfleetTemplates
import Synchronization

/// Watches a warm worker's CodeDirectory, its subdirectories included (down to `maxDepth`, at most `maxWatches`
/// folders), and calls `onChange` when a file that is code is written, moved in or out, or removed (``CodeChange``
/// says which names are not: editors' temporary files, bytecode caches, installed dependencies). The caller
/// debounces. Without inotify it does nothing (and says so once): `starfleetctl worker reload` still works.
package final class CodeWatch: Sendable {
    static let maxDepth = 8
    static let maxWatches = 2_000

    private let inotify: Inotify?
    /// Watch descriptor → its directory's path and depth below the root (a new subdirectory gets a watch of its own).
    private let directories = Mutex<[Int32: (path: String, depth: Int)]>([:])
    /// The reader's way back to this object; cleared by ``cancel()`` to break the cycle through the inotify handler.
    private let owner: Locked<CodeWatch?>
    private let onChange: @Sendable () -> Void

    package init(root: String, logger: Logger, onChange: @escaping @Sendable () -> Void) {
        self.onChange = onChange
        let owner = Locked<CodeWatch?>(nil)
        self.owner = owner
        inotify = try? Inotify(onReadable: { owner.value?.drain() })
        owner.withLock { $0 = self }
        guard inotify != nil else {
            logger.warning(
                "cannot watch the code directory with inotify; hot reload needs `starfleetctl worker reload`",
                metadata: ["path": "\(root)"])
            return
        }
        watchTree(root, depth: 0)
    }

    /// Stops watching (call it when done: the reader holds this object until then).
    package func cancel() {
        owner.withLock { $0 = nil }
        inotify?.cancel()
    }

    private func drain() {
        guard let inotify else { return }
        let (events, overflowed) = inotify.take()
        var changed = overflowed
        for event in events {
            guard let name = event.name, CodeChange.matters(name) else { continue }
            changed = true
            if event.has(Int32(IN_ISDIR)), event.has(Int32(IN_CREATE | IN_MOVED_TO)),
                let parent = directories.withLock({ $0[event.watch] })
            {
                watchTree(parent.path + "/" + name, depth: parent.depth + 1)
            }
        }
        if changed { onChange() }
    }

    /// Adds a watch on `path` and, below the depth and count limits, on each subdirectory that may hold code.
    private func watchTree(_ path: String, depth: Int) {
        guard let inotify, depth <= Self.maxDepth, directories.withLock({ $0.count }) < Self.maxWatches else { return }
        guard case .success(let wd) = inotify.addWatch(path, followLink: depth == 0) else { return }
        directories.withLock { $0[wd] = (path, depth) }
        guard let dir = opendir(path) else { return }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." || entry.pointee.d_type != UInt8(DT_DIR) || !CodeChange.matters(name) { continue }
            names.append(name)
        }
        for name in names { watchTree(path + "/" + name, depth: depth + 1) }
    }
}
