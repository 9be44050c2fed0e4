/// A value of an HTTP `Host` header as the console compares it: one entry of `STARFLEET.ConsoleHostNames` (a name a
/// reverse proxy or tunnel forwards with, `starfleet.example.com` or `starfleet.example.com:8443`), one of the
/// console's own addresses, or a request's Host. The console answers only requests whose Host is one of its own
/// addresses or a listed name: a page a browser loaded from an attacker's name that later resolves to 127.0.0.1 (DNS
/// rebinding) still sends that name, and is refused.
package struct ConsoleHostName: Sendable, Hashable, CustomStringConvertible {
    /// Lowercased (names are case-insensitive), without a trailing dot (`example.com.` is `example.com`), an IPv6
    /// literal without its brackets.
    package var host: String
    /// nil: none written; a listed name without a port accepts every port.
    package var port: UInt16?

    package init(host: String, port: UInt16?) {
        self.host = host
        self.port = port
    }

    package var description: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(shown):\($0)" } ?? shown
    }

    /// Whether a request whose Host is `request` is meant for this name. A request without a port used the scheme's
    /// default, 80 or 443 (the console cannot tell which behind a proxy).
    package func accepts(_ request: ConsoleHostName) -> Bool {
        guard request.host == host else { return false }
        guard let port else { return true }
        return request.port.map { $0 == port } ?? (port == 80 || port == 443)
    }

    /// Parses `host`, `host:port`, `[v6]` or `[v6]:port`: a DNS name (letters, digits and `-` in dot-separated labels),
    /// an IPv4 or a bracketed IPv6 literal; a port 1–65535. Nothing else (no scheme, path, wildcard or space).
    package static func parse(_ text: String) -> Result<ConsoleHostName, MetricsAddressError> {
        guard !text.isEmpty else { return .failure(.init("the name is empty")) }
        guard !text.contains("/") else {
            return .failure(.init("a host name or host:port, not a URL: write starfleet.example.com, not https://…/"))
        }
        let hostText: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(.init("an IPv6 address ends with ]")) }
            hostText = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return .failure(.init("expected :port after the IPv6 address")) }
                portText = rest.dropFirst()
            }
            guard MetricsAddress.isIPv6(hostText) else { return .failure(.init("\"\(hostText)\" is not an IPv6 address")) }
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return .failure(.init("an IPv6 address goes in brackets: [::1]:8080")) }
            hostText = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
        }
        var port: UInt16?
        if let portText {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(portText), (1...65_535).contains(n) else {
                return .failure(.init("\"\(portText)\" is not a port (1-65535)"))
            }
            port = UInt16(n)
        }
        var host = hostText.lowercased()
        if text.hasPrefix("[") { return .success(ConsoleHostName(host: host, port: port)) }
        if host.hasSuffix(".") { host.removeLast() }
        guard isDNSName(host) || MetricsAddress.isIPv4(Substring(host)) else {
            return .failure(
                .init(
                    "\"\(hostText)\" is not a host name (letters, digits and '-' in labels of 1 to 63, separated by dots)"))
        }
        return .success(ConsoleHostName(host: host, port: port))
    }

    /// RFC 1123: labels of 1–63 letters, digits and hyphens, not starting or ending with one; at most 253 in all.
    static func isDNSName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.utf8.allSatisfy { c in
                    (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D
                }
        }
    }
}
