import Glibc
import StarfleetFiles
import StarfleetQueue

/// File helpers shared by the writer and the reader, over the queue's file-system seam.
enum RunHistoryFiles {
    /// A worker's folder, `<root>/<worker>`. The worker name becomes a path component, so it must be one.
    static func directory(root: String, worker: String) throws(RunHistoryError) -> String {
        guard !worker.isEmpty, worker != ".", worker != "..", !worker.contains("/"), !worker.utf8.contains(0) else {
            throw RunHistoryError("\"\(worker)\" cannot name a run-history folder")
        }
        return root + "/" + worker
    }

    /// The segment numbers in `directory`, ascending; empty when it does not exist.
    static func segments(in directory: String, fileSystem: any FileSystem) throws(RunHistoryError) -> [UInt64] {
        guard fileSystem.fileExists(directory) else { return [] }
        do {
            return try fileSystem.contents(ofDirectory: directory).compactMap(RunHistorySegment.number(inFileName:)).sorted()
        } catch {
            throw RunHistoryError("cannot list the run history: \(error)", path: directory)
        }
    }

    /// The whole file, or nil when it vanished meanwhile (the daemon removed an old segment).
    static func read(_ path: String, fileSystem: any FileSystem) throws(RunHistoryError) -> [UInt8]? {
        do {
            let fd: Int32
            do {
                fd = try fileSystem.open(path, flags: O_RDONLY, mode: 0)
            } catch let error as FileSystemError where error.errno == ENOENT {
                return nil
            }
            defer { fileSystem.close(fd) }
            let size = Int(try fileSystem.size(fd, path: path))
            var bytes = [UInt8](repeating: 0, count: size)
            let got = try bytes.withUnsafeMutableBytes { try fileSystem.read(fd, into: $0, at: 0, path: path) }
            return Array(bytes.prefix(got))
        } catch {
            throw RunHistoryError("cannot read the run history: \(error)", path: path)
        }
    }
}
