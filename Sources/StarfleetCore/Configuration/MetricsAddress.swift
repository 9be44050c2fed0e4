/// `STARFLEET.MetricsAddress`: where the daemon serves Prometheus metrics (`/metrics`), as `host:port`.
/// The host is an IPv4 literal, a bracketed IPv6 literal or `localhost`; the port 1–65535. Off when absent.
package struct MetricsAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host without brackets (`127.0.0.1`, `::1`, `localhost`).
    package var host: String
    package var port: UInt16

    package init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether only this machine can connect (127.0.0.0/8, ::1, localhost).
    package var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }

    /// Parses `host:port`; nil with the reason when it is not one.
    package static func parse(_ text: String) -> Result<MetricsAddress, MetricsAddressError> {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(.init("an IPv6 host is written in brackets: [::1]:9464"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard isIPv6(host) else { return .failure(.init("\"\(host)\" is not an IPv6 address")) }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .failure(.init("expected host:port, e.g. 127.0.0.1:9464")) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.isEmpty else {
                return .failure(
                    .init(
                        "the host is missing: write 127.0.0.1:\(portText) (this machine) or 0.0.0.0:\(portText) (every interface)"
                    ))
            }
            guard host == "localhost" || isIPv4(host) else {
                return .failure(.init("\"\(host)\" is not an IPv4 address or localhost (IPv6 goes in brackets: [::1]:9464)"))
            }
        }
        guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), (1...65_535).contains(port) else {
            return .failure(.init("\"\(portText)\" is not a port (1-65535)"))
        }
        return .success(MetricsAddress(host: String(host), port: UInt16(port)))
    }

    static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { p in
                !p.isEmpty && p.count <= 3 && p.allSatisfy { $0.isASCII && $0.isNumber } && (Int(p) ?? 256) <= 255
            }
    }

    static func isIPv6(_ text: Substring) -> Bool {
        !text.isEmpty && text.contains(":") && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
            && text.split(separator: ":", omittingEmptySubsequences: false).count <= 8
    }
}

package struct MetricsAddressError: Error, Sendable, Hashable {
    package let reason: String
    init(_ reason: String) { self.reason = reason }
}
