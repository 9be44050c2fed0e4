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
        #expect(ledger.count(of: ConnectionPeer.unknown) == 2)
        _ = try first.finish()
        #expect(ledger.count(of: ConnectionPeer.unknown) == 1)
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

    /// Clients on another host (a metrics address that is not loopback) are counted by address, not in one bucket
    /// that any one of them could fill.
    @Test func remoteClientsAreCountedByTheirAddress() throws {
        let ledger = ConnectionLedger(endpoint: "test", policy: Self.policy(.everyone, perUser: 1), logger: Logger(label: "test"))
        let first = EmbeddedChannel(handler: ConnectionGuard(ledger: ledger))
        try first.connect(to: SocketAddress(ipAddress: "192.0.2.1", port: 9)).wait()
        let second = EmbeddedChannel(handler: ConnectionGuard(ledger: ledger))
        try second.connect(to: SocketAddress(ipAddress: "192.0.2.2", port: 9)).wait()
        let third = EmbeddedChannel(handler: ConnectionGuard(ledger: ledger))
        try third.connect(to: SocketAddress(ipAddress: "192.0.2.1", port: 10)).wait()
        #expect(first.isActive && second.isActive && !third.isActive)
        #expect(ledger.count(of: .remote("192.0.2.1")) == 1 && ledger.count(of: .remote("192.0.2.2")) == 1)
    }

    /// A client that stops reading its answer holds the connection for the body's time at most.
    @Test func aClientThatStopsReadingIsClosed() throws {
        let ledger = ConnectionLedger(endpoint: "test", policy: Self.policy(.everyone), logger: Logger(label: "test"))
        let channel = try Self.channel(ledger)
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }
}
