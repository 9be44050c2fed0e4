import Glibc

/// Whether another local user could change what is at a path by changing a folder on the way to it: every folder
/// from `/` down must belong to root or to one of the trusted owners, and none may be writable by its group or by
/// others, except a sticky one above the last (as `/tmp` is: nobody can rename or remove another user's entry
/// there). What OpenSSH checks of an authorized_keys path, for the same reason.
package enum TrustedPath {
    /// The first folder on the resolved way to `path` that fails, with why; nil when every one passes.
    package static func firstUntrusted(_ path: String, owners: [UInt32]) -> (path: String, problem: String)? {
        guard let resolved = realpath(path, nil) else { return (path, "cannot be resolved (errno \(errno))") }
        let real = String(cString: resolved)
        free(resolved)
        var current = real
        while true {
            var info = stat()
            guard stat(current, &info) == 0 else { return (current, "cannot be read (errno \(errno))") }
            guard info.st_uid == 0 || owners.contains(info.st_uid) else {
                return (current, "belongs to uid \(info.st_uid)")
            }
            let sticky = info.st_mode & S_ISVTX != 0 && current != real
            if info.st_mode & (S_IWGRP | S_IWOTH) != 0 && !sticky {
                return (current, "is writable by its group or by others (mode \(String(info.st_mode & 0o7777, radix: 8)))")
            }
            if current == "/" { return nil }
            let parent = current[..<(current.lastIndex(of: "/") ?? current.startIndex)]
            current = parent.isEmpty ? "/" : String(parent)
        }
    }
}
