import Glibc
package import Logging
package import StarfleetClock

/// The watched template directory: starfleetd's stand-in for Starfleet's S3 trigger. A `*.yaml` file created or
/// changed under `directory` is an S3 `ObjectCreated` event for the key = its path relative to the directory.
///
/// Two sources feed it, because "edges get lost; the scan is the truth": inotify for immediacy, and a full rescan
/// every `rescanInterval` seconds of the injected clock (also after an inotify overflow). A persisted set of content
/// hashes (`stateFile`) decides what is new, so a restart does not re-fire unchanged templates, and a change is
/// recorded there only once the caller has durably enqueued its event (``acknowledge(_:)``): a crash in between
/// re-reports it at the next start. Delivery is at-least-once, never lost.
///
/// All file I/O runs on the watcher's own serial queue, never on Swift's cooperative thread pool.
package actor TemplateWatcher {
    let directory: String
    let stateFile: TemplateStateFile
    let clock: any WallClock
    let rescanInterval: Double
    let settleDelay: Double
    let maxBytes: Int
    let logger: Logger
    private let executor: SerialQueueExecutor

    /// Acknowledged content hash per key (what the state file holds); nil until first needed.
    var loadedAcknowledged: [String: String]?
    /// Removals (deleted templates) not yet written to the state file.
    var stateDirty = false
    /// Last hash per key with the stat signature it was read under, so a rescan need not re-read unchanged files.
    var hashCache: [String: (signature: FileSignature, sha256: String)] = [:]
    /// Rejections already reported (path → reason), so each is reported once until fixed.
    var reportedRejections: [String: String] = [:]
    /// Keys skipped because they were modified within `settleDelay`; looked at again shortly.
    var unsettled: Set<String> = []
    /// Whether the "directory is missing" warning has been logged since it was last seen.
    var missingLogged = false

    // inotify, while `run` is running.
    var inotify: Inotify?
    /// Watch descriptor → directory relative to `directory` (`""` is the directory itself).
    var watches: [Int32: String] = [:]
    var watchLimitLogged = false
    /// Bound of the in-process inotify event buffer (lowered by tests to force the overflow path).
    var eventBufferLimit = Inotify.defaultBufferLimit
    /// Whether `run` is active (it owns the inotify instance, so only one may run).
    var running = false

    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// - Parameters:
    ///   - directory: the template directory (`STARFLEET.TemplateDirectory`); it may not exist yet.
    ///   - stateFile: where the acknowledged hash set is kept (JSON, replaced atomically), e.g.
    ///     `<state>/templates.json`; its directory must exist.
    ///   - clock: drives the periodic rescan and the settle check.
    ///   - rescanInterval: seconds between full rescans in ``run(onChanges:)``.
    ///   - settleDelay: a file modified less than this many seconds from `clock.now()` is skipped by a scan (it may
    ///     still be being written) and looked at again after the delay. 0 disables the check.
    ///   - maxBytes: larger files are rejected without being read.
    ///   - logger: where the watcher says what it does.
    package init(
        directory: String, stateFile: String, clock: any WallClock, rescanInterval: Double = 30,
        settleDelay: Double = 1.0, maxBytes: Int = 1_048_576, logger: Logger
    ) {
        var directory = directory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        self.directory = directory
        self.stateFile = TemplateStateFile(path: stateFile)
        self.clock = clock
        self.rescanInterval = max(rescanInterval, 0.001)
        self.settleDelay = max(settleDelay, 0)
        self.maxBytes = maxBytes
        var logger = logger
        logger[metadataKey: "template_directory"] = "\(directory)"
        self.logger = logger
        self.executor = SerialQueueExecutor(label: "starfleetd.templates")
    }

    /// Scans now: returns changes for new or changed `.yaml` files (content hash differs from the acknowledged one)
    /// and rejections not reported before. Files modified within `settleDelay` of the clock are skipped until a
    /// later scan. Keys whose files are gone are dropped from the hash set (re-creating the same content fires
    /// again); that removal is written to the state file right away, best effort.
    ///
    /// Nothing reported here is persisted: call ``acknowledge(_:)`` after the caller has durably enqueued the
    /// events, so a crash between scan and enqueue re-reports the change at the next start.
    package func scan() -> (changes: [TemplateChange], rejections: [TemplateRejection]) {
        let outcome = fullScan()
        persistRemovalsIfNeeded()
        return outcome
    }

    /// Records `changes` as delivered: their hashes go into the state file, which is replaced atomically (temporary
    /// file, fsync, rename, fsync of the directory). Throws when the file cannot be written; the hashes are kept
    /// in memory either way (no duplicate in this run) and written with the next successful save, so at worst a
    /// restart reports them again.
    package func acknowledge(_ changes: [TemplateChange]) throws {
        guard !changes.isEmpty else { return }
        var hashes = acknowledged
        for change in changes { hashes[change.key] = change.sha256 }
        loadedAcknowledged = hashes
        stateDirty = true
        try saveState()
    }

    /// The acknowledged hashes, loading the state file on first use.
    var acknowledged: [String: String] {
        get {
            if let loadedAcknowledged { return loadedAcknowledged }
            let loaded = stateFile.load(logger: logger)
            loadedAcknowledged = loaded
            return loaded
        }
        set { loadedAcknowledged = newValue }
    }

    func saveState() throws(TemplateWatcherError) {
        try stateFile.save(acknowledged)
        stateDirty = false
    }

    /// Writes pending removals; a failure is logged and retried with the next save.
    func persistRemovalsIfNeeded() {
        guard stateDirty else { return }
        do {
            try saveState()
        } catch {
            logger.error("cannot save the template state after removals: \(error)")
        }
    }
}
