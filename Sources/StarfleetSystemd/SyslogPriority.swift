package import Logging

extension Logger.Level {
    /// The syslog priority (0 emerg … 7 debug) journald and the `<N>` stderr prefix use.
    /// swift-log has no emerg/alert, and both its trace and debug are syslog debug.
    package var syslogPriority: Int {
        switch self {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}

extension LogEvent {
    /// The metadata to print: the handler's, overlaid by its provider's, overlaid by the call site's
    /// (the same precedence as swift-log's StreamLogHandler).
    func mergedMetadata(handler: Logger.Metadata, provider: Logger.MetadataProvider?) -> Logger.Metadata {
        var merged = handler
        if let provided = provider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        if let error { merged["error"] = "\(error)" }
        return merged
    }
}
