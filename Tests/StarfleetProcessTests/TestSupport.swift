import Glibc
import StarfleetProcess

/// `/bin/sh -c script` (a shell is fine in tests; the runner itself never adds one).
func sh(
    _ script: String, stdin: [UInt8] = [], timeout: Double = 10, killGrace: Double = 5,
    environment: [String: String] = ProcessEnvironment.base()
) -> ProcessInvocation {
    ProcessInvocation(
        argv: ["/bin/sh", "-c", script], stdin: stdin, environment: environment, timeout: timeout,
        killGrace: killGrace)
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Whether `pid` is dead: gone (ESRCH), or a zombie waiting for an init that reaps lazily. Waits up to 2 s.
func processIsGone(_ pid: pid_t) async -> Bool {
    for _ in 0..<200 {
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        if processState(pid) == "Z" { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return false
}

/// The state letter from /proc/PID/stat (R, S, Z, …), or nil when the process is gone.
func processState(_ pid: pid_t) -> Character? {
    let fd = open("/proc/\(pid)/stat", O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 512)
    let count = read(fd, &buffer, buffer.count)
    guard count > 0 else { return nil }
    let line = String(decoding: buffer[0..<count], as: UTF8.self)
    // "pid (comm) S ...": the state follows the last ')'.
    guard let close = line.lastIndex(of: ")") else { return nil }
    return line[line.index(after: close)...].first { $0 != " " }
}

/// A fresh directory under /tmp.
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/sf-proc-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(cString: path!)
}
