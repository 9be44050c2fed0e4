package import Hummingbird
package import NIOCore

/// A request context that knows its connection: the endpoints only the daemon's own workers may use ask who is on
/// the other end (``LoopbackPeer``), once per connection.
package struct PeerContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    package let channel: any Channel

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Lambda's synchronous payload limit (6 MB), above Hummingbird's default of 2 MB.
    package var maxUploadSize: Int { 6 * 1024 * 1024 }
}
