import Foundation
import Logging
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS

/// A long poll (a 20 s ReceiveMessage) against the fault server: it runs on a lane of its own, so a client with a
/// single shared lane still answers other requests while it waits, and cancelling its task ends it at once instead
/// of waiting out the 20 s.
@Suite struct HTTPLongPollTests {
    static func oneLaneClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.lanes = 1
        configuration.retry = RetryPolicy(maxAttempts: 1, baseDelay: 0.01, maxDelay: 0.05)
        configuration.timeout = 30
        return HTTPClient(configuration: configuration, logger: Logger(label: "test"))
    }

    /// Waits (by asking the server, a bounded number of times) until it holds the poll.
    static func waitUntilHeld(_ server: TestServer, key: String) async throws {
        for _ in 0..<2_000 where try await HTTPClientFaultTests.count(server, key) == 0 {}
        #expect(try await HTTPClientFaultTests.count(server, key) == 1)
    }

    @Test func aCancelledLongPollEndsPromptlyAndNeverHoldsTheSharedLane() async throws {
        try await TestServer.withFaultServer { server in
            let client = Self.oneLaneClient()
            var request = HTTPRequest(method: "GET", url: "\(server.baseURL)/hold/p", timeout: 25)
            request.isLongPoll = true
            let poll = Task { try await client.send(request) }
            try await Self.waitUntilHeld(server, key: "p")

            // The only shared lane is free while the poll waits.
            let quick = try await client.request(method: "GET", url: "\(server.baseURL)/status/200/q")
            #expect(quick.status == 200)

            let cancelledAt = ContinuousClock.now
            poll.cancel()
            await #expect(throws: CancellationError.self) { _ = try await poll.value }
            // curl looks at the flag about once a second while it waits; the server would answer after 20 s.
            #expect(ContinuousClock.now - cancelledAt < .seconds(5))
            #expect(client.pollLanesMade == 1)
        }
    }

    @Test func pollLanesAreReusedAndOneIsMadePerPollInFlight() async throws {
        try await TestServer.withFaultServer { server in
            let client = Self.oneLaneClient()
            func poll(_ key: String) -> Task<HTTPResponse, any Error> {
                var request = HTTPRequest(method: "GET", url: "\(server.baseURL)/hold/\(key)", timeout: 25)
                request.isLongPoll = true
                return Task { try await client.send(request) }
            }
            let first = poll("a")
            let second = poll("b")
            try await Self.waitUntilHeld(server, key: "a")
            try await Self.waitUntilHeld(server, key: "b")
            #expect(client.pollLanesMade == 2)
            first.cancel()
            second.cancel()
            _ = await (first.result, second.result)
            let third = poll("c")
            try await Self.waitUntilHeld(server, key: "c")
            third.cancel()
            _ = await third.result
            #expect(client.pollLanesMade == 2)
        }
    }
}
