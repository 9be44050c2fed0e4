import FoundationEssentials
import Glibc
import StarfleetCrypto

/// Identity of a file's content as far as `stat` can tell; equal signatures let a rescan reuse the last hash.
struct FileSignature: Sendable, Hashable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: timespec
    var changed: timespec

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = info.st_mtim
        changed = info.st_ctim
    }

    static func == (a: FileSignature, b: FileSignature) -> Bool {
        a.device == b.device && a.inode == b.inode && a.size == b.size
            && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
            && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(inode)
        hasher.combine(size)
        hasher.combine(changed.tv_nsec)
    }
}

/// What one `*.yaml` entry holds right now.
enum TemplateInspection: Sendable {
    /// Readable: its content hash. `cacheable` is false while the file is too young for its timestamps to prove
    /// that a later write would change them (the "racy git" problem with coarse timestamps).
    case file(TemplateChange, FileSignature, cacheable: Bool)
    /// Modified within the settle delay: possibly still being written; look again later.
    case unsettled
    case rejected(TemplateRejection)
    /// Vanished between listing and opening.
    case gone
}

/// Reads and hashes one template entry, applying the safety rules (no escape through symbolic links or `..`, size
/// limit checked before reading, regular files only, nothing that could block such as a FIFO).
///
/// A symbolic link is followed when its target resolves (realpath) to a regular file inside the template directory;
/// the key stays the link's own path. A link leading outside is rejected.
struct TemplateInspector: Sendable {
    /// Template directory as given (keys are relative to it).
    var root: String
    /// `realpath` of the template directory at the time of the scan, for the symbolic-link containment check.
    var resolvedRoot: String
    var maxBytes: Int
    var settleDelay: Double
    var now: Date

    func inspect(_ candidate: TemplateWalk.Candidate, cachedHash: (FileSignature) -> String?) -> TemplateInspection {
        let path = candidate.path
        func reject(_ reason: String) -> TemplateInspection { .rejected(TemplateRejection(path: path, reason: reason)) }
        guard TemplateWalk.isSafeKey(candidate.key) else {
            return reject("the key has a '..', '.' or empty component and could leave the template directory; rename it")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return errno == ENOENT ? .gone : reject("cannot be examined (\(SystemErrno.sentence(errno)))")
        }
        var readPath = path
        var flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW
        if (info.st_mode & S_IFMT) == S_IFLNK {
            guard let resolved = Self.realPath(path) else {
                let code = errno
                return code == ENOENT
                    ? reject("symbolic link points to nothing (its target does not exist); fix or remove the link")
                    : reject("symbolic link cannot be resolved (\(SystemErrno.sentence(code)))")
            }
            guard resolved.hasPrefix(resolvedRoot == "/" ? "/" : resolvedRoot + "/") else {
                return reject(
                    "symbolic link leads outside the template directory (to \(resolved)); copy the template into the directory instead"
                )
            }
            readPath = resolved
            flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK
        } else if (info.st_mode & S_IFMT) != S_IFREG {
            return reject("not a regular file; only regular *.yaml files are templates")
        }

        let fd = open(readPath, flags)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ELOOP { return .gone }  // replaced mid-scan; the next look sees the new entry
            return reject("cannot be read (\(SystemErrno.sentence(code))); make it readable by the starfleetd user")
        }
        defer { close(fd) }
        guard fstat(fd, &info) == 0 else { return reject("cannot be examined (\(SystemErrno.sentence(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return reject("not a regular file; only regular *.yaml files are templates")
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            return reject("is \(size) bytes, over the \(maxBytes)-byte template limit; make it smaller")
        }
        if settleDelay > 0 {
            let modified = Date(
                timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1_000_000_000)
            // Absolute distance: a file stamped in the future (skewed clock, touch -d) must not wait forever.
            if abs(now.timeIntervalSince(modified)) < settleDelay { return .unsettled }
        }
        let signature = FileSignature(info)
        if let sha = cachedHash(signature) {
            return .file(TemplateChange(key: candidate.key, path: path, sha256: sha, size: size), signature, cacheable: true)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        var chunk = [UInt8](repeating: 0, count: min(max(size + 1, 4096), 65_536))
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return reject("cannot be read (\(SystemErrno.sentence(errno))); make it readable by the starfleetd user")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > maxBytes {
                return reject("grew past the \(maxBytes)-byte template limit while being read; make it smaller")
            }
        }
        // Trust stat for this content only once its change time is safely in the past (the filesystem's own clock).
        let cacheable = Int(info.st_ctim.tv_sec) < Int(time(nil)) - 2
        let change = TemplateChange(key: candidate.key, path: path, sha256: Digest.sha256Hex(bytes), size: bytes.count)
        return .file(change, signature, cacheable: cacheable)
    }

    /// `realpath(3)`, or nil with errno set.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
