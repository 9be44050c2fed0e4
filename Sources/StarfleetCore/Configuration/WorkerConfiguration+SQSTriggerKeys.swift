extension Configuration {
    /// The SQS trigger's keys (``SQSTriggerSettings``). They belong to a Lambda-runtime worker with `EventShape: sqs`:
    /// elsewhere each is an error (BatchSize 1 excepted, the default everywhere), since it would silently do nothing.
    static func readSQSTriggerKeys(_ node: Node, name: String, into w: inout WorkerConfiguration, _ v: inout Validator) {
        func path(_ k: String) -> String { "\(name).\(k)" }
        let takesBatches = w.takesSQSBatches
        var trigger = SQSTriggerSettings()
        for key in SQSTriggerSettings.keys {
            guard let n = node[key], !takesBatches, !(key == "BatchSize" && n.int == 1) else { continue }
            v.error(
                n, path(key), "\(key) is a key of Lambda's SQS trigger, and this worker does not take SQS batches",
                hint: "it applies to Runtime: python, nodejs or provided with EventShape: sqs")
        }
        guard takesBatches else { return }
        if let n = node["BatchSize"] {
            trigger.batchSize = v.int(n, path("BatchSize"), range: SQSTriggerSettings.batchSizes) ?? 1
        }
        if let n = node["MaximumBatchingWindowInSeconds"] {
            trigger.maximumBatchingWindowSeconds =
                v.int(n, path("MaximumBatchingWindowInSeconds"), range: SQSTriggerSettings.windows) ?? 0
        }
        if trigger.batchSize > 10 && trigger.maximumBatchingWindowSeconds < 1, let n = node["BatchSize"] {
            v.error(
                n, path("BatchSize"), "a BatchSize over 10 needs a batching window, as Lambda requires",
                hint: "set MaximumBatchingWindowInSeconds to 1 or more")
        }
        if let n = node["FunctionResponseTypes"] {
            for (text, item) in v.stringList(n, path("FunctionResponseTypes")) ?? [] {
                if text == "ReportBatchItemFailures" {
                    trigger.reportsBatchItemFailures = true
                } else {
                    v.error(
                        item, path("FunctionResponseTypes"), "\"\(text)\" is not a function response type",
                        hint: "the one type is ReportBatchItemFailures")
                }
            }
        }
        if let n = node["ScalingConfig"], let entries = v.mapping(n, path("ScalingConfig")) {
            v.rejectUnknownKeys(entries, known: ["MaximumConcurrency"], path("ScalingConfig"))
            if let c = node["ScalingConfig"]?["MaximumConcurrency"] {
                trigger.maximumConcurrency = v.int(
                    c, path("ScalingConfig.MaximumConcurrency"), range: SQSTriggerSettings.concurrencies)
            }
        }
        if let n = node["FilterCriteria"] { trigger.filters = readFilters(n, path("FilterCriteria"), &v) }
        // The first record of a batch waits out the window in flight: its run must still end before it is visible again.
        let window = trigger.maximumBatchingWindowSeconds
        if window > 0 && w.timeoutSeconds + window >= w.visibilityTimeoutSeconds {
            if let n = node["TimeoutSeconds"] {
                v.error(
                    n, path("TimeoutSeconds"),
                    "\(w.timeoutSeconds) s plus the \(window) s batching window is not shorter than the visibility timeout (\(w.visibilityTimeoutSeconds) s)",
                    hint:
                        "a batch's first record waits the window in flight: lower TimeoutSeconds or raise VisibilityTimeoutSeconds"
                )
            } else if w.visibilityTimeoutSeconds <= window + 1 {
                v.error(
                    node["VisibilityTimeoutSeconds"] ?? node["MaximumBatchingWindowInSeconds"] ?? w.section,
                    path("VisibilityTimeoutSeconds"),
                    "the visibility timeout (\(w.visibilityTimeoutSeconds) s) leaves no time to run after the \(window) s batching window",
                    hint: "raise VisibilityTimeoutSeconds")
            } else {
                w.timeoutSeconds = max(1, (w.visibilityTimeoutSeconds - window) * 9 / 10)
            }
        }
        w.sqsTrigger = trigger
    }

    static func readFilters(_ node: Node, _ path: String, _ v: inout Validator) -> [EventFilter] {
        guard let entries = v.mapping(node, path) else { return [] }
        v.rejectUnknownKeys(entries, known: ["Filters"], path)
        guard let list = node["Filters"], let filters = v.list(list, "\(path).Filters") else { return [] }
        if filters.count > EventFilter.maxFilters {
            v.error(
                list, "\(path).Filters", "\(filters.count) filters; Lambda allows \(EventFilter.maxFilters)",
                hint: "join patterns with $or")
        }
        var out: [EventFilter] = []
        for (i, filter) in filters.enumerated() {
            let here = "\(path).Filters[\(i)]"
            guard let fields = v.mapping(filter, here) else { continue }
            v.rejectUnknownKeys(fields, known: ["Pattern"], here)
            guard let p = filter["Pattern"] else {
                v.error(filter, "\(here).Pattern", "Missing data for required field.")
                continue
            }
            guard
                let text = v.string(
                    p, "\(here).Pattern", hint: "the pattern is JSON in a string: Pattern: '{\"body\": {\"kind\": [\"a\"]}}'")
            else { continue }
            do throws(EventFilter.PatternError) {
                out.append(try EventFilter(parsing: text))
            } catch {
                v.error(p, "\(here).Pattern", "invalid filter pattern: \(error.message)")
            }
        }
        return out
    }
}
