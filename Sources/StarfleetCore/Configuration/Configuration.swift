/// One parsed configuration file, as the loader reads them: the file's name and its document (nil when empty).
package struct ConfigurationDocument: Sendable {
    package var file: String
    package var root: Node?
    package init(file: String, root: Node?) {
        self.file = file
        self.root = root
    }
}

/// The whole configuration: Starfleet's directory of YAML files merged by top-level section, validated, with
/// defaults applied.
package struct Configuration: Sendable {
    package var starfleet: StarfleetSettings
    /// Workers in declaration order (files sorted by name, then order within a file): "first matching worker"
    /// for an S3 key means first in this order.
    package var workers: [WorkerConfiguration]
    package var accountIndex: AccountIndexSource
    /// Every top-level section as written, by name (workers read their own keys from here).
    package var sections: [String: Node]
    /// The directory the files came from; relative paths in them are resolved against it.
    package var directory: String

    package init(
        starfleet: StarfleetSettings, workers: [WorkerConfiguration], accountIndex: AccountIndexSource,
        sections: [String: Node], directory: String
    ) {
        self.starfleet = starfleet
        self.workers = workers
        self.accountIndex = accountIndex
        self.sections = sections
        self.directory = directory
    }

    package func worker(named name: String) -> WorkerConfiguration? { workers.first { $0.name == name } }

    package var enabledWorkers: [WorkerConfiguration] { workers.filter(\.enabled) }

    /// Starfleet's S3 routing: the first enabled, S3-sourced worker whose TemplatePrefix matches the key.
    /// Keys that do not end in `.yaml` are not templates (case-sensitive, `.yml` ignored, as in Starfleet).
    package func worker(forTemplateKey key: String) -> WorkerConfiguration? {
        guard key.hasSuffix(".yaml") else { return nil }
        return workers.first { $0.enabled && $0.invocationSources.contains(.s3) && $0.matches(templateKey: key) }
    }

    /// Starfleet's timed routing: every enabled worker with EVENTBRIDGE_TIMED_EVENT and exactly this schedule.
    package func workers(taskedBy schedule: Schedule) -> [WorkerConfiguration] {
        workers.filter { $0.isTasked(by: schedule) }
    }

    /// The distinct schedules of enabled timed workers, each fired once per boundary.
    package var schedules: [Schedule] {
        var seen: [Schedule] = []
        for worker in enabledWorkers where worker.invocationSources.contains(.eventBridgeTimedEvent) {
            if let s = worker.schedule, !seen.contains(s) { seen.append(s) }
        }
        return seen
    }

    /// `path` made absolute against the configuration directory.
    package static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") { return path }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return relative.isEmpty ? base : "\(base)/\(relative)"
    }
}

extension Configuration {
    package static let defaultDirectory = "/etc/starfleetd"
    package static let defaultStateDirectory = "/var/lib/starfleetd"

    /// The state directory: the command line, then `$STATE_DIRECTORY` (what systemd's StateDirectory= sets, and the
    /// only place the sandbox lets the daemon write), then `STARFLEET.StateDirectory`, then /var/lib/starfleetd.
    /// systemd may list several directories separated by colons; the first is ours.
    package func stateDirectory(flag: String?, environment: String?) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment?.split(separator: ":").first, !env.isEmpty { return String(env) }
        return starfleet.stateDirectory ?? Configuration.defaultStateDirectory
    }

    /// The local account index file, when the index is local: the configured path or `<state>/accountIndex.json`.
    package func localAccountIndexPath(stateDirectory: String) -> String? {
        guard case .local(let path) = accountIndex else { return nil }
        return path ?? "\(stateDirectory)/accountIndex.json"
    }

    /// The S3-style key of a file under the template directory (its relative path), or nil when the path is not
    /// inside it or climbs out of it with `..`.
    package func templateKey(forPath path: String) -> String? {
        let base = starfleet.templateDirectory.hasSuffix("/") ? starfleet.templateDirectory : starfleet.templateDirectory + "/"
        guard path.hasPrefix(base) else { return nil }
        let key = String(path.dropFirst(base.count))
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !parts.contains(".."), !parts.contains(""), !parts.contains(".") else { return nil }
        return key
    }
}
