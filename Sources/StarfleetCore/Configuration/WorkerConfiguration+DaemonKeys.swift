extension Configuration {
    /// The daemon's own worker keys: concurrency, queue timings, retry, commit, and a process worker's command.
    static func readDaemonKeys(
        _ node: Node, name: String, directory: String, into w: inout WorkerConfiguration, _ v: inout Validator
    ) {
        func path(_ k: String) -> String { "\(name).\(k)" }
        if let n = node["Concurrency"] { w.concurrency = v.int(n, path("Concurrency"), range: 1...256) ?? w.concurrency }
        if let n = node["VisibilityTimeoutSeconds"] {
            w.visibilityTimeoutSeconds =
                v.int(n, path("VisibilityTimeoutSeconds"), range: 1...43_200) ?? w.visibilityTimeoutSeconds
        }
        if let n = node["MaxReceiveCount"] {
            w.maxReceiveCount = v.int(n, path("MaxReceiveCount"), range: 1...1000) ?? w.maxReceiveCount
        }
        // A run must end before its message becomes visible again, or a second copy would start beside it.
        w.timeoutSeconds = max(1, w.visibilityTimeoutSeconds * 9 / 10)
        if let n = node["TimeoutSeconds"], let t = v.int(n, path("TimeoutSeconds"), range: 1...43_200) {
            if t >= w.visibilityTimeoutSeconds {
                v.error(
                    n, path("TimeoutSeconds"),
                    "\(t) s is not shorter than the visibility timeout (\(w.visibilityTimeoutSeconds) s)",
                    hint:
                        "a run must finish before its message is handed out again: lower TimeoutSeconds or raise VisibilityTimeoutSeconds"
                )
            } else {
                w.timeoutSeconds = t
            }
        }
        if let n = node["Backoff"] { w.backoff = readBackoff(n, path("Backoff"), into: &v) ?? w.backoff }
        if let n = node["Commit"] { w.commit = v.bool(n, path("Commit")) ?? false }
        (w.runHistoryMaxRuns, w.runHistoryMaxAgeDays) = readRunHistoryKeys(node, name, into: &v)
        if let n = node["Command"] {
            let argv = (v.stringList(n, path("Command"), length: 1...4096) ?? []).map(\.0)
            if n.sequence?.isEmpty == true {
                v.error(
                    n, path("Command"), "the command is empty",
                    hint: "e.g. Command: [\"/usr/libexec/starfleet/audit.py\", \"--verbose\"]")
            } else if !argv.isEmpty {
                // A path with a slash is relative to the configuration directory; a bare name is looked up in PATH.
                w.command = argv.map { isRelativePath($0) ? resolve($0, against: directory) : $0 }
            }
        }
        if let n = node["FanOutStrategy"], let text = v.string(n, path("FanOutStrategy")) {
            if let strategy = FanOutStrategy(rawValue: text) {
                w.fanOutStrategy = strategy
            } else {
                v.error(
                    n, path("FanOutStrategy"), "\"\(text)\" is not a fan-out strategy",
                    hint: "expected one of \(FanOutStrategy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
    }

    /// An argument that names a file relative to the configuration directory: it has a slash, and is neither
    /// absolute, an option (`-x`, `--out=a/b`), a URL, an assignment, nor text with whitespace or shell syntax (the
    /// script of `sh -c "… > /tmp/out"` is not a path, and rewriting it would break it).
    static func isRelativePath(_ argument: String) -> Bool {
        argument.contains("/") && !argument.hasPrefix("/") && !argument.hasPrefix("-") && !argument.contains("://")
            && !argument.contains("=") && !argument.contains(where: { $0.isWhitespace || shellSyntax.contains($0) })
    }

    /// Characters a file name rarely has and a script usually does (a path with a space must be written absolute).
    static let shellSyntax: Set<Character> = [";", "|", "&", "<", ">", "$", "`", "'", "\"", "\\"]

    static func readBackoff(_ node: Node, _ path: String, into v: inout Validator) -> BackoffPolicy? {
        guard let entries = v.mapping(node, path) else { return nil }
        v.rejectUnknownKeys(entries, known: ["InitialSeconds", "MaxSeconds", "Multiplier"], path)
        var policy = BackoffPolicy()
        if let n = node["InitialSeconds"] {
            policy.initialSeconds = Double(v.int(n, "\(path).InitialSeconds", range: 0...43_200) ?? 10)
        }
        if let n = node["MaxSeconds"] { policy.maxSeconds = Double(v.int(n, "\(path).MaxSeconds", range: 0...43_200) ?? 300) }
        if let n = node["Multiplier"] {
            switch n.value {
            case .int(let i) where (1...10).contains(i): policy.multiplier = Double(i)
            case .double(let d) where (1...10).contains(d): policy.multiplier = d
            default: v.error(n, "\(path).Multiplier", "expected a number from 1 to 10, found \(Validator.describe(n))")
            }
        }
        if policy.maxSeconds < policy.initialSeconds {
            v.error(node, path, "MaxSeconds (\(Int(policy.maxSeconds))) is below InitialSeconds (\(Int(policy.initialSeconds)))")
        }
        return policy
    }
}
