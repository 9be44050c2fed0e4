import Foundation
import StarfleetCore
import Testing

/// Issue 22 §2: Lambda's event invoke config as worker keys — the values, Lambda's ranges and defaults, and every
/// destination form checked at load with file:line:col.
@Suite struct AsyncInvocationConfigurationTests {
    let head = "STARFLEET: {}\n"
    let base =
        "  Enabled: true\n  TemplatePrefix: W/\n  InvocationSources: [S3]\n  Command: [/bin/true]\n  FanOutStrategy: SINGLE_INVOCATION\n"

    @Test func withoutTheKeysAnEventGetsLambdasDefaults() throws {
        let dir = try ConfigDir(["a.yaml": head + "W:\n" + base])
        let w = try #require(dir.load().0?.worker(named: "W"))
        #expect(w.asyncInvocation.maximumRetryAttempts == 2 && w.asyncInvocation.maximumAttempts == 3)
        #expect(w.asyncInvocation.maximumEventAgeSeconds == 21_600)
        #expect(w.asyncInvocation.onSuccess == nil && w.asyncInvocation.onFailure == nil)
    }

    @Test func everyDestinationFormIsRead() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "W:\n" + base + """
                  MaximumRetryAttempts: 1
                  MaximumEventAgeInSeconds: 60
                  DestinationConfig:
                    OnSuccess: {Destination: "arn:aws:lambda:eu-west-1:123456789012:function:Sink:$LATEST"}
                    OnFailure: {Destination: "arn:aws:s3:::failed-events"}
                X:
                """ + "\n" + base + """
                      DestinationConfig:
                        OnSuccess: {Destination: "https://sqs.us-east-1.amazonaws.com/123456789012/records"}
                        OnFailure: {Destination: "arn:aws:sqs:us-east-1:123456789012:failures"}
                    Sink:
                    """ + "\n" + base + """
                      DestinationConfig:
                        OnFailure: {Destination: W}
                    """
        ])
        let (config, diagnostics) = dir.load()
        #expect(!diagnostics.contains { $0.severity == .error }, "\(diagnostics)")
        let w = try #require(config?.worker(named: "W")).asyncInvocation
        #expect(w.maximumRetryAttempts == 1 && w.maximumEventAgeSeconds == 60)
        #expect(w.onSuccess?.target == .worker("Sink"))
        #expect(w.onFailure?.target == .s3(bucket: "failed-events"))
        let x = try #require(config?.worker(named: "X")).asyncInvocation
        #expect(x.onSuccess?.target == .sqs(url: "https://sqs.us-east-1.amazonaws.com/123456789012/records"))
        #expect(x.onFailure?.target == .sqs(url: "https://sqs.us-east-1.amazonaws.com/123456789012/failures"))
        #expect(try #require(config?.worker(named: "Sink")).asyncInvocation.onFailure?.target == .worker("W"))
    }

    @Test func badValuesAreRefusedWhereTheyAreWritten() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "W:\n" + base + """
                  MaximumRetryAttempts: 3
                  MaximumEventAgeInSeconds: 59
                  DestinationConfig:
                    OnSuccess: {Destination: "arn:aws:s3:::records"}
                    OnTimeout: {Destination: W}
                X:
                """ + "\n" + base + """
                      DestinationConfig:
                        OnSuccess: {Destination: "https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo"}
                        OnFailure: {Destination: "https://example.com/queue"}
                    Y:
                    """ + "\n" + base + """
                      DestinationConfig:
                        OnFailure: {Destination: Nobody}
                    """
        ])
        let errors = dir.errors()
        #expect(errors.contains { $0.hasPrefix("a.yaml:8:25: error: W.MaximumRetryAttempts:") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("a.yaml:9:29: error: W.MaximumEventAgeInSeconds:") }, "\(errors)")
        #expect(
            errors.contains {
                $0.hasPrefix("a.yaml:11:30: error: W.DestinationConfig.OnSuccess.Destination: an S3 bucket is an on-failure")
            }, "\(errors)")
        #expect(
            errors.contains {
                $0.hasPrefix("a.yaml:29:30: error: Y.DestinationConfig.OnFailure.Destination: no worker named Nobody")
            }, "\(errors)")
        #expect(errors.contains { $0.contains("OnTimeout") }, "\(errors)")
        #expect(errors.contains { $0.contains("X.DestinationConfig.OnSuccess.Destination") && $0.contains("FIFO") }, "\(errors)")
        #expect(
            errors.contains { $0.contains("X.DestinationConfig.OnFailure.Destination: \"https://example.com/queue\" is not") },
            "\(errors)")
    }

    @Test func aMaxReceiveCountBelowTheAttemptsIsAWarning() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "W:\n" + base + "  MaxReceiveCount: 2\n  DestinationConfig: {OnFailure: {Destination: W}}\n"
        ])
        let (config, diagnostics) = dir.load()
        #expect(config?.worker(named: "W") != nil)
        #expect(
            diagnostics.contains {
                $0.severity == .warning && $0.path == "W.MaxReceiveCount" && $0.mark.line == 8
                    && $0.message.contains("below the 3 attempts")
            }, "\(diagnostics)")
    }

    @Test func onAnSQSTriggeredWorkerTheKeysAreAWarningNotASilentNoOp() throws {
        let sqs =
            "  Enabled: true\n  TemplatePrefix: W/\n  InvocationSources: [S3]\n  Runtime: python\n  Handler: main.handler\n"
            + "  EventShape: sqs\n  FanOutStrategy: SINGLE_INVOCATION\n  MaximumRetryAttempts: 0\n"
        let (config, diagnostics) = try ConfigDir(["a.yaml": head + "W:\n" + sqs]).load()
        #expect(config != nil)
        let warning = try #require(diagnostics.first { $0.path == "W.MaximumRetryAttempts" })
        #expect(warning.severity == .warning && warning.message.contains("EventShape: sqs"))
    }
}
