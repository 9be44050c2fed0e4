extension Configuration {
    /// Lambda's event invoke configuration as worker keys: `MaximumRetryAttempts`, `MaximumEventAgeInSeconds` and
    /// `DestinationConfig: {OnSuccess: {Destination: …}, OnFailure: {Destination: …}}`.
    static func readAsyncKeys(_ node: Node, name: String, into w: inout WorkerConfiguration, _ v: inout Validator) {
        func path(_ k: String) -> String { "\(name).\(k)" }
        var settings = AsyncInvocationSettings()
        // An SQS-triggered worker's queue holds SQS records, `invoke --async` included: the trigger's rules
        // (MaxReceiveCount, the dead-letter folder, partial batch responses) decide their retries, not these.
        if w.takesSQSBatches {
            for key in ["MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"] {
                if let n = node[key] {
                    v.warning(
                        n, path(key),
                        "has no effect on an EventShape: sqs worker: what reaches its queue (invoke --async too) is an SQS record, retried by MaxReceiveCount and the SQS trigger's rules"
                    )
                }
            }
        }
        if let n = node["MaximumRetryAttempts"] {
            settings.maximumRetryAttempts =
                v.int(n, path("MaximumRetryAttempts"), range: AsyncInvocationSettings.retryRange) ?? settings.maximumRetryAttempts
        }
        if let n = node["MaximumEventAgeInSeconds"] {
            settings.maximumEventAgeSeconds =
                v.int(n, path("MaximumEventAgeInSeconds"), range: AsyncInvocationSettings.eventAgeRange)
                ?? settings.maximumEventAgeSeconds
        }
        if let n = node["DestinationConfig"], let entries = v.mapping(n, path("DestinationConfig")) {
            v.rejectUnknownKeys(entries, known: ["OnSuccess", "OnFailure"], path("DestinationConfig"))
            if let s = n["OnSuccess"] {
                settings.onSuccess = readDestination(s, path("DestinationConfig.OnSuccess"), onFailure: false, &v)
            }
            if let f = n["OnFailure"] {
                settings.onFailure = readDestination(f, path("DestinationConfig.OnFailure"), onFailure: true, &v)
            }
        }
        w.asyncInvocation = settings
        // The queue dead-letters a message at MaxReceiveCount receives, whatever the event's own rule says.
        if w.maxReceiveCount < settings.maximumAttempts,
            let n = node["MaximumRetryAttempts"] ?? node["DestinationConfig"]
        {
            v.warning(
                node["MaxReceiveCount"] ?? n, path("MaxReceiveCount"),
                "\(w.maxReceiveCount) is below the \(settings.maximumAttempts) attempts an asynchronous invocation may take; the queue dead-letters it first, skipping OnFailure",
                hint: "set MaxReceiveCount to at least 1 + MaximumRetryAttempts")
        }
    }

    static func readDestination(_ node: Node, _ path: String, onFailure: Bool, _ v: inout Validator) -> AsyncDestination? {
        guard let entries = v.mapping(node, path) else { return nil }
        v.rejectUnknownKeys(entries, known: ["Destination"], path)
        guard let n = node["Destination"] else {
            v.error(node, "\(path).Destination", "Missing data for required field.")
            return nil
        }
        guard let text = v.string(n, "\(path).Destination", length: 1...350) else { return nil }
        do throws(AsyncDestination.Problem) {
            let destination = try AsyncDestination.parse(text, mark: n.mark)
            if case .s3 = destination.target, !onFailure {
                v.error(
                    n, "\(path).Destination", "an S3 bucket is an on-failure destination only (as in Lambda)",
                    hint: "send successes to a worker or an SQS queue")
                return nil
            }
            return destination
        } catch {
            switch error {
            case .malformed(let why):
                v.error(
                    n, "\(path).Destination", "\"\(text)\" is \(why)",
                    hint:
                        "a worker name or arn:aws:lambda:<region>:<account>:function:<name>, https://sqs.<region>.amazonaws.com/<account>/<queue> or arn:aws:sqs:…, or arn:aws:s3:::<bucket>"
                )
            case .fifoQueue:
                v.error(
                    n, "\(path).Destination",
                    "\"\(text)\" is a FIFO queue; Lambda sends invocation records to standard queues only")
            }
            return nil
        }
    }

    /// A worker destination must name a worker of this configuration (an invocation record sent nowhere is lost).
    static func checkDestinations(_ workers: [WorkerConfiguration], into v: inout Validator) {
        let names = workers.map(\.name)
        for worker in workers {
            for (key, destination) in [
                ("OnSuccess", worker.asyncInvocation.onSuccess), ("OnFailure", worker.asyncInvocation.onFailure),
            ] {
                guard let destination, case .worker(let target) = destination.target, !names.contains(target) else { continue }
                v.error(
                    at: destination.mark, "\(worker.name).DestinationConfig.\(key).Destination",
                    "no worker named \(target) is configured",
                    hint: Suggestion.hint(for: target, in: Set(names)) ?? "name a worker section of this file")
            }
        }
    }
}
