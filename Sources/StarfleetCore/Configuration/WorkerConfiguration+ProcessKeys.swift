extension Configuration {
    /// Variables the daemon sets itself: a section may not override them.
    static let reservedEnvironmentPrefixes = EnvironmentName.reservedPrefixes

    /// The keys of a worker that runs outside the daemon: `Runtime` and its handler, code directory and interpreters,
    /// the event shape, the environment and credentials, and when warm processes are recycled.
    static func readProcessKeys(
        _ node: Node, key: Node, name: String, directory: String, into w: inout WorkerConfiguration,
        _ v: inout Validator
    ) {
        func path(_ k: String) -> String { "\(name).\(k)" }
        var settings = WorkerProcessSettings(
            codeDirectory: resolve("workers/\(WorkerProcessSettings.snakeCase(name))", against: directory))
        if let n = node["Runtime"], let text = v.string(n, path("Runtime")) {
            if let runtime = WorkerRuntime(rawValue: text) {
                w.runtime = runtime
            } else {
                v.error(
                    n, path("Runtime"), "\"\(text)\" is not a runtime",
                    hint: "expected one of \(WorkerRuntime.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        } else {
            w.runtime = w.command != nil ? .process : .swift
        }
        switch w.runtime {
        case .process, .provided:
            if w.command == nil && node["Command"] == nil {
                v.error(
                    key, path("Command"), "Runtime: \(w.runtime.rawValue) runs a Command, and there is none",
                    hint: w.runtime == .provided
                        ? "e.g. Command: [python3, -m, awslambdaric, handler.fn]" : "e.g. Command: [./audit.py]")
            }
        case .python, .nodejs:
            if let n = node["Command"] {
                v.error(
                    n, path("Command"), "Runtime: \(w.runtime.rawValue) runs its Handler; a Command is for process or provided")
            }
            if node["Handler"] == nil {
                v.error(
                    key, path("Handler"), "Runtime: \(w.runtime.rawValue) needs a Handler",
                    hint: w.runtime == .python
                        ? "e.g. Handler: main.handler (main.py's handler function)"
                        : "e.g. Handler: main.handler (main.js's exported handler)")
            }
        case .swift:
            if let n = node["Command"] {
                v.error(n, path("Command"), "Runtime: swift runs a built-in worker; a Command is for process or provided")
            }
        }
        if let n = node["Handler"], let text = v.string(n, path("Handler"), length: 3...512) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count < 2 || parts.contains(where: \.isEmpty) {
                v.error(n, path("Handler"), "\"\(text)\" is not module.function", hint: "e.g. main.handler")
            } else {
                settings.handler = text
            }
        }
        if let n = node["CodeDirectory"], let text = v.string(n, path("CodeDirectory"), length: 1...4096) {
            settings.codeDirectory = resolve(text, against: directory)
            settings.codeDirectoryIsExplicit = true
        }
        if let n = node["Python"], let text = v.string(n, path("Python"), length: 1...4096) {
            settings.python = text.contains("/") ? resolve(text, against: directory) : text
        }
        if let n = node["Node"], let text = v.string(n, path("Node"), length: 1...4096) {
            settings.node = text.contains("/") ? resolve(text, against: directory) : text
        }
        // Starfleet's ships expect the SQS event their Lambda functions were given.
        settings.eventShape = settings.handler?.hasPrefix("starfleet.") == true ? .sqs : .payload
        if let n = node["EventShape"], let text = v.string(n, path("EventShape")) {
            if let shape = EventShape(rawValue: text) {
                settings.eventShape = shape
            } else {
                v.error(
                    n, path("EventShape"), "\"\(text)\" is not an event shape",
                    hint: "expected one of \(EventShape.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let n = node["Environment"], let entries = v.mapping(n, path("Environment")) {
            for entry in entries {
                let variable = entry.key.keyText
                guard checkVariableName(entry.key, variable, path("Environment"), &v) else { continue }
                switch entry.value.value {
                case .string(let s): settings.environment[variable] = s
                case .int(let i): settings.environment[variable] = String(i)
                case .double(let d): settings.environment[variable] = String(d)
                case .bool(let b): settings.environment[variable] = b ? "true" : "false"
                default:
                    v.error(
                        entry.value, "\(path("Environment")).\(variable)",
                        "expected a text value, found \(Validator.describe(entry.value))")
                }
            }
        }
        if let n = node["PassEnvironment"] {
            for (variable, item) in v.stringList(n, path("PassEnvironment")) ?? []
            where checkVariableName(item, variable, path("PassEnvironment"), &v) {
                settings.passEnvironment.append(variable)
            }
        }
        if let n = node["Credentials"] {
            for (credential, item) in v.stringList(n, path("Credentials"), length: 1...255) ?? [] {
                if credential.contains("/") || credential == "." || credential == ".." {
                    v.error(
                        item, path("Credentials"), "\"\(credential)\" is not a credential name",
                        hint: "the name given to LoadCredential= or SetCredential= in the unit")
                } else {
                    settings.credentials.append(credential)
                }
            }
        }
        if let n = node["MaxInvocationsPerProcess"] {
            settings.maxInvocationsPerProcess = v.int(n, path("MaxInvocationsPerProcess"), range: 1...10_000_000)
        }
        if let n = node["MemorySize"] {
            settings.memorySize = v.int(n, path("MemorySize"), range: 128...65_536) ?? settings.memorySize
        }
        w.process = settings
    }

    static func checkVariableName(_ node: Node, _ name: String, _ path: String, _ v: inout Validator) -> Bool {
        let valid =
            !name.isEmpty && name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        if !valid {
            v.error(
                node, path, "\"\(name)\" is not an environment variable name",
                hint: "letters, digits and '_', not starting with a digit")
            return false
        }
        if reservedEnvironmentPrefixes.contains(where: { name.hasPrefix($0) }) {
            v.error(
                node, path, "\(name) is set by the daemon",
                hint: "variables starting with \(reservedEnvironmentPrefixes.joined(separator: ", ")) are the daemon's")
            return false
        }
        return true
    }
}
