import Foundation
import Logging
import StarfleetQueue
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS
@testable import StarfleetSQSQueue

/// What SQSQueue asks SQS for, read from a scripted endpoint that records every request: the long poll's wait and
/// visibility, FIFO and standard send entries, the clock's stamps on a message SQS sent without timestamps, argument
/// checks that never reach SQS, a throttled receive, and the caching of SQS's attributes on the manual clock.
@Suite(.timeLimit(.minutes(1))) struct SQSQueueRequestTests {
    /// A fake SQS (JSON protocol) that records each request's JSON body by action; `GET /requests/<Action>` returns
    /// them as a JSON array. ReceiveMessage answers one message with a receive count and no timestamps, or 400
    /// RequestThrottled for the queue named "throttled". GetQueueAttributes answers counts 3/2/1 and no RedrivePolicy.
    /// SendMessageBatch accepts every entry (MessageId "id-<Id>"); ChangeMessageVisibility and DeleteMessageBatch succeed.
    static let script = #"""
        import http.server, json, socketserver, threading, collections
        requests = collections.defaultdict(list); lock = threading.Lock()
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *a): pass
            def send(self, code, body, extra=()):
                body = body.encode()
                self.send_response(code); self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(body)))
                for k, v in extra: self.send_header(k, v)
                self.end_headers(); self.wfile.write(body)
            def do_GET(self):
                with lock: body = json.dumps(requests[self.path.split("/")[-1]])
                self.send(200, body)
            def do_POST(self):
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                action = self.headers["X-Amz-Target"].split(".")[-1]
                queue = data.get("QueueUrl", "").rsplit("/", 1)[-1]
                with lock: requests[action].append(data)
                if action == "GetQueueAttributes":
                    return self.send(200, json.dumps({"Attributes": {"ApproximateNumberOfMessages": "3",
                        "ApproximateNumberOfMessagesNotVisible": "2", "ApproximateNumberOfMessagesDelayed": "1"}}))
                if action == "ReceiveMessage" and queue == "throttled":
                    return self.send(400, '{"__type":"com.amazonaws.sqs#RequestThrottled","message":"slow down"}',
                                     [("x-amzn-query-error", "RequestThrottled;Sender")])
                if action == "ReceiveMessage":
                    return self.send(200, json.dumps({"Messages": [{"MessageId": "m1", "ReceiptHandle": "rh-1", "Body": "b",
                        "Attributes": {"ApproximateReceiveCount": "1"}}]}))
                if action == "SendMessageBatch":
                    ok = [{"Id": e["Id"], "MessageId": "id-" + e["Id"]} for e in data["Entries"]]
                    return self.send(200, json.dumps({"Successful": ok, "Failed": []}))
                if action == "DeleteMessageBatch":
                    return self.send(200, json.dumps({"Successful": [{"Id": e["Id"]} for e in data["Entries"]], "Failed": []}))
                if action == "ChangeMessageVisibility": return self.send(200, "{}")
                self.send(400, '{"__type":"com.amazonaws.sqs#UnsupportedOperation","message":"' + action + '"}')
        class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
        s = S(("127.0.0.1", 0), H); print(s.server_address[1], flush=True); s.serve_forever()
        """#

    /// The request fields the tests look at (SQS's JSON names).
    struct Recorded: Decodable {
        struct Entry: Decodable {
            var Id: String
            var MessageBody: String
            var DelaySeconds: Int?
            var MessageGroupId: String?
            var MessageDeduplicationId: String?
            var MessageAttributes: [String: [String: String]]?
            var MessageSystemAttributes: [String: [String: String]]?
        }
        var QueueUrl: String?
        var MaxNumberOfMessages: Int?
        var VisibilityTimeout: Int?
        var WaitTimeSeconds: Int?
        var AttributeNames: [String]?
        var Entries: [Entry]?
    }

    static func requests(_ server: TestServer, _ action: String) async throws -> [Recorded] {
        let response = try await HTTPClient(logger: Logger.quiet).request(
            method: "GET", url: "\(server.baseURL)/requests/\(action)")
        return try JSONDecoder().decode([Recorded].self, from: Data(response.text.utf8))
    }

    static func queue(
        _ server: TestServer, name: String = "q", clock: ManualClock, visibilityTimeout: Double = 300,
        messageGroup: @escaping @Sendable (OutgoingMessage) -> String = { _ in "g" }
    ) throws -> SQSQueue {
        // Nothing here writes a dead letter: the directory is never made.
        let options = SQSQueueOptions(
            visibilityTimeout: visibilityTimeout, deadLetters: DeadLetterDirectory(root: "/nonexistent/sqs-request-tests"),
            messageGroup: messageGroup, attributesTTL: 300, statsTTL: 10)
        return SQSQueue(
            name: "W", url: try SQSQueueURL.forTests(name),
            client: SQSClient.forTests(server, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.05)), options: options,
            clock: clock, logger: Logger.quiet)
    }

    @Test func receiveLongPollsForTheWaitRoundedUpAndHidesForTheQueueDefault() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let queue = try Self.queue(server, clock: ManualClock(), visibilityTimeout: 30.5)
            _ = try await queue.receive(max: 3, visibilityTimeout: nil, wait: 0.2)
            _ = try await queue.receive(max: 10, visibilityTimeout: 7, wait: 20)
            let receives = try await Self.requests(server, "ReceiveMessage")
            // A fractional wait still long-polls (SQS takes whole seconds; 0 would be a short poll that busy-loops).
            #expect(receives.map(\.WaitTimeSeconds) == [1, 20])
            #expect(receives.map(\.VisibilityTimeout) == [31, 7])
            #expect(receives.map(\.MaxNumberOfMessages) == [3, 10])
        }
    }

    @Test func aMessageSQSSentWithoutTimestampsIsStampedWithTheClock() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let clock = ManualClock()
            let queue = try Self.queue(server, clock: clock)
            let message = try #require(try await queue.receive(max: 1, visibilityTimeout: nil, wait: 0).first)
            #expect(message.messageId == "m1" && message.receiptHandle.rawValue == "rh-1" && message.body == "b")
            #expect(message.receiveCount == 1 && message.failures.isEmpty && message.deduplicationId == nil)
            #expect(message.sentTimestamp == clock.now() && message.firstReceiveTimestamp == clock.now())
        }
    }

    @Test func outOfRangeArgumentsAreRefusedBeforeAnyCallToSQS() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let queue = try Self.queue(server, clock: ManualClock())
            for (count, wait) in [(0, 0.0), (11, 0.0), (1, -1.0), (1, 20.5)] {
                let error = try await #require(throws: QueueError.self) {
                    try await queue.receive(max: count, visibilityTimeout: nil, wait: wait)
                }
                #expect(error.code == .invalidParameterValue, "max \(count), wait \(wait)")
            }
            for timeout in [-1.0, 43_201] {
                let error = try await #require(throws: QueueError.self) {
                    try await queue.changeVisibility(ReceiptHandle(rawValue: "rh-1"), timeout: timeout)
                }
                #expect(error.code == .invalidParameterValue, "timeout \(timeout)")
            }
            // A handle this process never received: there is no message to file a dead letter for.
            let error = try await #require(throws: QueueError.self) {
                try await queue.deadLetter(ReceiptHandle(rawValue: "rh-unknown"), failure: .exit3())
            }
            #expect(error.code == .receiptHandleIsInvalid)
            #expect(try await Self.requests(server, "ReceiveMessage").isEmpty)
            #expect(try await Self.requests(server, "ChangeMessageVisibility").isEmpty)
            #expect(try await Self.requests(server, "DeleteMessageBatch").isEmpty)
        }
    }

    @Test func aThrottledReceiveIsOneAttemptAndThrowsTheThrottle() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let queue = try Self.queue(server, name: "throttled", clock: ManualClock())
            let error = try await #require(throws: SQSError.self) {
                try await queue.receive(max: 1, visibilityTimeout: nil, wait: 0)
            }
            #expect(error.action == "ReceiveMessage" && error.code == "RequestThrottled" && error.status == 400)
            // The client would retry a throttle three times; a receive does not, so the consumer's loop (which waits
            // and tries again) keeps beating the watchdog.
            #expect(try await Self.requests(server, "ReceiveMessage").count == 1)
        }
    }

    @Test func fifoSendsCarryTheGroupAndADeduplicationIdAndNoDelay() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let queue = try Self.queue(
                server, name: "q.fifo", clock: ManualClock(), messageGroup: { $0.attributes["StarfleetAccount"] ?? "none" })
            let results = try await queue.send([
                OutgoingMessage(body: "a", attributes: ["StarfleetAccount": "1234 5678"], deduplicationId: "event/a"),
                OutgoingMessage(body: "b"),
                OutgoingMessage(body: "b"),
                OutgoingMessage(body: "c", delaySeconds: 5, deduplicationId: "event/c"),
            ])
            #expect(results.map(\.messageId) == ["id-m0", "id-m1", "id-m2", "id-m3"])
            #expect(results.allSatisfy { !$0.duplicate })
            let entries = try await Self.requests(server, "SendMessageBatch").flatMap { $0.Entries ?? [] }
            #expect(entries.map(\.Id) == ["m0", "m1", "m2", "m3"])
            // The group is the options' choice, made a valid FIFO token.
            #expect(entries.map(\.MessageGroupId) == ["1234_5678", "none", "none", "none"])
            #expect(entries[0].MessageDeduplicationId == "event/a" && entries[3].MessageDeduplicationId == "event/c")
            // Without an id of its own a message must not be deduplicated against another with the same body.
            let generated = [entries[1].MessageDeduplicationId, entries[2].MessageDeduplicationId]
            #expect(generated.allSatisfy { !($0 ?? "").isEmpty } && generated[0] != generated[1])
            // FIFO queues refuse a per-message delay.
            #expect(entries.allSatisfy { $0.DelaySeconds == nil })
        }
    }

    @Test func standardSendsCarryTheDelayAndNoFIFOIds() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let queue = try Self.queue(server, clock: ManualClock())
            _ = try await queue.send([
                OutgoingMessage(body: "now", deduplicationId: "event/now"), OutgoingMessage(body: "later", delaySeconds: 5),
            ])
            let entries = try await Self.requests(server, "SendMessageBatch").flatMap { $0.Entries ?? [] }
            #expect(entries.map(\.MessageBody) == ["now", "later"])
            #expect(entries.map(\.DelaySeconds) == [nil, 5])
            #expect(entries.allSatisfy { $0.MessageGroupId == nil && $0.MessageDeduplicationId == nil })
        }
    }

    @Test func aPayloadsTraceIsSentAsSQSsAWSTraceHeaderAndReadBack() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let queue = try Self.queue(server, clock: ManualClock())
            let header = "Root=1-6571a2b0-0123456789abcdef01234567;Sampled=0"
            _ = try await queue.send([
                OutgoingMessage(body: "{}", attributes: ["StarfleetAccount": "1", DeadLetter.traceAttribute: header])
            ])
            let entry = try #require(try await Self.requests(server, "SendMessageBatch").first?.Entries?.first)
            // SQS's own system attribute (it does not count toward the 10 attributes or the size), not a message attribute.
            #expect(entry.MessageSystemAttributes == ["AWSTraceHeader": ["DataType": "String", "StringValue": header]])
            #expect(entry.MessageAttributes == ["StarfleetAccount": ["DataType": "String", "StringValue": "1"]])
        }
        // Received, ours or another X-Ray-traced producer's header comes back under the attribute the daemon reads.
        let received = SQSMessage(
            messageId: "m", receiptHandle: "r", body: "{}", attributes: ["StarfleetAccount": "1"],
            systemAttributes: ["AWSTraceHeader": "Root=1-6571a2b0-0123456789abcdef01234567;Sampled=1"])
        #expect(
            SQSQueue.attributes(of: received) == [
                "StarfleetAccount": "1", DeadLetter.traceAttribute: "Root=1-6571a2b0-0123456789abcdef01234567;Sampled=1",
            ])
    }

    @Test func statsAreReadOncePerStatsTTLOnTheClock() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let clock = ManualClock()
            let queue = try Self.queue(server, clock: clock)
            func statsReads() async throws -> Int {
                try await Self.requests(server, "GetQueueAttributes").filter {
                    $0.AttributeNames?.contains("ApproximateNumberOfMessages") == true
                }.count
            }
            #expect(try await queue.stats() == QueueStats(visible: 3, inFlight: 2, delayed: 1))
            clock.advance(by: 9.9)
            #expect(try await queue.stats() == QueueStats(visible: 3, inFlight: 2, delayed: 1))
            #expect(try await statsReads() == 1)
            clock.advance(by: 0.1)
            _ = try await queue.stats()
            #expect(try await statsReads() == 2)
        }
    }

    @Test func theRedrivePolicyIsReadOncePerAttributesTTLOnTheClock() async throws {
        try await TestServer.withFaultServer(script: Self.script) { server in
            let clock = ManualClock()
            let queue = try Self.queue(server, clock: clock)
            func policyReads() async throws -> Int {
                try await Self.requests(server, "GetQueueAttributes").filter { $0.AttributeNames == ["RedrivePolicy"] }.count
            }
            _ = try await queue.receive(max: 1, visibilityTimeout: nil, wait: 0)
            clock.advance(by: 299)
            _ = try await queue.receive(max: 1, visibilityTimeout: nil, wait: 0)
            #expect(try await policyReads() == 1)
            clock.advance(by: 1)
            _ = try await queue.receive(max: 1, visibilityTimeout: nil, wait: 0)
            #expect(try await policyReads() == 2)
        }
    }
}
