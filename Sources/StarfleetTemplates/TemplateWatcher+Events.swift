import Glibc

/// inotify: keeping one watch per directory of the tree, and turning events into targeted looks.
///
/// Only completed files are read: IN_CLOSE_WRITE (a writer closed it) and IN_MOVED_TO (an atomic save renamed it
/// into place). IN_CREATE matters for new subdirectories (watched, then walked, since files may already be in
/// them) and symbolic links (which never see a close). Deleted or moved-away templates leave the hash set. Anything
/// doubtful (overflow, the directory itself removed) falls back to the full rescan.
extension TemplateWatcher {
    /// Adds or refreshes the watch on a directory (relative path); nil when inotify is off or the call failed.
    @discardableResult
    func addWatch(_ relative: String) -> Int32? {
        guard let inotify else { return nil }
        switch inotify.addWatch(TemplateWalk.join(directory, relative), followLink: relative.isEmpty) {
        case .success(let wd):
            watches[wd] = relative
            return wd
        case .failure(let failure):
            if failure.code == ENOSPC && !watchLimitLogged {
                watchLimitLogged = true
                logger.warning(
                    "inotify watch limit reached (raise fs.inotify.max_user_watches); changes in unwatched directories are seen at the next rescan"
                )
            } else if failure.code != ENOENT && failure.code != ENOTDIR {
                logger.warning("cannot watch \(TemplateWalk.join(directory, relative)): \(SystemErrno.sentence(failure.code))")
            }
            return nil
        }
    }

    /// Tests lower the event buffer to drive the overflow path deterministically; takes effect at the next `run`.
    func setEventBufferLimit(_ limit: Int) { eventBufferLimit = max(limit, 1) }

    /// After a full walk: stop watching directories the walk no longer reached (moved out while events were lost).
    func dropWatches(notIn visited: Set<Int32>) {
        guard let inotify else { return }
        for wd in watches.keys where !visited.contains(wd) {
            inotify.removeWatch(wd)
            watches[wd] = nil
        }
    }

    /// Removes the watches on a directory and everything under it.
    func dropWatches(under relative: String) {
        let prefix = relative + "/"
        for (wd, path) in watches where path == relative || path.hasPrefix(prefix) {
            inotify?.removeWatch(wd)
            watches[wd] = nil
        }
    }

    /// Handles the events gathered since the last call. Returns nil when a full rescan is needed instead.
    func handleEvents() -> Findings? {
        guard let inotify else { return ([], []) }
        let (events, overflowed) = inotify.take()
        if overflowed {
            logger.warning("inotify queue overflowed (events were lost); rescanning the whole template directory")
            return nil
        }
        var keys: [String] = []
        var queued: Set<String> = []
        var newDirectories: [String] = []
        var needsRescan = false
        for event in events {
            if event.has(IN_IGNORED) {
                // The kernel dropped the watch (directory deleted, or we removed it).
                if watches.removeValue(forKey: event.watch) == "" { needsRescan = true }
                continue
            }
            guard let parent = watches[event.watch] else { continue }  // a watch already dropped
            if event.has(IN_DELETE_SELF) || event.has(IN_MOVE_SELF) {
                // Subdirectories are handled through their parent's event; the root itself going away is not.
                if parent.isEmpty { needsRescan = true }
                continue
            }
            guard let name = event.name, !name.hasPrefix(".") else { continue }
            let key = parent.isEmpty ? name : parent + "/" + name
            if event.has(IN_ISDIR) {
                if event.has(IN_CREATE) || event.has(IN_MOVED_TO) {
                    newDirectories.append(key)
                } else if event.has(IN_MOVED_FROM) || event.has(IN_DELETE) {
                    dropWatches(under: key)
                    forget(subtree: key)
                }
                continue
            }
            guard TemplateWalk.isTemplateName(name) else { continue }
            if event.has(IN_DELETE) || event.has(IN_MOVED_FROM) {
                forget(key: key)
            } else if event.has(IN_CLOSE_WRITE) || event.has(IN_MOVED_TO) || (event.has(IN_CREATE) && isSymbolicLink(key)) {
                if queued.insert(key).inserted { keys.append(key) }
            }
        }
        if needsRescan {
            logger.warning("the template directory itself was removed or moved; rescanning")
            // A moved directory keeps its watches; drop them all so the rescan re-adds them by path.
            for wd in watches.keys { inotify.removeWatch(wd) }
            watches = [:]
            return nil
        }
        var findings: Findings = ([], [])
        // The event closes the write, so no settle delay; a later deletion in the same batch reads as gone.
        check(keys: keys, settle: false, into: &findings)
        for relative in newDirectories { scanSubtree(relative, into: &findings) }
        persistRemovalsIfNeeded()
        return findings
    }

    private func isSymbolicLink(_ key: String) -> Bool {
        var info = stat()
        return lstat(TemplateWalk.join(directory, key), &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }
}
