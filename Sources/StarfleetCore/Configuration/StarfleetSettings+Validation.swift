extension Configuration {
    /// Reads `STARFLEET` with Starfleet's rules (unknown keys refused, regions checked, Slack needs Secrets Manager)
    /// and the daemon's defaults.
    static func readStarfleet(_ node: Node, directory: String, into v: inout Validator) -> StarfleetSettings {
        var s = StarfleetSettings(templateDirectory: resolve("templates", against: directory))
        guard let entries = v.mapping(node, "STARFLEET") else { return s }
        v.rejectDuplicateKeys(entries, "STARFLEET")
        v.rejectUnknownKeys(entries, known: StarfleetSettings.keys, "STARFLEET")
        for entry in entries {
            let key = entry.key.keyText
            let p = "STARFLEET.\(key)"
            let value = entry.value
            switch key {
            case "DeploymentRegion": s.deploymentRegion = region(value, p, into: &v)
            case "TemplateBucket": s.templateBucket = v.string(value, p, length: 3...63)
            case "FanOutQueueUrl": s.fanOutQueueUrl = httpsURL(value, p, into: &v)
            case "AccountIndex":
                if let name = v.string(value, p) {
                    if AccountIndexSource.names.contains(name) {
                        s.accountIndexName = name
                    } else {
                        v.error(
                            value, p, "\"\(name)\" is not an account index this daemon has",
                            hint: Suggestion.hint(for: name, in: AccountIndexSource.names)
                                ?? "expected LocalAccountIndex or StarfleetDefaultAccountIndex")
                    }
                }
            case "ScopeToRegions":
                for (name, item) in v.stringList(value, p) ?? [] {
                    if region(item, p, into: &v) != nil { s.scopeToRegions.append(name) }
                }
            case "SecretsManager": s.secretsManager = readSecretsManager(value, p, into: &v)
            case "SlackEnabled": s.slackEnabled = v.bool(value, p) ?? false
            case "LogLevel":
                if let text = v.string(value, p) {
                    if let level = LogLevel(rawValue: text) {
                        s.logLevel = level
                    } else {
                        v.error(
                            value, p, "\"\(text)\" is not a log level",
                            hint: "expected one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                }
            case "ThirdPartyLoggerLevels":
                if let pairs = v.mapping(value, p) {
                    for pair in pairs { s.thirdPartyLoggerLevels[pair.key.keyText] = pair.value.string ?? pair.value.keyText }
                }
            case "StarbaseInvocationTopicArn":
                _ = v.string(value, p)
                v.warning(value, p, "SNS invocation is not implemented (as in Starfleet); the key is ignored")
            case "TemplateDirectory":
                if let path = v.string(value, p, length: 1...4096) { s.templateDirectory = resolve(path, against: directory) }
            case "StateDirectory":
                if let path = v.string(value, p, length: 1...4096) { s.stateDirectory = resolve(path, against: directory) }
            case "S3PollIntervalSeconds": s.s3PollIntervalSeconds = v.int(value, p, range: 5...86_400) ?? s.s3PollIntervalSeconds
            case "CatchUpMissedRuns": s.catchUpMissedRuns = v.bool(value, p) ?? s.catchUpMissedRuns
            case "TimerJitterSeconds": s.timerJitterSeconds = v.int(value, p, range: 0...3_600) ?? s.timerJitterSeconds
            case "Scheduler": s.scheduler = v.bool(value, p) ?? s.scheduler
            case "LambdaAccountId":
                if let text = v.string(value, p) {
                    if text.utf8.count == 12, text.utf8.allSatisfy({ (48...57).contains($0) }) {
                        s.lambdaAccountId = text
                    } else {
                        v.error(
                            value, p, "\"\(text)\" is not an AWS account id", hint: "expected 12 digits, e.g. \"123456789012\"")
                    }
                }
            case "HostName":
                if let name = v.string(value, p, length: 1...253) {
                    if name.unicodeScalars.allSatisfy(Self.isHostNameCharacter) {
                        s.hostName = name
                    } else {
                        v.error(
                            value, p, "\"\(name)\" is not a host name",
                            hint: "letters, digits, '.', '-' and '_' only, e.g. HostName: worker-2.example.com")
                    }
                }
            case "MetricsAddress":
                if let text = v.string(value, p, length: 1...300) {
                    switch MetricsAddress.parse(text) {
                    case .success(let address):
                        s.metricsAddress = address
                        if !address.isLoopback {
                            v.warning(
                                value, p, "metrics on \(address) are readable from other machines (no authentication)",
                                hint: "use 127.0.0.1:\(address.port) unless a firewall limits who can connect")
                        }
                    case .failure(let error):
                        v.error(value, p, error.reason, hint: "e.g. MetricsAddress: 127.0.0.1:9464")
                    }
                }
            case "InvokeAddress":
                if let text = v.string(value, p, length: 1...300) {
                    switch MetricsAddress.parse(text) {
                    case .success(let address) where address.isLoopback:
                        s.invokeAddress = address
                    case .success(let address):
                        v.error(
                            value, p,
                            "the Invoke API runs workers with the daemon's credentials; \(address) is not a loopback address",
                            hint: "use 127.0.0.1:\(address.port); for remote callers put an authenticating proxy in front")
                    case .failure(let error):
                        v.error(value, p, error.reason, hint: "e.g. InvokeAddress: 127.0.0.1:9001")
                    }
                }
            case "ConsoleAddress":
                if let text = v.string(value, p, length: 1...300) {
                    switch ConsoleAddress.parse(text) {
                    case .success(let address): s.consoleAddress = address
                    case .failure(let error):
                        v.error(
                            value, p, error.reason,
                            hint:
                                "e.g. ConsoleAddress: 127.0.0.1:8080 or unix:/run/starfleetd/console.sock; put an authenticating proxy in front for remote users"
                        )
                    }
                }
            case "ConsoleHostNames":
                for (text, item) in v.stringList(value, p, length: 1...300) ?? [] {
                    switch ConsoleHostName.parse(text) {
                    case .success(let name): s.consoleHostNames.append(name)
                    case .failure(let error):
                        v.error(
                            item, p, error.reason,
                            hint:
                                "the name the browser uses, as a reverse proxy forwards it: starfleet.example.com or starfleet.example.com:8443"
                        )
                    }
                }
            case "AlertWebhookCredential": s.alertWebhookCredential = credentialName(value, p, into: &v)
            case "RunHistoryMaxRuns", "RunHistoryMaxAgeDays": break  // below, both at once
            default: break
            }
        }
        let history = readRunHistoryKeys(node, "STARFLEET", into: &v)
        s.runHistory = RunHistoryPolicy(
            maxRuns: history.maxRuns ?? s.runHistory.maxRuns, maxAgeDays: history.maxAgeDays ?? s.runHistory.maxAgeDays)
        if let names = node["ConsoleHostNames"], !s.consoleHostNames.isEmpty, s.consoleAddress == nil {
            v.warning(names, "STARFLEET.ConsoleHostNames", "no ConsoleAddress is set, so there is no console to name")
        }
        if s.slackEnabled && s.secretsManager == nil {
            v.error(
                node["SlackEnabled"] ?? node, "STARFLEET.SlackEnabled",
                "Slack can only be enabled if you are using Secrets Manager -- you need to configure the `SecretsManager` field.")
        }
        return s
    }

    /// What a `HostName` may hold: it is shown in tables and written into records other hosts read.
    static func isHostNameCharacter(_ c: Unicode.Scalar) -> Bool {
        c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "." || c == "-" || c == "_")
    }

    static func readSecretsManager(_ node: Node, _ path: String, into v: inout Validator) -> SecretsManagerLocation? {
        guard let entries = v.mapping(node, path) else { return nil }
        v.rejectUnknownKeys(entries, known: ["SecretId", "SecretRegion"], path)
        var id: String?
        var secretRegion: String?
        if let n = node["SecretId"] {
            id = v.string(n, "\(path).SecretId", length: 1...2048)
        } else {
            v.error(node, "\(path).SecretId", "Missing data for required field.")
        }
        if let n = node["SecretRegion"] {
            secretRegion = region(n, "\(path).SecretRegion", into: &v)
        } else {
            v.error(node, "\(path).SecretRegion", "Missing data for required field.")
        }
        guard let id, let secretRegion else { return nil }
        return SecretsManagerLocation(secretId: id, secretRegion: secretRegion)
    }

    /// A systemd credential name (LoadCredential=NAME:…): one file name, no slash, not `.` or `..`.
    static func credentialName(_ node: Node, _ path: String, into v: inout Validator) -> String? {
        guard let name = v.string(node, path, length: 1...255) else { return nil }
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x40
        }
        guard allowed, name != ".", name != ".." else {
            v.error(
                node, path, "\"\(name)\" is not a systemd credential name",
                hint: "the name given to LoadCredential=/SetCredentialEncrypted=, e.g. alert-webhook (letters, digits, - _ . @)")
            return nil
        }
        return name
    }

    /// The account index source named by `STARFLEET.AccountIndex` and its section.
    static func readAccountIndexSource(
        _ s: StarfleetSettings, _ sections: [String: Node], anchor: Node, directory: String,
        into v: inout Validator
    ) -> AccountIndexSource {
        if s.accountIndexName == AccountIndexSource.s3Name {
            guard let node = sections[AccountIndexSource.s3Name] else {
                v.error(
                    anchor, AccountIndexSource.s3Name, "Missing data for required field.",
                    hint:
                        "STARFLEET.AccountIndex is StarfleetDefaultAccountIndex: add that section with IndexBucket and BucketRegion"
                )
                return .local(path: nil)
            }
            let p = AccountIndexSource.s3Name
            guard let entries = v.mapping(node, p) else { return .local(path: nil) }
            v.rejectUnknownKeys(entries, known: ["IndexBucket", "BucketRegion", "IndexObjectPath"], p)
            var bucket: String?
            var bucketRegion: String?
            if let n = node["IndexBucket"] {
                bucket = v.string(n, "\(p).IndexBucket", length: 3...63)
            } else {
                v.error(node, "\(p).IndexBucket", "Missing data for required field.")
            }
            if let n = node["BucketRegion"] {
                bucketRegion = region(n, "\(p).BucketRegion", into: &v)
            } else {
                v.error(node, "\(p).BucketRegion", "Missing data for required field.")
            }
            let object =
                node["IndexObjectPath"].flatMap { v.string($0, "\(p).IndexObjectPath", length: 1...1024) } ?? "accountIndex.json"
            return .s3(bucket: bucket ?? "", region: bucketRegion ?? "", objectPath: object)
        }
        guard let node = sections[AccountIndexSource.localName] else { return .local(path: nil) }
        let p = AccountIndexSource.localName
        guard let entries = v.mapping(node, p) else { return .local(path: nil) }
        v.rejectUnknownKeys(entries, known: ["Path"], p)
        let path = node["Path"].flatMap { v.string($0, "\(p).Path", length: 1...4096) }
        return .local(path: path.map { resolve($0, against: directory) })
    }

    static func region(_ node: Node, _ path: String, into v: inout Validator) -> String? {
        guard let name = v.string(node, path) else { return nil }
        guard AWSRegions.isValid(name) else {
            v.error(node, path, "\"\(name)\" is not an AWS region", hint: Suggestion.hint(for: name, in: AWSRegions.all))
            return nil
        }
        return name
    }

    /// Starfleet's `fields.Url(schemes={"https"})`: an https URL with a host.
    static func httpsURL(_ node: Node, _ path: String, into v: inout Validator) -> String? {
        guard let url = v.string(node, path) else { return nil }
        let prefix = "https://"
        let host = url.hasPrefix(prefix) ? url.dropFirst(prefix.count).prefix { $0 != "/" && $0 != "?" } : ""
        guard !host.isEmpty, !url.contains(" ") else {
            v.error(
                node, path, "Not a valid URL.",
                hint: "queue URLs are https://, e.g. https://sqs.us-east-1.amazonaws.com/111122223333/my-queue")
            return nil
        }
        return url
    }
}
