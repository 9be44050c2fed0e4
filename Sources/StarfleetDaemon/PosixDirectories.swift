import Glibc
import StarfleetFiles

/// mkdir -p for the state and runtime directories and the workers' folders (mode 0700: payloads may hold account
/// data, workers' files their secrets), refusing one another user owns or may write, then a check that the daemon
/// can write there (a read-only mount).
package enum PosixDirectories {
    package static func make(_ path: String) throws {
        try PrivateDirectory.make(path)
        guard access(path, W_OK) == 0 else { throw FileSystemError("access (write)", path: path, errno: errno) }
    }
}
