import Foundation
import StarfleetCore
import StarfleetYAML
import Testing

/// A temporary configuration directory per test.
struct ConfigDir {
    let path: String
    init(_ files: [String: String]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: "\(path)/\(name)", atomically: true, encoding: .utf8) }
    }
    func load(known: Set<String> = []) -> (Configuration?, [Diagnostic]) {
        ConfigurationDirectory.load(path, knownWorkers: known)
    }
    func errors(known: Set<String> = []) -> [String] {
        load(known: known).1.filter { $0.severity == .error }.map {
            $0.description.replacingOccurrences(of: path + "/", with: "")
        }
    }
}

@Suite struct ConfigurationTests {
    let minimal = "STARFLEET: {}\n"

    @Test func minimalLocalConfigurationGetsDefaults() throws {
        let dir = try ConfigDir([
            "a.yaml": minimal + """
                Audit:
                  Enabled: true
                  Command: ["workers/audit.py", "--fast"]
                  FanOutStrategy: ACCOUNT_REGION
                  TemplatePrefix: Audit/
                  InvocationSources: [S3, EVENTBRIDGE_TIMED_EVENT]
                  EventBridgeTimedFrequency: HOURLY
                """
        ])
        let (config, diagnostics) = dir.load()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let c = try #require(config)
        #expect(c.starfleet.logLevel == .info)
        #expect(c.starfleet.templateDirectory == "\(dir.path)/templates")
        #expect(c.accountIndex == .local(path: nil))
        let w = try #require(c.worker(named: "Audit"))
        #expect(w.concurrency == 4 && w.visibilityTimeoutSeconds == 300 && w.maxReceiveCount == 4 && w.timeoutSeconds == 270)
        #expect(w.commit == false)
        #expect(w.command == ["\(dir.path)/workers/audit.py", "--fast"])
        #expect(w.fanOutStrategy == .accountRegion)
        #expect(w.schedule == .named(.hourly))
    }

    @Test func anInlineShellScriptIsNotResolvedAsAPath() throws {
        let dir = try ConfigDir([
            "a.yaml": minimal + """
                Audit:
                  Enabled: true
                  Command: ["sh", "-c", "cat > /tmp/out; echo done", "bin/x", "a b/c", "$HOME/x"]
                  FanOutStrategy: SINGLE_INVOCATION
                  TemplatePrefix: Audit/
                  InvocationSources: [S3]
                """
        ])
        let (config, diagnostics) = dir.load()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let w = try #require(config?.worker(named: "Audit"))
        #expect(w.command == ["sh", "-c", "cat > /tmp/out; echo done", "\(dir.path)/bin/x", "a b/c", "$HOME/x"])
    }

