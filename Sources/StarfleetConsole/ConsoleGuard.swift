import StarfleetCore

/// The console's protection against cross-site requests. The console has no login (only this machine, or a proxy
/// that authenticates, reaches it), so a page of another site open in the operator's browser could otherwise post a
/// form to it: every POST must carry the daemon's random token, which only the console's own pages contain, and when
/// the browser says where the request comes from (`Sec-Fetch-Site`, `Origin`) that must be this console.
struct ConsoleGuard: Sendable {
    /// 32 random bytes in hex, new at every daemon start.
    let token: String
    /// The Hosts the console answers: an `Origin` must name one of them as well as the request's own Host.
    let hosts: ConsoleHosts

    init(token: String, hosts: ConsoleHosts) {
        self.token = token
        self.hosts = hosts
    }

    init(hosts: ConsoleHosts) {
        self.hosts = hosts
        var generator = SystemRandomNumberGenerator()
        token = (0..<32).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
    }

    /// Why a POST is refused, or nil when it may go on. `host` is the request's Host header.
    func refusal(formToken: String?, origin: String?, fetchSite: String?, host: String?) -> String? {
        if let fetchSite, fetchSite != "same-origin", fetchSite != "none" {
            return "a cross-site request (Sec-Fetch-Site: \(fetchSite))"
        }
        if let origin, origin != "null" || fetchSite == nil {
            // Behind a proxy the Host may be rewritten; the browser's own Origin must still name the Host it sent, and
            // that must be one the console answers (a rebinding site's Origin matches its Host, and both are refused).
            let originHost = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
            let named = originHost.flatMap { try? ConsoleHostName.parse($0).get() }
            let sent = host.flatMap { try? ConsoleHostName.parse($0).get() }
            guard let named, named == sent, let originHost, hosts.allows(originHost) else {
                return "a request from another origin (\(origin))"
            }
        }
        guard let formToken, Self.constantTimeEqual(formToken, token) else { return "the console's token is missing or wrong" }
        return nil
    }

    /// Compares without stopping at the first difference, so the time taken says nothing about the token.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
