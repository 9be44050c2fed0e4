import FoundationEssentials

extension Configuration {
    /// Reads one worker section: Starfleet's base schema (`WorkerShipBaseConfigurationTemplate`), with its
    /// documented-only rule enforced (a timed worker needs a frequency), plus the daemon's keys and defaults.
    static func readWorker(name: String, key: Node, _ node: Node, directory: String, into v: inout Validator)
        -> WorkerConfiguration?
    {
        guard let entries = v.mapping(node, name) else { return nil }
        let before = v.diagnostics.count
        v.rejectDuplicateKeys(entries, name)
        if name == starbaseQueueName {
            v.error(key, name, "\(name) is the Starbase's own queue; a worker cannot have that name")
        }
        // A worker name becomes a queue name and a dead-letter folder: the one rule is `WorkerName`'s.
        do { _ = try WorkerName(validating: name) } catch {
            v.error(key, name, "not a valid worker name: \(error.problem)", hint: WorkerName.rule)
        }
        var w = WorkerConfiguration(
            name: name, enabled: false, templatePrefix: "", invocationQueueUrl: nil, invocationSources: [], schedule: nil,
            alert: nil,
            concurrency: WorkerConfiguration.defaultConcurrency,
            visibilityTimeoutSeconds: WorkerConfiguration.defaultVisibilityTimeout,
            timeoutSeconds: 0, maxReceiveCount: WorkerConfiguration.defaultMaxReceiveCount, backoff: BackoffPolicy(),
            commit: false,
            command: nil, fanOutStrategy: nil, mark: key.mark, section: node)
        func path(_ k: String) -> String { "\(name).\(k)" }
        func required(_ k: String) -> Node? {
            if let n = node[k] { return n }
            v.error(key, path(k), "Missing data for required field.")
            return nil
        }

        w.enabled = required("Enabled").flatMap { v.bool($0, path("Enabled")) } ?? false
        w.templatePrefix = required("TemplatePrefix").flatMap { v.string($0, path("TemplatePrefix"), length: 1...1024) } ?? ""
        if let n = node["InvocationQueueUrl"] { w.invocationQueueUrl = httpsURL(n, path("InvocationQueueUrl"), into: &v) }
        if let n = required("InvocationSources") {
            for (text, item) in v.stringList(n, path("InvocationSources")) ?? [] {
                if let source = InvocationSource(rawValue: text) {
                    w.invocationSources.insert(source)
                } else {
                    v.error(
                        item, path("InvocationSources"), "\"\(text)\" is not an invocation source",
                        hint: "expected one of \(InvocationSource.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
        }
        if let n = node["EventBridgeTimedFrequency"], let text = v.string(n, path("EventBridgeTimedFrequency")) {
            do throws(ScheduleError) {
                let schedule = try Schedule(parsing: text)
                w.schedule = schedule
                if schedule.nextFire(after: Date(timeIntervalSince1970: 0)) == nil {
                    v.warning(
                        n, path("EventBridgeTimedFrequency"), "\(schedule) never fires",
                        hint: "check the day-of-month and month fields")
                }
            } catch {
                v.error(n, path("EventBridgeTimedFrequency"), error.message, hint: error.hint)
            }
        }
        if w.invocationSources.contains(.eventBridgeTimedEvent) && node["EventBridgeTimedFrequency"] == nil {
            v.error(
                key, path("EventBridgeTimedFrequency"),
                "A EventBridgeTimedFrequency is required when specifying an invocation event of EVENTBRIDGE_TIMED_EVENT.",
                hint: "e.g. EventBridgeTimedFrequency: HOURLY")
        }
        if let n = node["StarbaseInvocationTopicArn"] { _ = v.string(n, path("StarbaseInvocationTopicArn")) }
        if let n = node["AlertConfiguration"] { w.alert = readAlert(n, path("AlertConfiguration"), into: &v) }

        readDaemonKeys(node, name: name, directory: directory, into: &w, &v)
        readProcessKeys(node, key: key, name: name, directory: directory, into: &w, &v)
        readAsyncKeys(node, name: name, into: &w, &v)
        readSQSTriggerKeys(node, name: name, into: &w, &v)
        if w.runsOutOfProcess, let handler = w.process.handler, let declared = StarfleetShipHandlers.strategies[handler] {
            // One of Starfleet's own ships: its class declares the strategy, as Starfleet's configurations assume.
            if let configured = w.fanOutStrategy, configured != declared {
                v.error(
                    node["FanOutStrategy"] ?? key, path("FanOutStrategy"),
                    "\(configured.rawValue) differs from the ship's own strategy, \(declared.rawValue)",
                    hint: "remove the key (Starfleet's ships declare their strategy in their class)")
            }
            w.fanOutStrategy = declared
        } else if w.runsOutOfProcess && node["FanOutStrategy"] == nil {
            // A Starfleet ship declares its strategy in its class; a worker outside the daemon has no class, so its
            // section must say it (silently defaulting to SINGLE_INVOCATION sent one payload where hundreds were meant).
            v.error(
                key, path("FanOutStrategy"), "Missing data for required field.",
                hint:
                    "a worker that runs outside the daemon must say how its templates fan out: FanOutStrategy: \(FanOutStrategy.allCases.map(\.rawValue).joined(separator: " | "))"
            )
        }
        for entry in entries where !WorkerConfiguration.keys.contains(entry.key.keyText) {
            // A worker's own keys are legal (Starfleet's ships define them, and every worker gets its section as
            // JSON); a near-miss of a key the daemon reads is still worth a word.
            if let close = Suggestion.closest(to: entry.key.keyText, in: WorkerConfiguration.keys) {
                v.warning(
                    entry.key, path(entry.key.keyText), "unknown key (a worker may read it itself)",
                    hint: "did you mean \(close)?")
            }
        }
        return v.diagnostics[before...].contains { $0.severity == .error } ? nil : w
    }

    static func readAlert(_ node: Node, _ path: String, into v: inout Validator) -> AlertConfiguration? {
        guard let entries = v.mapping(node, path) else { return nil }
        v.rejectUnknownKeys(entries, known: ["ChannelId", "AlertPriority"], path)
        var channel: String?
        var priority: AlertPriority?
        if let n = node["ChannelId"] {
            channel = v.string(n, "\(path).ChannelId")
        } else {
            v.error(node, "\(path).ChannelId", "Missing data for required field.")
        }
        if let n = node["AlertPriority"] {
            if let text = v.string(n, "\(path).AlertPriority") {
                priority = AlertPriority(rawValue: text)
                if priority == nil {
                    v.error(
                        n, "\(path).AlertPriority",
                        "Must be one of: \(AlertPriority.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
            }
        } else {
            v.error(node, "\(path).AlertPriority", "Missing data for required field.")
        }
        guard let channel, let priority else { return nil }
        return AlertConfiguration(channelId: channel, priority: priority)
    }
}
