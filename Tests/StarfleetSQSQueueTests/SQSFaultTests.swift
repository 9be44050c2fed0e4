import Foundation
import Logging
import StarfleetClock
import StarfleetQueue
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS
@testable import StarfleetSQSQueue

/// SQSQueue against a scripted SQS that throttles, fails batch entries on its side, refuses entries, and answers an
/// authentication failure in XML: what is retried, what is not, and what the errors say.
@Suite struct SQSFaultTests {
    /// A fake SQS endpoint (JSON protocol). Per X-Amz-Target:
    ///   SendMessageBatch: 1st call 400 RequestThrottled; 2nd call the last entry fails with SenderFault false;
    ///     later calls succeed, except entries whose body is "refuse" (SenderFault true, InvalidMessageContents).
    ///   ReceiveMessage: 403 with moto's XML SignatureDoesNotMatch. GetQueueAttributes: no RedrivePolicy.
    ///   DeleteMessageBatch: receipt handles starting with "bad" fail with ReceiptHandleIsInvalid.
    ///   GET /count/<Action>: how many calls that action got.
    static let script = #"""
        import http.server, json, socketserver, sys, threading, collections
        counts = collections.Counter(); lock = threading.Lock()
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *a): pass
            def send(self, code, body, extra=(), ctype="application/x-amz-json-1.0"):
                body = body.encode()
                self.send_response(code); self.send_header("Content-Type", ctype); self.send_header("Content-Length", str(len(body)))
                for k, v in extra: self.send_header(k, v)
                self.end_headers(); self.wfile.write(body)
            def do_GET(self):
                self.send(200, str(counts[self.path.split("/")[-1]]), ctype="text/plain")
            def do_POST(self):
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                action = self.headers["X-Amz-Target"].split(".")[-1]
                with lock:
                    counts[action] += 1; n = counts[action]
                if action == "GetQueueAttributes": return self.send(200, json.dumps({"Attributes": {}}))
                if action == "ReceiveMessage":
                    return self.send(403, '<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>'
                                     '<Message>The request signature we calculated does not match.</Message></Error></ErrorResponse>',
                                     ctype="text/xml")
                if action == "SendMessageBatch":
                    if n == 1:
                        return self.send(400, '{"__type":"com.amazonaws.sqs#RequestThrottled","message":"slow down"}',
                                         [("x-amzn-query-error", "RequestThrottled;Sender")])
                    ok, failed = [], []
                    for i, e in enumerate(data["Entries"]):
                        if e["MessageBody"] == "refuse":
                            failed.append({"Id": e["Id"], "SenderFault": True, "Code": "InvalidMessageContents", "Message": "no"})
                        elif n == 2 and i == len(data["Entries"]) - 1:
                            failed.append({"Id": e["Id"], "SenderFault": False, "Code": "InternalError", "Message": "try again"})
                        else:
                            ok.append({"Id": e["Id"], "MessageId": "id-" + e["MessageBody"]})
                    return self.send(200, json.dumps({"Successful": ok, "Failed": failed}))
                if action == "DeleteMessageBatch":
                    ok = [{"Id": e["Id"]} for e in data["Entries"] if not e["ReceiptHandle"].startswith("bad")]
                    failed = [{"Id": e["Id"], "SenderFault": True, "Code": "ReceiptHandleIsInvalid", "Message": "invalid"}
                              for e in data["Entries"] if e["ReceiptHandle"].startswith("bad")]
                    return self.send(200, json.dumps({"Successful": ok, "Failed": failed}))
                self.send(400, '{"__type":"com.amazonaws.sqs#UnsupportedOperation","message":"' + action + '"}')
        class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
        s = S(("127.0.0.1", 0), H); print(s.server_address[1], flush=True); s.serve_forever()
        """#

    static func queue(_ server: TestServer) throws -> SQSQueue {
        // Nothing here dead-letters: the directory is never made.
        let deadLetters = DeadLetterDirectory(root: "/nonexistent/sqs-fault-tests")
        return SQSQueue(
            name: "W", url: try SQSQueueURL.forTests("q"),
            client: SQSClient.forTests(server, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.05)),
            options: SQSQueueOptions(deadLetters: deadLetters, messageGroup: { _ in "g" }), clock: SystemWallClock(),
            logger: Logger.quiet)
    }

    static func count(_ server: TestServer, _ action: String) async throws -> Int {
        let response = try await HTTPClient(logger: Logger(label: "test")).request(
            method: "GET", url: "\(server.baseURL)/count/\(action)")
        return Int(response.text) ?? -1
    }

    @Test func throttlingAndServiceSideEntryFailuresAreRetried() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let queue = try Self.queue(server)
            let results = try await queue.send((0..<3).map { OutgoingMessage(body: "b\($0)") })
            #expect(results.map(\.messageId) == ["id-b0", "id-b1", "id-b2"])
            // Throttled, then two of three entries, then the failed one alone.
            #expect(try await Self.count(server, "SendMessageBatch") == 3)
        }
    }

    @Test func entriesRefusedAsTheSendersFaultThrowAtOnce() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let queue = try Self.queue(server)
            _ = try await queue.send([OutgoingMessage(body: "warm-up")])  // spends the throttled first call
            let error = try await #require(throws: SQSError.self) {
                try await queue.send([OutgoingMessage(body: "ok"), OutgoingMessage(body: "refuse")])
            }
            #expect(error.code == "InvalidMessageContents" && error.status == 200)
            #expect(error.description.contains("1 of 2 entries failed"))
        }
    }

    @Test func concurrentDeletesShareDeleteMessageBatchCalls() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let queue = try Self.queue(server)
            let receipts = (0..<20).map { ReceiptHandle(rawValue: $0 % 5 == 0 ? "bad-\($0)" : "rh-\($0)") }
            let results = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for receipt in receipts { group.addTask { (receipt.rawValue, try await queue.delete(receipt)) } }
                return try await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(results.count == 20)
            #expect(results.allSatisfy { $0.value == !$0.key.hasPrefix("bad") })
            // Deletes made together go out together (at most 10 per call); how many rounds depends on scheduling.
            let calls = try await Self.count(server, "DeleteMessageBatch")
            #expect(calls >= 2 && calls < 20)
        }
    }

    @Test func xmlAuthenticationFailuresSurfaceAsClearErrors() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let queue = try Self.queue(server)
            let error = try await #require(throws: SQSError.self) {
                try await queue.receive(max: 1, visibilityTimeout: nil, wait: 0)
            }
            #expect(error.code == "SignatureDoesNotMatch" && error.status == 403)
            #expect(error.description.contains("check the access key, secret, region and the system clock"))
            #expect(try await Self.count(server, "ReceiveMessage") == 1)  // a refusal is not retried
        }
    }
}
