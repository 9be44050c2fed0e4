import Foundation
import Logging
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS

/// The HTTP client against the fault server: bounded retries on 5xx / SlowDown / RequestTimeout, timeouts,
/// bodies cut short, the size cap, and clear errors.
@Suite struct HTTPClientFaultTests {
    static func client(attempts: Int = 3, timeout: Double = 2, maxBytes: Int = 1 << 20) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: attempts, baseDelay: 0.01, maxDelay: 0.05)
        configuration.timeout = timeout
        configuration.maxResponseBytes = maxBytes
        return HTTPClient(configuration: configuration, logger: Logger(label: "test"))
    }

    static func count(_ server: TestServer, _ key: String) async throws -> Int {
        Int(try await client().request(method: "GET", url: "\(server.baseURL)/count/\(key)").text) ?? -1
    }

    @Test func persistent500IsRetriedThreeTimesThenReturned() async throws {
        try await TestServer.withFaultServer { server in
            let response = try await Self.client().request(method: "GET", url: "\(server.baseURL)/status/500/a")
            #expect(response.status == 500)
            #expect(try await Self.count(server, "a") == 3)
            let error = response.error(method: "GET", url: "\(server.baseURL)/status/500/a?token=secret", attempts: 3)
            #expect(error.code == .httpStatus(500))
            #expect(!error.description.contains("secret"))
            #expect(error.description.contains("after 3 attempts"))
        }
    }

    @Test func transient503Recovers() async throws {
        try await TestServer.withFaultServer { server in
            let response = try await Self.client().request(method: "GET", url: "\(server.baseURL)/flaky/2/b")
            #expect(response.status == 200)
            #expect(response.text == "ok")
            #expect(try await Self.count(server, "b") == 3)
        }
    }

    @Test func notFoundIsNotRetried() async throws {
        try await TestServer.withFaultServer { server in
            let response = try await Self.client().request(method: "GET", url: "\(server.baseURL)/status/404/c")
            #expect(response.status == 404)
            #expect(try await Self.count(server, "c") == 1)
        }
    }

    @Test func slowDownIsRetriedAndReportedWithItsCode() async throws {
        try await TestServer.withFaultServer { server in
            let url = "\(server.baseURL)/slowdown/d"
            let response = try await Self.client().request(method: "PUT", url: url, body: Array("x".utf8))
            #expect(try await Self.count(server, "d") == 3)
            let error = response.error(method: "PUT", url: url, attempts: 3)
            #expect(error.code == .service(status: 503, awsCode: "SlowDown"))
            #expect(error.detail == "Please reduce your request rate.")
        }
    }

    @Test func requestTimeout400IsRetried() async throws {
        try await TestServer.withFaultServer { server in
            let response = try await Self.client().request(method: "GET", url: "\(server.baseURL)/reqtimeout/1/e")
            #expect(response.status == 200)
            #expect(try await Self.count(server, "e") == 2)
        }
    }

    @Test func hangTimesOutWithinBounds() async throws {
        try await TestServer.withFaultServer { server in
            let started = Date()
            let error = await #expect(throws: HTTPError.self) {
                _ = try await Self.client(attempts: 2, timeout: 0.5).request(method: "GET", url: "\(server.baseURL)/hang")
            }
            #expect(error?.code == .timeout)
            #expect(error?.attempts == 2)
            // Bounded, not hung (the server never answers); the exact time is the benchmark's business, not a
            // test's, on a shared 2-core machine.
            #expect(Date().timeIntervalSince(started) < 30)
        }
    }

    @Test func bodyCutShortIsANetworkError() async throws {
        try await TestServer.withFaultServer { server in
            let error = await #expect(throws: HTTPError.self) {
                _ = try await Self.client().request(method: "GET", url: "\(server.baseURL)/truncate")
            }
            #expect(error?.code == .network)
            #expect(error?.attempts == 3)
            #expect(error?.detail?.contains("curl 18") == true)
        }
    }

    @Test func oversizedBodyIsRefusedWithoutRetry() async throws {
        try await TestServer.withFaultServer { server in
            let error = await #expect(throws: HTTPError.self) {
                _ = try await Self.client(maxBytes: 1000).request(method: "GET", url: "\(server.baseURL)/big")
            }
            #expect(error?.code == .responseTooLarge)
            #expect(error?.attempts == 1)
        }
    }

    @Test func connectionRefusedIsANetworkError() async throws {
        let port = TestServer.freePort()
        let error = await #expect(throws: HTTPError.self) {
            _ = try await Self.client(attempts: 2).request(method: "GET", url: "http://127.0.0.1:\(port)/x")
        }
        #expect(error?.code == .network)
        #expect(error?.hint.isEmpty == false)
    }

    @Test func headersAndBodyGoOutAsGiven() async throws {
        try await TestServer.withFaultServer { server in
            let response = try await Self.client().request(
                method: "POST", url: "\(server.baseURL)/echo",
                headers: [("Content-Type", "application/x-amz-json-1.0"), ("X-Test", "yes")], body: Array("{}".utf8))
            #expect(response.status == 200)
            #expect(response.header("content-type") == "application/json")
            let echo = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            #expect(echo?["method"] as? String == "POST")
            #expect(echo?["body"] as? String == "{}")
            let headers = echo?["headers"] as? [String: String]
            #expect(headers?["X-Test"] == "yes")
            #expect(headers?["Expect"] == nil)
        }
    }

    @Test func parallelRequestsShareLanes() async throws {
        try await TestServer.withFaultServer { server in
            let client = Self.client()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await client.request(method: "GET", url: "\(server.baseURL)/flaky/0/p").status }
                }
                for try await status in group { #expect(status == 200) }
            }
            #expect(try await Self.count(server, "p") == 20)
        }
    }
}
