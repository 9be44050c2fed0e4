import HTTPTypes
import Hummingbird
import NIOCore
import StarfleetCore
import StarfleetHTTP

/// The console's defence against DNS rebinding: it answers only requests whose Host is its own address or a name the
/// operator listed (`STARFLEET.ConsoleHostNames`), and everything else gets 421 with no page and no token. A site can
/// make its own name resolve to 127.0.0.1 and have the operator's browser (or a local user's script) reach the console
/// through it; the browser then treats the console's pages as that site's, so the token and the `Origin` check no
/// longer tell them apart. The Host still names the attacker's site, and that is what is refused here.
struct ConsoleHosts: RouterMiddleware {
    typealias Context = PeerContext

    /// Where the console is bound: its loopback address and `localhost`, at its port, are its own names.
    let address: ConsoleAddress
    /// The listed names, read at each request so a reload that changes them applies at once.
    let listed: @Sendable () -> [ConsoleHostName]

    /// A request carrying a second Host header (HTTPTypes keeps the first as the authority, the rest as fields).
    static let host = HTTPField.Name.fixed("Host")

    /// Whether a request whose Host header is `host` (nil: none) is meant for this console. On a Unix socket with no
    /// names listed every Host is: only the proxy the operator set up can connect, and it sends whatever it was told.
    func allows(_ host: String?) -> Bool {
        let listed = listed()
        if case .unix = address, listed.isEmpty { return true }
        guard let host, case .success(let name) = ConsoleHostName.parse(host) else { return false }
        return (address.ownHostNames + listed).contains { $0.accepts(name) }
    }

    func handle(_ request: Request, context: PeerContext, next: (Request, PeerContext) async throws -> Response)
        async throws -> Response
    {
        guard request.headers[values: Self.host].isEmpty, allows(request.head.authority) else {
            // Plain text that names neither the Host received nor anything of the console's: nothing to read back.
            return Response(
                status: .misdirectedRequest,
                headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string:
                            "misdirected request: the Host header is not this console's address; a reverse proxy's name goes in STARFLEET.ConsoleHostNames\n"
                    )))
        }
        return try await next(request, context)
    }
}
