import Foundation
import StarfleetCore
import Testing

/// The keys of workers that run outside the daemon: Runtime and its handler, code directory, environment, credentials.
@Suite struct WorkerRuntimeConfigurationTests {
    let head = "STARFLEET: {}\n"
    let base = "  Enabled: true\n  TemplatePrefix: W/\n  InvocationSources: [S3]\n  FanOutStrategy: SINGLE_INVOCATION\n"

    @Test func pythonWorkerGetsBedrockDefaultsAndKeepsItsOwnKeys() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "SystemFetcher:\n" + base + """
                  Runtime: python
                  Handler: main.handler
                  OrgAccountId: "123456789012"
                  Environment: {LEVEL: debug, RETRIES: 3, DRY: true}
                  PassEnvironment: [AWS_PROFILE, HTTPS_PROXY]
                  Credentials: [github-app-key]
                  MaxInvocationsPerProcess: 500
                  MemorySize: 256
                """
        ])
        let (config, diagnostics) = dir.load()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let w = try #require(config?.worker(named: "SystemFetcher"))
        #expect(w.runtime == .python && w.runsOutOfProcess && !w.isProcessWorker)
        #expect(w.process.handler == "main.handler")
        #expect(w.process.codeDirectory == "\(dir.path)/workers/system_fetcher")
        #expect(w.process.eventShape == .payload)
        #expect(w.process.environment == ["LEVEL": "debug", "RETRIES": "3", "DRY": "true"])
        #expect(w.process.passEnvironment == ["AWS_PROFILE", "HTTPS_PROXY"])
        #expect(w.process.credentials == ["github-app-key"])
        #expect(w.process.maxInvocationsPerProcess == 500 && w.process.memorySize == 256)
        #expect(w.section["OrgAccountId"]?.string == "123456789012")
    }

    @Test func starfleetHandlersGetTheSQSEventByDefault() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "AwsConfig:\n" + base.replacingOccurrences(of: "  FanOutStrategy: SINGLE_INVOCATION\n", with: "")
                + """
                  Runtime: python
                  Handler: starfleet.worker_ships.plugins.aws_config.ship.lambda_handler
                  Python: venv/bin/python3
                """
        ])
        let w = try #require(dir.load().0?.worker(named: "AwsConfig"))
        #expect(w.process.eventShape == .sqs)
        #expect(w.process.python == "\(dir.path)/venv/bin/python3")
        // Starfleet's configuration has no FanOutStrategy: the ship's class declares it, and so does our table.
        #expect(w.strategy == .accountRegion)
    }

    @Test func aWorkerOutsideTheDaemonMustSayHowItFansOut() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "W:\n  Enabled: true\n  TemplatePrefix: W/\n  InvocationSources: [S3]\n"
                + "  Runtime: nodejs\n  Handler: main.handler\n"
                + "X:\n" + base + "  Runtime: python\n  Handler: starfleet.worker_ships.plugins.iam.role_ship.lambda_handler\n"
        ])
        let errors = dir.errors()
        #expect(
            errors.contains { $0.hasPrefix("a.yaml:2:1: error: W.FanOutStrategy: Missing data for required field.") }, "\(errors)"
        )
        #expect(
            errors.contains { $0.contains("X.FanOutStrategy: SINGLE_INVOCATION differs from the ship's own strategy, ACCOUNT") },
            "\(errors)")
    }

    @Test func everyRelativePathInCommandIsResolved() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "P:\n" + base + """
                  Command: [python3, scripts/run.py, --out=a/b, -c, ./x/y, /abs/z, "https://h/p", name]
                """
        ])
        let w = try #require(dir.load().0?.worker(named: "P"))
        #expect(w.runtime == .process)
        #expect(
            w.command == [
                "python3", "\(dir.path)/scripts/run.py", "--out=a/b", "-c", "\(dir.path)/x/y", "/abs/z", "https://h/p", "name",
            ])
    }

    @Test func runtimeMistakesAreErrorsWithTheirPlace() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "A:\n" + base + "  Runtime: pyton\n" + "B:\n" + base + "  Runtime: python\n"
                + "C:\n" + base + "  Runtime: provided\n" + "D:\n" + base + "  Runtime: nodejs\n  Handler: main\n"
                + "E:\n" + base + "  Runtime: python\n  Handler: m.f\n  Environment: {STARFLEET_WORKER: x, 1BAD: y}\n"
        ])
        let errors = dir.errors()
        #expect(errors.contains { $0.hasPrefix("a.yaml:7:12: error: A.Runtime: \"pyton\" is not a runtime") }, "\(errors)")
        #expect(errors.contains { $0.contains("B.Handler: Runtime: python needs a Handler") }, "\(errors)")
        #expect(errors.contains { $0.contains("C.Command: Runtime: provided runs a Command, and there is none") }, "\(errors)")
        #expect(errors.contains { $0.contains("D.Handler: \"main\" is not module.function") }, "\(errors)")
        #expect(errors.contains { $0.contains("STARFLEET_WORKER is set by the daemon") }, "\(errors)")
        #expect(errors.contains { $0.contains("\"1BAD\" is not an environment variable name") }, "\(errors)")
    }

    @Test func invokeAddressMustBeLoopback() throws {
        let good = try ConfigDir(["a.yaml": "STARFLEET:\n  InvokeAddress: 127.0.0.1:9001\n"])
        #expect(good.load().0?.starfleet.invokeAddress?.port == 9001)
        let bad = try ConfigDir(["a.yaml": "STARFLEET:\n  InvokeAddress: 0.0.0.0:9001\n"])
        #expect(
            bad.errors().contains { $0.contains("STARFLEET.InvokeAddress") && $0.contains("not a loopback address") },
            "\(bad.errors())")
    }

    @Test func snakeCaseFollowsBedrocksFolders() {
        #expect(WorkerProcessSettings.snakeCase("SystemFetcher") == "system_fetcher")
        #expect(WorkerProcessSettings.snakeCase("AccountIndexGeneratorShip") == "account_index_generator_ship")
        #expect(WorkerProcessSettings.snakeCase("s3-sweep") == "s3_sweep")
    }
}
