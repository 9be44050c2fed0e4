import Glibc

/// A directory the daemon keeps its payloads, journals and secrets in, and so must be the only user able to change:
/// owned by the daemon's effective uid and writable by nobody else. A directory another local user created first
/// (a world-writable `/tmp/state`, a `run/` planted while the state directory was open) is refused, not adopted:
/// whoever owns it could swap files under the daemon or read what it writes.
package enum PrivateDirectory {
    /// mkdir -p `path` with mode 0700 for what it creates, then ``check(_:owner:)``. A directory it made gets 0700
    /// whatever the umask (a chmod that fails is an error, not a shrug).
    package static func make(_ path: String, owner: UInt32 = geteuid()) throws {
        let existed = access(path, F_OK) == 0
        try PosixFileSystem().makeDirectories(path, mode: 0o700)
        if !existed, chmod(path, 0o700) != 0 { throw FileSystemError("chmod 0700", path: path, errno: errno) }
        try check(path, owner: owner)
    }

    /// Refuses `path` unless it is a directory owned by `owner` with no group or other write bit. A symbolic link is
    /// followed only when the link itself belongs to `owner` or root (systemd's `/var/lib/starfleetd` →
    /// `private/starfleetd` under `DynamicUser=` is root's), and its target must pass the same test.
    package static func check(_ path: String, owner: UInt32 = geteuid()) throws {
        try check(path, owners: [owner])
    }

    /// ``check(_:owner:)`` for each folder the daemon makes under a checked directory (`queues/`, `run/`, …) that
    /// exists, and for the folders directly inside it (`queues/<Queue>/`, `workers/<Worker>/`). Root may own these
    /// too: only root can put anything in a directory that passed the check (`sudo starfleetctl` makes `inbox/`),
    /// and root can do anything anyway. Missing ones are fine: the daemon makes them 0700.
    package static func checkFolders(_ names: [String], under root: String, owner: UInt32 = geteuid()) throws {
        for name in names {
            let folder = root + "/" + name
            guard exists(folder) else { continue }
            try check(folder, owners: [owner, 0])
            let children = (try? PosixFileSystem().contents(ofDirectory: folder)) ?? []
            for child in children.sorted() {
                let path = folder + "/" + child
                var info = stat()
                // Files (a queue's lock, a stray README) are not folders the daemon enters; only directories and links.
                guard lstat(path, &info) == 0 else { continue }
                let type = info.st_mode & S_IFMT
                if type == S_IFDIR || type == S_IFLNK { try check(path, owners: [owner, 0]) }
            }
        }
    }

    static func check(_ path: String, owners: [UInt32]) throws {
        var link = stat()
        guard lstat(path, &link) == 0 else { throw FileSystemError("lstat", path: path, errno: errno) }
        if (link.st_mode & S_IFMT) == S_IFLNK {
            guard link.st_uid == 0 || owners.contains(link.st_uid) else {
                throw UntrustedDirectoryError(
                    path: path, problem: "is a symbolic link owned by uid \(link.st_uid)", owner: owners[0])
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw FileSystemError("stat", path: path, errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw UntrustedDirectoryError(path: path, problem: "is not a directory", owner: owners[0])
        }
        guard owners.contains(info.st_uid) else {
            throw UntrustedDirectoryError(path: path, problem: "is owned by uid \(info.st_uid)", owner: owners[0])
        }
        guard info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            let mode = String(info.st_mode & 0o7777, radix: 8)
            throw UntrustedDirectoryError(
                path: path, problem: "is writable by its group or by others (mode \(mode))", owner: owners[0])
        }
        // A folder above it that another user may change could swap the whole directory after this check.
        if let (folder, problem) = TrustedPath.firstUntrusted(path, owners: owners), folder != path {
            throw UntrustedDirectoryError(path: path, problem: "lies in \(folder), which \(problem)", owner: owners[0])
        }
    }

    /// Whether anything (even a dangling link) is at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}

/// A state or runtime directory (or a folder in it) the daemon will not use: someone else owns it or may write it.
package struct UntrustedDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    package var path: String
    package var problem: String
    /// The uid the daemon runs as, for the hint.
    package var owner: UInt32

    package var description: String {
        "\(path) \(problem); the daemon (uid \(owner)) uses only directories it owns that no other user can write "
            + "(hint: if you made it, chown \(owner) and chmod 0700 it; if you did not, someone else did: remove it and "
            + "let the daemon create it)"
    }
}
