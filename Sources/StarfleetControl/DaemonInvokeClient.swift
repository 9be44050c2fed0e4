import FoundationEssentials
import Glibc
import StarfleetAWS
import StarfleetCore
import StarfleetDaemon

/// `starfleetctl invoke` through the running daemon's Invoke API (its Unix socket), so the worker runs where it
/// always runs: warm, with its configuration, secrets and siblings.
struct DaemonInvokeClient {
    let socket: String

    /// The daemon's socket when one answers: `<state>/run/invoke.sock`, `$RUNTIME_DIRECTORY/invoke.sock` or
    /// `/run/starfleetd/invoke.sock` (systemd's RuntimeDirectory=starfleetd).
    static func find(stateDirectory: String) -> DaemonInvokeClient? {
        var candidates = [StatePaths.invokeSocket(inRuntimeDirectory: StatePaths(stateDirectory).defaultRuntimeDirectory)]
        if let runtime = ProcessInfo.processInfo.environment[EnvironmentName.runtimeDirectory], !runtime.isEmpty {
            candidates.append(
                StatePaths.invokeSocket(inRuntimeDirectory: runtime.split(separator: ":").first.map(String.init) ?? runtime))
        }
        candidates.append(StatePaths.invokeSocket(inRuntimeDirectory: StatePaths.systemdRuntimeDirectory))
        for path in candidates where answers(path) { return DaemonInvokeClient(socket: path) }
        return nil
    }

    static func answers(_ path: String) -> Bool {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    enum Outcome {
        case result([UInt8])
        case functionError([UInt8])
        case queued(String)
    }

    func invoke(worker: String, payload: [UInt8], account: String?, region: String?, commit: Bool, async: Bool) async throws
        -> Outcome
    {
        var custom = PayloadAddress(account: account, region: region).attributes
        custom["StarfleetCommit"] = commit ? "true" : "false"
        let context = try JSONEncoder().encode(["custom": custom]).base64EncodedString()
        let http = HTTPClient(configuration: HTTPClient.Configuration(), logger: .init(label: "starfleetctl"))
        let request = HTTPRequest(
            method: "POST", url: "http://localhost/2015-03-31/functions/\(worker)/invocations",
            headers: [
                ("X-Amz-Invocation-Type", async ? "Event" : "RequestResponse"), ("X-Amz-Client-Context", context),
                ("Content-Type", "application/json"),
            ],
            body: payload, timeout: 15 * 60, unixSocketPath: socket)
        let response = try await http.send(request, retry: RetryPolicy.none)
        if response.status == 202 { return .queued(response.header("X-Amzn-Starfleet-Message-Id") ?? "") }
        guard response.status == 200 else {
            throw InvokeAPIError(status: response.status, body: String(decoding: response.body.prefix(2000), as: UTF8.self))
        }
        return response.header("X-Amz-Function-Error") != nil ? .functionError(response.body) : .result(response.body)
    }
}

extension DaemonInvokeClient {
    /// `POST /starfleet/workers/{name}/reload`: how many warm processes the daemon will replace.
    func reload(worker: String) async throws -> Int {
        let http = HTTPClient(configuration: HTTPClient.Configuration(), logger: .init(label: "starfleetctl"))
        let request = HTTPRequest(
            method: "POST", url: "http://localhost/starfleet/workers/\(worker)/reload", headers: [], body: [], timeout: 30,
            unixSocketPath: socket)
        let response = try await http.send(request, retry: RetryPolicy.none)
        guard response.status == 202 else {
            throw InvokeAPIError(status: response.status, body: String(decoding: response.body.prefix(2000), as: UTF8.self))
        }
        struct Body: Decodable { let processes: Int }
        return (try? JSONDecoder().decode(Body.self, from: Data(response.body)))?.processes ?? 0
    }
}

struct InvokeAPIError: Error, CustomStringConvertible {
    let status: Int
    let body: String
    var description: String { "the daemon's Invoke API answered \(status): \(body)" }
}
