import Foundation

/// A helper server process started for a test and stopped when the test ends: a scripted Python server (the fault
/// servers) or moto_server. Waits until the port accepts connections; a missing program is a test failure with a
/// sentence saying how to install it, never a silent skip. Shared by the test targets that talk to AWS (the AWS layer,
/// the SQS queue); Foundation's Process only, so it brings no libcurl into the test support.
package final class TestServer: @unchecked Sendable {
    private let process: Process
    package let port: Int
    package var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// Runs `body` with the Python server `script` (it prints its port on its first line), then stops it.
    package static func withFaultServer<T>(script: String, _ body: (TestServer) async throws -> T) async throws -> T {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let line = String(decoding: stdout.fileHandleForReading.availableLineOrWait(), as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestServerError("the fault server did not print its port (got \(line.debugDescription)); is python3 installed?")
        }
        let server = TestServer(process: process, port: port)
        defer { server.stop() }
        try await server.waitForPort()
        return try await body(server)
    }

    /// Runs `body` with a fresh moto_server on a free port, then stops it. At most ``StartGate/limit`` servers start at
    /// once: each costs about a second of CPU to import, and twenty starting together on two cores ran past the wait.
    /// The wait for its port is a watchdog for a broken install, not a measure: generous on a loaded machine.
    package static func withMoto<T>(_ body: (TestServer) async throws -> T) async throws -> T {
        let server = try await StartGate.shared.withPermit { () async throws -> TestServer in
            let port = freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["moto_server", "-H", "127.0.0.1", "-p", "\(port)"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch {
                throw TestServerError("cannot start moto_server (\(error)); install it with: pip install 'moto[server]'")
            }
            let server = TestServer(process: process, port: port)
            do {
                try await server.waitForPort(seconds: 60)
            } catch {
                server.stop()
                throw error
            }
            guard process.isRunning else {
                throw TestServerError(
                    "moto_server exited with \(process.terminationStatus); install it with: pip install 'moto[server]'")
            }
            return server
        }
        defer { server.stop() }
        return try await body(server)
    }

    /// A counting semaphore for server starts.
    actor StartGate {
        static let shared = StartGate()
        static let limit = 3
        private var running = 0
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func withPermit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
            if running < Self.limit {
                running += 1
            } else {
                await withCheckedContinuation { waiting.append($0) }
            }
            defer {
                if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
            }
            return try await body()
        }
    }

    package func stop() {
        // SIGKILL: children inherit the test runner's blocked-signal mask, so SIGTERM may never arrive.
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private func waitForPort(seconds: Double = 10) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !process.isRunning { throw TestServerError("the server on port \(port) exited early") }
            if Self.canConnect(port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestServerError("nothing listened on 127.0.0.1:\(port) within \(seconds) s")
    }

    package static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A port the kernel just handed out and released (the usual small race is acceptable in tests).
    package static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 ? getsockname(fd, pointer, &length) : -1
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

package struct TestServerError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}

extension FileHandle {
    /// Reads until the first newline (blocking; used once at start-up).
    func availableLineOrWait() -> Data {
        var line = Data()
        while true {
            let chunk = readData(ofLength: 1)
            if chunk.isEmpty || chunk == Data("\n".utf8) { return line }
            line.append(chunk)
        }
    }
}
