import FoundationEssentials
package import StarfleetFiles
import StarfleetQueue

/// Reads the run history without changing it: what `starfleetctl runs` uses, safe while the daemon writes. A record
/// the daemon is writing at that moment is an unfinished tail and is left out; damage elsewhere is skipped and
/// reported in ``RunHistoryRead/problems``.
package struct RunHistoryReader: Sendable {
    package let root: String
    private let fileSystem: any FileSystem

    package init(root: String, fileSystem: any FileSystem = PosixFileSystem()) {
        self.root = root
        self.fileSystem = fileSystem
    }

    /// The workers with a history folder, sorted; empty when there is no history yet.
    package func workers() throws(RunHistoryError) -> [String] {
        guard fileSystem.fileExists(root) else { return [] }
        do {
            return try fileSystem.contents(ofDirectory: root).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw RunHistoryError("cannot list the run history: \(error)", path: root)
        }
    }

    /// One worker's runs on disk, oldest first.
    package func read(worker: String) throws(RunHistoryError) -> RunHistoryRead {
        let directory = try RunHistoryFiles.directory(root: root, worker: worker)
        let numbers = try RunHistoryFiles.segments(in: directory, fileSystem: fileSystem)
        var result = RunHistoryRead()
        for (index, number) in numbers.enumerated() {
            let path = directory + "/" + RunHistorySegment.fileName(number)
            guard let bytes = try RunHistoryFiles.read(path, fileSystem: fileSystem) else { continue }
            switch bytes.withUnsafeBytes({ RunHistorySegment.check($0) }) {
            case .valid: break
            case .torn: continue  // created a moment ago, or by a crash: no runs in it either way
            case .foreign:
                result.problems.append("\(path): not a run-history segment (bad magic); skipped")
                continue
            case .newerVersion(let version):
                result.problems.append("\(path): written by a newer starfleetd (format \(version)); skipped")
                continue
            }
            let scan = bytes.withUnsafeBytes { RunHistoryScan($0, path: path) }
            result.runs += scan.runs
            for damage in scan.damaged {
                result.problems.append("\(path): \(damage.bytes) damaged bytes at offset \(damage.offset) skipped")
            }
            if let tail = scan.tail {
                if index == numbers.count - 1 {
                    result.unfinishedTailBytes = tail.bytes
                } else {
                    result.problems.append("\(path): \(tail.bytes) damaged bytes at the end (offset \(tail.offset)) skipped")
                }
            }
        }
        return result
    }
}

/// One worker's runs as read from disk.
package struct RunHistoryRead: Sendable {
    /// Oldest first (in the order they finished).
    package var runs: [RunRecord] = []
    /// Damage skipped over, one sentence each.
    package var problems: [String] = []
    /// Bytes at the end of the newest segment that are not a whole record: a write in progress, or a crash's torn
    /// tail the daemon cuts off when it next starts.
    package var unfinishedTailBytes = 0

    package init() {}
}
