import Glibc
public import StarfleetCore
import StarfleetYAML
import Synchronization

/// The account index the Starbase plans with, reloaded when its file changes (size or modification time), so a
/// regenerated index is used from the next fan-out on without a restart.
public final class AccountIndexCache: Sendable {
    private struct Loaded {
        var index: AccountIndex
        var size: Int
        var mtime: Int
    }

    public let path: String?
    private let source: AccountIndexSource
    private let loaded: Mutex<Loaded?> = Mutex(nil)

    public init(source: AccountIndexSource, path: String?) {
        self.source = source
        self.path = path
    }

    /// The current index. Throws (retryably) when it cannot be read.
    public func current() throws(AccountIndexError) -> AccountIndex {
        guard let path else {
            throw AccountIndexError(source: "StarfleetDefaultAccountIndex",
                                    message: "the account index is in S3, which this build does not read yet; use LocalAccountIndex with a local copy")
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw AccountIndexError(source: path, message: "cannot read the account index: \(String(cString: strerror(errno)))")
        }
        let size = Int(info.st_size)
        let mtime = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
        if let cached = loaded.withLock({ $0 }), cached.size == size, cached.mtime == mtime { return cached.index }
        let index = try AccountIndexFile.load(path)
        loaded.withLock { $0 = Loaded(index: index, size: size, mtime: mtime) }
        return index
    }
}
