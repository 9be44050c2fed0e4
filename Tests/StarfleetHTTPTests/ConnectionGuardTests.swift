import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import StarfleetHTTP

/// The guard on an embedded channel: its time is the event loop's, moved by hand.
@Suite struct ConnectionGuardTests {
    static func policy(_ admission: ConnectionPolicy.Admission, perUser: Int = 4) -> ConnectionPolicy {
        ConnectionPolicy(admission: admission, perUserConnections: perUser, headTimeout: .seconds(5), bodyTimeout: .seconds(10))
    }

    static func channel(_ ledger: ConnectionLedger) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: ConnectionGuard(ledger: ledger))
        // No local address: the owner cannot be found, as for a client that closed at once.
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        return channel
    }

    @Test func aListenerForSomeUsersClosesAConnectionWhoseOwnerIsUnknown() throws {
        let ledger = ConnectionLedger(endpoint: "test", policy: Self.policy(.users([12345])), logger: Logger(label: "test"))
        let channel = try Self.channel(ledger)
        #expect(!channel.isActive)
    }

    @Test func eachUserHoldsAtMostItsShareOfConnections() throws {
        let ledger = ConnectionLedger(endpoint: "test", policy: Self.policy(.everyone, perUser: 2), logger: Logger(label: "test"))
        let first = try Self.channel(ledger)
        let second = try Self.channel(ledger)
        let third = try Self.channel(ledger)
        #expect(first.isActive && second.isActive && !third.isActive)
        #expect(ledger.count(of: ConnectionLedger.unknownPeer) == 2)
        _ = try first.finish()
        #expect(ledger.count(of: ConnectionLedger.unknownPeer) == 1)
        #expect(try Self.channel(ledger).isActive)
    }

    @Test func aBodyThatDoesNotArriveInTimeClosesTheConnection() throws {
        let ledger = ConnectionLedger(endpoint: "test", policy: Self.policy(.everyone), logger: Logger(label: "test"))
        let channel = try Self.channel(ledger)
        let head = HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/")
        try channel.writeInbound(HTTPRequestPart.head(head))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "slow")))
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func aWholeRequestStopsTheBodyClock() throws {
        let ledger = ConnectionLedger(endpoint: "test", policy: Self.policy(.everyone), logger: Logger(label: "test"))
        let channel = try Self.channel(ledger)
        let head = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/2018-06-01/runtime/invocation/next")
        try channel.writeInbound(HTTPRequestPart.head(head))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        // A long poll: answered hours later, never cut by the body clock.
        channel.embeddedEventLoop.advanceTime(by: .seconds(3600))
        #expect(channel.isActive)
    }
}