    @Test func everyProblemIsReportedWithFileLineAndColumn() throws {
        let dir = try ConfigDir([
            "c.yaml": """
            STARFLEET:
              LogLevel: LOUD
              SlackEnabled: true
              FanOutQueueUrl: http://example.com/q
              DeploymentRegion: us-esat-1
              TemplateBuckett: x
            W:
              Enabled: yes
              TemplatePrefix: W/
              InvocationSources: [S3, EVENTBRIDGE_TIMED_EVENT, SNS]
              Concurrency: 0
            T:
              Enabled: true
              TemplatePrefix: T/
              InvocationSources: [EVENTBRIDGE_TIMED_EVENT]
              EventBridgeTimedFrequency: hourly
            """
        ])
        let errors = dir.errors()
        #expect(
            errors == [
                #"c.yaml:2:13: error: STARFLEET.LogLevel: "LOUD" is not a log level (expected one of CRITICAL, ERROR, WARNING, INFO, DEBUG, NOTSET)"#,
                "c.yaml:3:17: error: STARFLEET.SlackEnabled: Slack can only be enabled if you are using Secrets Manager -- you need to configure the `SecretsManager` field.",
                "c.yaml:4:19: error: STARFLEET.FanOutQueueUrl: Not a valid URL. (queue URLs are https://, e.g. https://sqs.us-east-1.amazonaws.com/111122223333/my-queue)",
                #"c.yaml:5:21: error: STARFLEET.DeploymentRegion: "us-esat-1" is not an AWS region (did you mean us-east-1?)"#,
                "c.yaml:6:3: error: STARFLEET.TemplateBuckett: Unknown field. (did you mean TemplateBucket?)",
                "c.yaml:7:1: error: W.EventBridgeTimedFrequency: A EventBridgeTimedFrequency is required when specifying an invocation event of EVENTBRIDGE_TIMED_EVENT. (e.g. EventBridgeTimedFrequency: HOURLY)",
                #"c.yaml:10:52: error: W.InvocationSources: "SNS" is not an invocation source (expected one of S3, SQS, EVENTBRIDGE_TIMED_EVENT)"#,
                "c.yaml:11:16: error: W.Concurrency: 0 is out of range (must be between 1 and 256)",
            ] + errors.filter { $0.hasPrefix("c.yaml:16:") })
        #expect(errors.contains { $0.hasPrefix("c.yaml:16:30: error: T.EventBridgeTimedFrequency:") && $0.contains("HOURLY") })
    }

    @Test func sectionDefinedTwiceNamesBothPlaces() throws {
        let dir = try ConfigDir([
            "a.yaml": minimal + "W: {Enabled: false, TemplatePrefix: a/, InvocationSources: []}\n",
            "b.yaml": "\nW: {Enabled: false, TemplatePrefix: b/, InvocationSources: []}\n",
        ])
        #expect(
            dir.errors() == [
                "b.yaml:2:1: error: W: section W is defined twice: here and at a.yaml:2:1 (sections are merged across files; keep one)"
            ])
    }

    @Test func missingStarfleetSectionIsAnError() throws {
        let dir = try ConfigDir([
            "bad_configuration.yaml": String(decoding: try Fixtures.data("starfleet/bad_configuration.yaml"), as: UTF8.self)
        ])
        #expect(dir.errors().first?.contains("STARFLEET: Missing data for required field.") == true)
    }

    @Test func starfleetsShippedSampleFailsOnlyOnItsPlaceholderRegion() throws {
        let dir = try ConfigDir([
            "configuration.yaml": String(decoding: try Fixtures.data("starfleet/configuration.yaml"), as: UTF8.self)
        ])
        let errors = dir.errors(known: ["AccountIndexGeneratorShip"])
        #expect(errors.count == 1)
        #expect(errors.first?.contains(#"StarfleetDefaultAccountIndex.BucketRegion: "REPLACE-ME" is not an AWS region"#) == true)
    }

    @Test func starfleetsTestFilesMergeAcrossFiles() throws {
        var files: [String: String] = [:]
        for name in ["another_file.yaml", "basic_plugin.yaml"] {
            files[name] = String(decoding: try Fixtures.data("starfleet/\(name)"), as: UTF8.self)
        }
        files["base.yaml"] =
            "STARFLEET:\n  DeploymentRegion: us-east-2\n  TemplateBucket: template-bucket\n  FanOutQueueUrl: https://sqs.amazonaws.com/fanout-queue\n"
        let dir = try ConfigDir(files)
        let (config, diagnostics) = dir.load(known: [
            "TestingStarfleetWorkerPlugin", "TestingStarfleetWorkerPluginTwo", "TestingStarfleetWorkerPluginThree",
        ])
        let c = try #require(config, "\(diagnostics)")
        #expect(c.sections["SOMEOTHER"]?["TestFile"]?.string == "has been loaded properly")
        #expect(c.workers.count == 3)
        #expect(
            c.workers(taskedBy: .named(.hourly)).map(\.name) == [
                "TestingStarfleetWorkerPlugin", "TestingStarfleetWorkerPluginTwo",
            ])
        #expect(c.workers(taskedBy: .named(.twelveHourly)).isEmpty)
        #expect(c.workers(taskedBy: .named(.daily)).map(\.name) == ["TestingStarfleetWorkerPluginThree"])
    }

    @Test func s3RoutingTakesTheFirstMatchingWorkerAndOnlyYaml() throws {
        let dir = try ConfigDir([
            "a.yaml": minimal + """
                One: {Enabled: true, TemplatePrefix: TestingStarfleetWorkerPlugin/template1.yaml, InvocationSources: [S3], Command: [x], FanOutStrategy: SINGLE_INVOCATION}
                Two: {Enabled: true, TemplatePrefix: TestingStarfleetWorkerPlugin/, InvocationSources: [S3], Command: [x], FanOutStrategy: SINGLE_INVOCATION}
                Off: {Enabled: false, TemplatePrefix: Off/, InvocationSources: [S3], Command: [x], FanOutStrategy: SINGLE_INVOCATION}
                Timed: {Enabled: true, TemplatePrefix: Timed/, InvocationSources: [EVENTBRIDGE_TIMED_EVENT], EventBridgeTimedFrequency: SIX_HOURLY, Command: [x], FanOutStrategy: SINGLE_INVOCATION}
                """
        ])
        let c = try #require(dir.load().0)
        #expect(c.worker(forTemplateKey: "TestingStarfleetWorkerPlugin/template1.yaml")?.name == "One")
        #expect(c.worker(forTemplateKey: "TestingStarfleetWorkerPlugin/template2.yaml")?.name == "Two")
        #expect(c.worker(forTemplateKey: "TestingStarfleetWorkerPlugin/template2.yml") == nil)
        #expect(c.worker(forTemplateKey: "pewpewpew.txt") == nil)
        #expect(c.worker(forTemplateKey: "NotAWorker/Template1.yaml") == nil)
        #expect(c.worker(forTemplateKey: "Off/t.yaml") == nil)
        #expect(c.worker(forTemplateKey: "Timed/t.yaml") == nil)
        // Exact frequency match: HOURLY does not task SIX_HOURLY workers (Starfleet's PR #21).
        #expect(c.workers(taskedBy: .named(.hourly)).isEmpty)
        #expect(c.workers(taskedBy: .named(.sixHourly)).map(\.name) == ["Timed"])
    }

    @Test func timeoutMustBeShorterThanVisibility() throws {
        let dir = try ConfigDir([
            "a.yaml": minimal
                + "W: {Enabled: true, TemplatePrefix: W/, InvocationSources: [S3], Command: [x], FanOutStrategy: SINGLE_INVOCATION, VisibilityTimeoutSeconds: 60, TimeoutSeconds: 60}\n"
        ])
        #expect(dir.errors().first?.contains("not shorter than the visibility timeout") == true)
    }

    @Test func unknownSwiftWorkerIsAWarningNotAnError() throws {
        let dir = try ConfigDir(["a.yaml": minimal + "Mystery: {Enabled: true, TemplatePrefix: M/, InvocationSources: [S3]}\n"])
        let (config, diagnostics) = dir.load()
        #expect(config != nil)
        #expect(diagnostics.map(\.severity) == [.warning])
        #expect(diagnostics.first?.message.contains("no Swift worker named Mystery") == true)
    }

    @Test func emptyFileIsAWarningAndListFileAnError() throws {
        let dir = try ConfigDir(["a.yaml": minimal, "b.yaml": "", "c.yaml": "- not\n- a mapping\n"])
        let (_, diagnostics) = dir.load()
        #expect(diagnostics.map(\.severity) == [.warning, .error])
        #expect(diagnostics[0].message.contains("empty"))
        #expect(diagnostics[1].message.contains("must be a mapping of sections"))
    }

    @Test func brokenYamlAndMissingDirectoryAreDiagnostics() throws {
        let dir = try ConfigDir(["a.yaml": "STARFLEET: [oops\n"])
        #expect(dir.errors().first?.hasPrefix("a.yaml:") == true)
        let (config, diagnostics) = ConfigurationDirectory.load("/nonexistent/starfleetd")
        #expect(config == nil)
        #expect(diagnostics.first?.message.contains("No such file or directory") == true)
    }

    @Test func s3AccountIndexNeedsItsSection() throws {
        let dir = try ConfigDir(["a.yaml": "STARFLEET: {AccountIndex: StarfleetDefaultAccountIndex}\n"])
        #expect(dir.errors().first?.contains("StarfleetDefaultAccountIndex: Missing data for required field.") == true)
        let ok = try ConfigDir([
            "a.yaml":
                "STARFLEET: {AccountIndex: StarfleetDefaultAccountIndex}\nStarfleetDefaultAccountIndex: {IndexBucket: idx-bucket, BucketRegion: us-east-2}\n"
        ])
        #expect(ok.load().0?.accountIndex == .s3(bucket: "idx-bucket", region: "us-east-2", objectPath: "accountIndex.json"))
    }

    @Test func overlappingS3PrefixesWarn() throws {
        let dir = try ConfigDir([
            "a.yaml": minimal
                + "A: {Enabled: true, TemplatePrefix: X/, InvocationSources: [S3], Command: [x], FanOutStrategy: SINGLE_INVOCATION}\nB: {Enabled: true, TemplatePrefix: X/y/, InvocationSources: [S3], Command: [x], FanOutStrategy: SINGLE_INVOCATION}\n"
        ])
        let (_, diagnostics) = dir.load()
        #expect(diagnostics.contains { $0.severity == .warning && $0.message.contains("B gets no S3 events") })
    }

    @Test func backoffPolicyGrowsAndCaps() {
        let p = BackoffPolicy(initialSeconds: 10, maxSeconds: 300, multiplier: 2)
        #expect(p.delay(afterAttempt: 1, unit: 1) == 10)
        #expect(p.delay(afterAttempt: 1, unit: 0) == 5)
        #expect(p.delay(afterAttempt: 3, unit: 1) == 40)
        #expect(p.delay(afterAttempt: 20, unit: 1) == 300)
        #expect(p.delay(afterAttempt: 20, unit: 0) == 150)
    }

    @Test func alertPriorityRule() {
        #expect(AlertPriority.success.sends(.problem))
        #expect(AlertPriority.success.sends(.success))
        #expect(!AlertPriority.success.sends(.informational))
        #expect(!AlertPriority.none.sends(.problem))
        #expect(!AlertPriority.informational.sends(.none))
    }
}
