import Glibc
import StarfleetCore
import StarfleetDaemon
import StarfleetFiles

extension Daemon {
    /// Makes (or checks) the state directory, the runtime directory and the folders the daemon keeps in them, before
    /// anything is read from or written to them; returns the runtime directory as an absolute path (workers run in
    /// their own working directories). Throws ``UntrustedDirectoryError`` for a directory another user owns or may
    /// write (exit 73), anything else when a directory cannot be made or written (exit 74).
    static func prepareDirectories(_ paths: StatePaths, environment: [String: String]) throws -> String {
        try PosixDirectories.make(paths.root)
        try PrivateDirectory.checkFolders(StatePaths.daemonFolders, under: paths.root)
        var runtime = runtimeDirectory(paths, environment: environment)
        try PosixDirectories.make(runtime)
        // The workers' secrets are in here: only the daemon's user may enter, whatever mode the folder had.
        if chmod(runtime, 0o700) != 0 { throw FileSystemError("chmod 0700", path: runtime, errno: errno) }
        try PrivateDirectory.checkFolders(["workers"], under: runtime)
        if let absolute = realpath(runtime, nil) {
            runtime = String(cString: absolute)
            free(absolute)
        }
        return runtime
    }

    /// `$RUNTIME_DIRECTORY` (its first entry; systemd's `RuntimeDirectory=`), else `<state>/run`.
    static func runtimeDirectory(_ paths: StatePaths, environment: [String: String]) -> String {
        environment[EnvironmentName.runtimeDirectory].flatMap { $0.split(separator: ":").first.map(String.init) }
            ?? paths.defaultRuntimeDirectory
    }
}
