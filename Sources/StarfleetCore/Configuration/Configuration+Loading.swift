extension Configuration {
    /// Sections that configure the daemon or the account index rather than a worker.
    static let reservedSections = ["STARFLEET"] + AccountIndexSource.names
    /// The Starbase's own queue: no worker may take its name (queues are named after workers).
    package static let starbaseQueueName = "StarbaseFanOut"
    /// Names no worker may have: the reserved sections and the Starbase's queue.
    package static var reservedNames: [String] { reservedSections + [starbaseQueueName] }

    /// Merges the files' top-level sections and validates everything, reporting every problem.
    ///
    /// - Parameters:
    ///   - documents: the parsed `*.yaml` files of the configuration directory, sorted by file name.
    ///   - directory: the configuration directory (relative paths are resolved against it).
    ///   - knownWorkers: names of the Swift workers built into this binary; a worker section with neither a
    ///     known name nor a `Command` cannot run and is reported as a warning.
    /// - Returns: the configuration when there is no error, and all diagnostics (warnings included).
    ///   - incomplete: some files could not be read; a missing STARFLEET section may be in one of them, so it is
    ///     not reported again.
    package static func load(
        _ documents: [ConfigurationDocument], directory: String, knownWorkers: Set<String> = [],
        incomplete: Bool = false
    ) -> (Configuration?, [Diagnostic]) {
        var v = Validator()
        var sections: [(name: String, key: Node, value: Node)] = []
        var firstMark: [String: SourceMark] = [:]
        for document in documents {
            guard let root = document.root else {
                v.warning(Node(.null, at: .start(of: document.file)), "", "the file is empty; nothing was loaded from it")
                continue
            }
            guard let entries = root.entries else {
                v.error(
                    root, "",
                    "a configuration file must be a mapping of sections (STARFLEET:, worker names, …), found \(Validator.describe(root))"
                )
                continue
            }
            for entry in entries {
                let name = entry.key.keyText
                if let first = firstMark[name] {
                    v.error(
                        entry.key, name, "section \(name) is defined twice: here and at \(first)",
                        hint: "sections are merged across files; keep one")
                    continue
                }
                firstMark[name] = entry.key.mark
                sections.append((name, entry.key, entry.value))
            }
        }

        let byName = Dictionary(sections.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let anchor = sections.first?.key ?? Node(.null, at: .start(of: documents.first?.file ?? directory))
        var starfleet = StarfleetSettings(templateDirectory: resolve("templates", against: directory))
        if let node = byName["STARFLEET"] {
            starfleet = readStarfleet(node, directory: directory, into: &v)
        } else if !incomplete {
            v.error(
                anchor, "STARFLEET", "Missing data for required field.",
                hint: "add a STARFLEET: section; in local mode it may be empty ({})")
        }
        let accountIndex = readAccountIndexSource(starfleet, byName, anchor: anchor, directory: directory, into: &v)

        var workers: [WorkerConfiguration] = []
        for section in sections where !reservedSections.contains(section.name) && isWorkerSection(section.value) {
            if let worker = readWorker(name: section.name, key: section.key, section.value, directory: directory, into: &v) {
                if worker.runtime == .swift && !knownWorkers.contains(worker.name) && worker.enabled {
                    v.warning(
                        section.key, section.name,
                        "no Swift worker named \(section.name) is built in and the section has no Command; it will not run",
                        hint: Suggestion.hint(for: section.name, in: knownWorkers).map { "\($0) (a built-in Swift worker)" }
                            ?? "add Command: [program, args…] to run a program for each payload")
                }
                workers.append(worker)
            }
        }
        checkOverlappingPrefixes(workers, into: &v)
        checkDestinations(workers, into: &v)
        warnAboutUnknownSections(sections, knownWorkers: knownWorkers, into: &v)

        let diagnostics = v.diagnostics.sortedByLocation()
        if diagnostics.containsErrors { return (nil, diagnostics) }
        let configuration = Configuration(
            starfleet: starfleet, workers: workers, accountIndex: accountIndex,
            sections: byName, directory: directory)
        return (configuration, diagnostics)
    }

    /// A top-level section nothing reads (neither the daemon's, nor a worker's, nor an account index source) is
    /// most often a misspelt name that would otherwise be ignored in silence: warn, with the closest known name.
    static func warnAboutUnknownSections(
        _ sections: [(name: String, key: Node, value: Node)], knownWorkers: Set<String>,
        into v: inout Validator
    ) {
        let workerNames = sections.filter { !reservedSections.contains($0.name) && isWorkerSection($0.value) }.map(\.name)
        let known = Set(reservedSections).union(workerNames).union(knownWorkers)
        for section in sections where !known.contains(section.name) {
            let hint =
                Suggestion.hint(for: section.name, in: known)
                ?? "a worker section needs Enabled, TemplatePrefix and InvocationSources; other sections are STARFLEET, \(AccountIndexSource.names.joined(separator: " and "))"
            v.warning(section.key, section.name, "unknown section; nothing reads it", hint: hint)
        }
    }

    static func isWorkerSection(_ node: Node) -> Bool {
        node.entries?.contains { WorkerConfiguration.markerKeys.contains($0.key.keyText) } ?? false
    }

    /// An S3 key goes to the first matching worker only; a later worker whose prefix the earlier one covers never
    /// gets S3 events. Starfleet silently did this; here it is a warning.
    static func checkOverlappingPrefixes(_ workers: [WorkerConfiguration], into v: inout Validator) {
        let s3 = workers.filter { $0.enabled && $0.invocationSources.contains(.s3) }
        for (i, later) in s3.enumerated() {
            if let earlier = s3[..<i].first(where: {
                later.templatePrefix.hasPrefix($0.templatePrefix) && !$0.templatePrefix.hasSuffix(".yaml")
            }) {
                v.warning(
                    later.section["TemplatePrefix"] ?? later.section, "\(later.name).TemplatePrefix",
                    "templates under \"\(later.templatePrefix)\" go to \(earlier.name), declared first with prefix \"\(earlier.templatePrefix)\"; \(later.name) gets no S3 events",
                    hint: "give each S3 worker its own prefix")
            }
        }
    }
}
