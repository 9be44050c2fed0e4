import FoundationEssentials
import Glibc
package import StarfleetClock
package import StarfleetFiles
import StarfleetQueue
import Synchronization

/// Appends one worker's runs to its segment files and keeps them within the worker's bounds.
///
/// Each run is one `pwrite` of a sealed frame and no fsync: the history is observability, the queue is what
/// guarantees delivery. A SIGKILL loses nothing already written (the page cache survives the process); a power loss
/// may lose the last runs or leave a torn tail, which ``open(directory:clock:fileSystem:)`` cuts off by checksum. A
/// full segment is fdatasync'd once as it is sealed, and whole old segments are unlinked to enforce the bounds.
package final class RunHistoryWriter: Sendable {
    struct Segment {
        var number: UInt64
        var runs: Int
        /// The newest run's start, for the age bound.
        var newestMs: Int64
    }

    /// The segment being appended to.
    struct Active {
        var number: UInt64
        var fd: Int32
        var size: Int64
        var path: String
    }

    struct State {
        var segments: [Segment]
        var active: Active?
    }

    package let directory: String
    private let clock: any WallClock
    private let fileSystem: any FileSystem
    private let state: Mutex<State>

    private init(directory: String, clock: any WallClock, fileSystem: any FileSystem, state: State) {
        self.directory = directory
        self.clock = clock
        self.fileSystem = fileSystem
        self.state = Mutex(state)
    }

    deinit {
        state.withLock { s in
            if let active = s.active { fileSystem.close(active.fd) }
        }
    }

    /// Opens (recovers) a worker's history folder, creating it if needed: a torn tail in the newest segment is
    /// truncated at the last whole record, a segment without a header is removed, a file that is not a segment is
    /// set aside as `<name>.bad`. Damage before good records is left for readers to skip, and reported.
    package static func open(
        directory: String, clock: any WallClock, fileSystem: any FileSystem = PosixFileSystem()
    ) throws(RunHistoryError) -> (RunHistoryWriter, RunHistoryRecovery) {
        var recovery = RunHistoryRecovery()
        do {
            try fileSystem.makeDirectories(directory, mode: 0o700)
        } catch {
            throw RunHistoryError("cannot create the run-history folder: \(error)", path: directory)
        }
        let numbers = try RunHistoryFiles.segments(in: directory, fileSystem: fileSystem)
        var segments: [Segment] = []
        var active: Active?
        for (index, number) in numbers.enumerated() {
            let path = directory + "/" + RunHistorySegment.fileName(number)
            guard let bytes = try RunHistoryFiles.read(path, fileSystem: fileSystem) else { continue }
            let isNewest = index == numbers.count - 1
            let check = bytes.withUnsafeBytes { RunHistorySegment.check($0) }
            switch check {
            case .valid: break
            case .torn:
                try remove(path, fileSystem: fileSystem)
                recovery.notes.append("\(path): removed a segment with no header (the crash came as it was created)")
                continue
            case .foreign:
                do { try fileSystem.rename(path, to: path + ".bad") } catch {
                    throw RunHistoryError("cannot set aside a file that is not a run-history segment: \(error)", path: path)
                }
                recovery.notes.append("\(path): not a run-history segment; set aside as \(path).bad")
                continue
            case .newerVersion(let version):
                throw RunHistoryError(
                    "written by a newer starfleetd (format \(version), this one reads \(RunHistorySegment.formatVersion)); "
                        + "this worker's runs are not recorded until the folder is moved away", path: path)
            }
            let scan = bytes.withUnsafeBytes { RunHistoryScan($0, path: path) }
            for damage in scan.damaged {
                recovery.notes.append(
                    "\(path): \(damage.bytes) damaged bytes at offset \(damage.offset) do not check out; readers skip them")
            }
            if let tail = scan.tail {
                if isNewest {
                    recovery.truncatedTailBytes += tail.bytes
                    recovery.notes.append(
                        "\(path): cut a torn tail of \(tail.bytes) bytes at offset \(tail.offset) (a write a crash interrupted)")
                } else {
                    recovery.notes.append(
                        "\(path): \(tail.bytes) damaged bytes at the end (offset \(tail.offset)); readers skip them")
                }
            }
            let newest = scan.runs.map { RunRecord.milliseconds($0.started) }.max() ?? Int64.min
            segments.append(Segment(number: number, runs: scan.runs.count, newestMs: newest))
            recovery.runs += scan.runs.count
            if isNewest {
                // Reopen the newest segment for appends, cut back to its last whole record.
                let fd: Int32
                do {
                    fd = try fileSystem.open(path, flags: O_RDWR | O_NOFOLLOW, mode: 0o600)
                    if scan.tail != nil {
                        try fileSystem.truncate(fd, to: Int64(scan.end), path: path)
                        try fileSystem.fdatasync(fd, path: path)
                    }
                } catch {
                    throw RunHistoryError("cannot reopen the newest run-history segment: \(error)", path: path)
                }
                active = Active(number: number, fd: fd, size: Int64(scan.end), path: path)
            }
        }
        let writer = RunHistoryWriter(
            directory: directory, clock: clock, fileSystem: fileSystem,
            state: State(segments: segments, active: active))
        return (writer, recovery)
    }

    /// Appends one run, then seals the segment if it is full and removes segments past `limits`.
    package func append(_ run: RunRecord, limits: RunHistoryLimits) throws(RunHistoryError) {
        try append([run], limits: limits)
    }

    /// Appends runs in order with one `pwrite` per segment they fill, sealing each full segment, then removes segments
    /// past `limits`. A failed write is cut back to the last whole record and ends the batch (the error says so).
    package func append(_ runs: [RunRecord], limits: RunHistoryLimits) throws(RunHistoryError) {
        guard !runs.isEmpty else { return }
        let frames = runs.map { (bytes: $0.frame(), startedMs: RunRecord.milliseconds($0.started)) }
        let nowMs = RunRecord.milliseconds(clock.now())
        let fileSystem = self.fileSystem
        let directory = self.directory
        try state.withLock { (s: inout State) throws(RunHistoryError) in
            var next = 0
            while next < frames.count {
                if s.active == nil {
                    let number = (s.segments.last?.number ?? 0) + 1
                    s.active = try Self.create(number: number, directory: directory, createdMs: nowMs, fileSystem: fileSystem)
                    s.segments.append(Segment(number: number, runs: 0, newestMs: Int64.min))
                }
                guard var active = s.active, let last = s.segments.indices.last else { return }
                let room = max(1, limits.segmentCapacity - s.segments[last].runs)
                let part = frames[next..<min(next + room, frames.count)]
                var bytes: [UInt8] = []
                bytes.reserveCapacity(part.reduce(0) { $0 + $1.bytes.count })
                for frame in part { bytes += frame.bytes }
                do {
                    try bytes.withUnsafeBytes { try fileSystem.write(active.fd, $0, at: active.size, path: active.path) }
                } catch {
                    // Cut back a partial write so later records do not follow garbage; if even that fails, seal the
                    // segment (readers skip the damage) and start a new one next time.
                    do { try fileSystem.truncate(active.fd, to: active.size, path: active.path) } catch {
                        fileSystem.close(active.fd)
                        s.active = nil
                    }
                    throw RunHistoryError(
                        "cannot append \(frames.count - next) run(s) to the run history: \(error)", path: active.path)
                }
                active.size += Int64(bytes.count)
                s.active = active
                s.segments[last].runs += part.count
                s.segments[last].newestMs = max(s.segments[last].newestMs, part.map(\.startedMs).max() ?? Int64.min)
                next += part.count
                if s.segments[last].runs >= limits.segmentCapacity {
                    // Sealed segments are made durable once; the next run starts a new segment. This is the history's
                    // own writer thread (RunHistoryStore), never a dispatcher's, so the sync's milliseconds hold up
                    // no worker, and a slow disk slows the writer instead of piling up open segments.
                    try? fileSystem.fdatasync(active.fd, path: active.path)
                    fileSystem.close(active.fd)
                    s.active = nil
                }
            }
            Self.prune(&s, limits: limits, nowMs: nowMs, directory: directory, fileSystem: fileSystem)
        }
    }

    /// Removes segments past the bounds now (the daemon calls it at start, when no run may come for a while).
    package func prune(limits: RunHistoryLimits) {
        let nowMs = RunRecord.milliseconds(clock.now())
        let fileSystem = self.fileSystem
        let directory = self.directory
        state.withLock { s in Self.prune(&s, limits: limits, nowMs: nowMs, directory: directory, fileSystem: fileSystem) }
    }

    /// Runs on disk now (the bounds are enforced per segment, so this may exceed `maxRuns` by up to one segment).
    package var runsOnDisk: Int { state.withLock { $0.segments.reduce(0) { $0 + $1.runs } } }

    /// Unlinks the oldest segments while the newer ones alone hold `maxRuns` runs, or while the oldest holds only
    /// runs older than the age bound. The segment being appended to stays.
    private static func prune(
        _ s: inout State, limits: RunHistoryLimits, nowMs: Int64, directory: String,
        fileSystem: any FileSystem
    ) {
        let cutoff = nowMs - Int64(limits.maxAgeSeconds * 1000)
        var total = s.segments.reduce(0) { $0 + $1.runs }
        while let oldest = s.segments.first, oldest.number != s.active?.number,
            total - oldest.runs >= limits.maxRuns || oldest.newestMs < cutoff
        {
            // A failed unlink leaves the file for the next prune; readers still apply the bounds exactly.
            guard (try? fileSystem.unlink(directory + "/" + RunHistorySegment.fileName(oldest.number))) != nil else { return }
            total -= oldest.runs
            s.segments.removeFirst()
        }
    }

    private static func create(
        number: UInt64, directory: String, createdMs: Int64,
        fileSystem: any FileSystem
    ) throws(RunHistoryError) -> Active {
        let path = directory + "/" + RunHistorySegment.fileName(number)
        do {
            let fd = try fileSystem.open(path, flags: O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: 0o600)
            let header = RunHistorySegment.header(number: number, createdMs: createdMs)
            do {
                try header.withUnsafeBytes { try fileSystem.write(fd, $0, at: 0, path: path) }
            } catch {
                fileSystem.close(fd)
                throw error
            }
            return Active(number: number, fd: fd, size: Int64(header.count), path: path)
        } catch {
            throw RunHistoryError("cannot create a run-history segment: \(error)", path: path)
        }
    }

    private static func remove(_ path: String, fileSystem: any FileSystem) throws(RunHistoryError) {
        do { try fileSystem.unlink(path) } catch {
            throw RunHistoryError("cannot remove a headerless run-history segment: \(error)", path: path)
        }
    }
}

/// What opening a history folder found and repaired, in sentences for the log.
package struct RunHistoryRecovery: Sendable, Hashable {
    package var runs = 0
    package var truncatedTailBytes = 0
    package var notes: [String] = []
    package init() {}
}
