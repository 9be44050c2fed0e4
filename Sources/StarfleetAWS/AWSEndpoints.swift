/// Where a service lives: `AWS_ENDPOINT_URL_<SERVICE>` → `AWS_ENDPOINT_URL` → the public AWS endpoint, with
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turning overrides off (botocore's order, minus the config file's
/// `services` sections). An override forces S3 path-style addressing, which local peers such as moto need.
package struct AWSEndpoint: Sendable, Equatable {
    /// `http` or `https`.
    package var scheme: String
    /// Host with `:port` when not the default.
    package var host: String
    /// A path prefix from the override (usually empty), without a trailing `/`.
    package var basePath: String
    /// True when the endpoint came from an override (then S3 uses path style).
    package var isOverride: Bool

    package init(scheme: String, host: String, basePath: String = "", isOverride: Bool) {
        self.scheme = scheme
        self.host = host
        self.basePath = basePath
        self.isOverride = isOverride
    }

    /// Parses `scheme://host[:port][/path]`; `nil` when it is not that shape.
    package init?(url: String, isOverride: Bool = true) {
        let parts = url.split(separator: "://", maxSplits: 1)
        guard parts.count == 2, parts[0] == "http" || parts[0] == "https" else { return nil }
        let rest = parts[1]
        let host = rest.prefix { $0 != "/" }
        guard !host.isEmpty else { return nil }
        var path = String(rest.dropFirst(host.count))
        while path.hasSuffix("/") { path.removeLast() }
        self.init(scheme: String(parts[0]), host: String(host), basePath: path, isOverride: isOverride)
    }

    /// Resolves the endpoint for `service` (`s3`, `sqs`, `sts`, `organizations`) in `region`.
    package static func resolve(service: String, region: String, environment: [String: String]) -> AWSEndpoint {
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            let specific = "AWS_ENDPOINT_URL_" + service.uppercased().replacingAll(" ", with: "_")
            for name in [specific, "AWS_ENDPOINT_URL"] {
                if let value = environment[name], !value.isEmpty, let endpoint = AWSEndpoint(url: value) {
                    return endpoint
                }
            }
        }
        let host: String
        switch service {
        case "organizations": host = "organizations.us-east-1.amazonaws.com"
        case "s3" where region == "us-east-1": host = "s3.amazonaws.com"
        default: host = "\(service).\(region).amazonaws.com"
        }
        return AWSEndpoint(scheme: "https", host: host, isOverride: false)
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
