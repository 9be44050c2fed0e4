import Foundation
import Testing

/// A tiny webhook receiver for alert tests: a Python HTTP server on a free 127.0.0.1 port that appends every
/// POST (path, headers, body) as one JSON line to a file and answers by path: `/fail…` 500, `/refuse…` Slack's
/// `{"ok": false}`, anything else 200 (`{"ok": true}` for Slack API paths). Killed when the test ends.
final class WebhookRecorder: @unchecked Sendable {
    let process: Process
    let port: Int
    let log: String
    var baseURL: String { "http://127.0.0.1:\(port)" }

    static let script = #"""
        import json, sys
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        log = sys.argv[1]
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with open(log, "a") as f:
                    f.write(json.dumps({"path": self.path, "headers": dict(self.headers), "body": body.decode()}) + "\n")
                if self.path.startswith("/fail"):
                    status, reply = 500, b"boom"
                elif self.path.startswith("/refuse"):
                    status, reply = 200, b'{"ok": false, "error": "channel_not_found"}'
                else:
                    status, reply = 200, b'{"ok": true}'
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            def log_message(self, *args):
                pass
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    private init(process: Process, port: Int, log: String) {
        self.process = process
        self.port = port
        self.log = log
    }

    static func with<T>(_ body: (WebhookRecorder) async throws -> T) async throws -> T {
        let log = NSTemporaryDirectory() + "webhook-\(UUID().uuidString).jsonl"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, log]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while true {
            let chunk = stdout.fileHandleForReading.readData(ofLength: 1)
            if chunk.isEmpty || chunk == Data("\n".utf8) { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw RecorderError(description: "the webhook recorder did not print its port; is python3 installed?")
        }
        let recorder = WebhookRecorder(process: process, port: port, log: log)
        defer {
            // SIGKILL: children inherit the test runner's blocked-signal mask, so SIGTERM may never arrive.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: log)
        }
        return try await body(recorder)
    }

    struct Request: Decodable {
        let path: String
        let headers: [String: String]
        let body: String

        /// The posted JSON.
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
        /// The `starfleet` fields of an alert.
        var fields: [String: Any] { json["starfleet"] as? [String: Any] ?? [:] }
    }

    /// Every request received so far, in order.
    func requests() -> [Request] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }
}

struct RecorderError: Error, CustomStringConvertible {
    let description: String
}
