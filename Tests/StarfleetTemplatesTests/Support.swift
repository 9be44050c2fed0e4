import FoundationEssentials
import Glibc
import Logging
import StarfleetClock
import StarfleetCrypto
import StarfleetTemplates
import StarfleetTestSupport
import Synchronization
import Testing

/// A fresh directory per test under /tmp with a `templates/` tree and a state file path; removed by `cleanup()`.
struct Sandbox {
    let root: String
    var templates: String { root + "/templates" }
    var stateFile: String { root + "/state/templates.json" }

    init() throws {
        var pattern = Array("/tmp/starfleet-templates-XXXXXX".utf8CString)
        let made = pattern.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard made != nil else { throw TestFailure("mkdtemp failed: errno \(errno)") }
        root = String(decoding: pattern.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        try mkdir(templates)
        try mkdir(root + "/state")
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: root)
    }

    func path(_ key: String) -> String { templates + "/" + key }

    func mkdir(_ path: String) throws {
        guard Glibc.mkdir(path, 0o755) == 0 || errno == EEXIST else { throw TestFailure("mkdir \(path): errno \(errno)") }
    }

    /// Writes `content` to `templates/key` (creating parent directories) and returns its SHA-256.
    @discardableResult
    func write(_ key: String, _ content: String) throws -> String {
        try writeFile(path(key), content)
        return Digest.sha256Hex(content)
    }

    func writeFile(_ path: String, _ content: String) throws {
        var parent = ""
        for component in path.split(separator: "/").dropLast() {
            parent += "/" + component
            try mkdir(parent)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TestFailure("open \(path): errno \(errno)") }
        defer { close(fd) }
        let bytes = Array(content.utf8)
        guard bytes.isEmpty || Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw TestFailure("write \(path)") }
    }

    func remove(_ key: String) throws {
        guard unlink(path(key)) == 0 else { throw TestFailure("unlink \(key): errno \(errno)") }
    }

    func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func watcher(clock: any WallClock = ManualClock(), settle: Double = 0, maxBytes: Int = 1_048_576) -> TemplateWatcher {
        TemplateWatcher(
            directory: templates, stateFile: stateFile, clock: clock, rescanInterval: 30, settleDelay: settle,
            maxBytes: maxBytes, logger: quietLogger)
    }
}

let quietLogger = Logger.quiet

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Collects what `run` delivers, acknowledging like a real enqueuer would.
final class Recorder: Sendable {
    private let state = Mutex<(changes: [TemplateChange], rejections: [TemplateRejection], calls: Int)>(([], [], 0))

    var changes: [TemplateChange] { state.withLock { $0.changes } }
    var rejections: [TemplateRejection] { state.withLock { $0.rejections } }
    var calls: Int { state.withLock { $0.calls } }

    func record(_ changes: [TemplateChange], _ rejections: [TemplateRejection]) {
        state.withLock {
            $0.changes += changes
            $0.rejections += rejections
            $0.calls += 1
        }
    }

    /// Waits (really, in 10 ms steps, bounded) until `condition` holds; inotify delivery is a real event.
    func wait(upTo seconds: Double = 2, until condition: (Recorder) -> Bool) async throws -> Bool {
        let steps = Int(seconds * 100)
        for _ in 0..<steps {
            if condition(self) { return true }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        return condition(self)
    }
}

/// Runs `watcher.run` in a child task for the duration of `body`, then cancels it and waits for it to return.
func whileRunning(
    _ watcher: TemplateWatcher, clock: ManualClock, recorder: Recorder, _ body: () async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await watcher.run { recorder.record($0, $1) } }
        try await clock.waitForSleepers(1)  // the rescan timer sleeps only after the first scan and the watches
        try await body()
        group.cancelAll()
        try await group.waitForAll()
    }
}
