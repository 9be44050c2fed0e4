import Foundation
import StarfleetCore
import Testing

/// The SQS trigger's keys with Lambda's names and bounds: read on a Lambda-runtime worker with EventShape sqs, an
/// error (with file:line:col) anywhere else, and a bad filter pattern refused where it is written.
@Suite struct SQSTriggerConfigurationTests {
    let head = "STARFLEET: {}\n"
    let base = """
          Enabled: true
          TemplatePrefix: W/
          InvocationSources: [S3]
          FanOutStrategy: SINGLE_INVOCATION
          Runtime: python
          Handler: main.handler
          EventShape: sqs

        """

    @Test func readsEveryKey() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "W:\n" + base + """
                  Concurrency: 8
                  BatchSize: 100
                  MaximumBatchingWindowInSeconds: 5
                  FunctionResponseTypes: [ReportBatchItemFailures]
                  ScalingConfig: {MaximumConcurrency: 3}
                  FilterCriteria:
                    Filters:
                      - Pattern: '{"body": {"kind": ["a"]}}'
                      - Pattern: '{"messageAttributes": {"P": {"stringValue": ["x"]}}}'
                """
        ])
        let (config, diagnostics) = dir.load()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let w = try #require(config?.worker(named: "W"))
        #expect(w.takesSQSBatches)
        #expect(w.sqsTrigger.batchSize == 100 && w.sqsTrigger.maximumBatchingWindowSeconds == 5)
        #expect(w.sqsTrigger.reportsBatchItemFailures)
        #expect(w.sqsTrigger.maximumConcurrency == 3 && w.sqsTrigger.batchesAtOnce(concurrency: w.concurrency) == 3)
        #expect(w.sqsTrigger.filters.count == 2)
        // The default timeout leaves the batching window room inside the visibility timeout.
        #expect(w.timeoutSeconds + 5 < w.visibilityTimeoutSeconds)
    }

    @Test func defaultsAreLambdasAndConcurrencyBoundsTheBatches() throws {
        let dir = try ConfigDir(["a.yaml": head + "W:\n" + base + "  Concurrency: 2\n  ScalingConfig: {MaximumConcurrency: 10}\n"]
        )
        let w = try #require(dir.load().0?.worker(named: "W"))
        #expect(w.sqsTrigger.batchSize == 1 && w.sqsTrigger.maximumBatchingWindowSeconds == 0)
        #expect(!w.sqsTrigger.reportsBatchItemFailures && w.sqsTrigger.filters.isEmpty)
        #expect(w.sqsTrigger.batchesAtOnce(concurrency: w.concurrency) == 2)
    }

    @Test func outOfRangeValuesAndABigBatchWithoutAWindowAreErrors() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "W:\n" + base + """
                  BatchSize: 11
                  ScalingConfig: {MaximumConcurrency: 1}
                  FunctionResponseTypes: [ReportItemFailures]
                X:
                """ + "\n" + base + "  BatchSize: 10001\n  MaximumBatchingWindowInSeconds: 301\n"
        ])
        let errors = dir.errors()
        #expect(
            errors.contains { $0.hasPrefix("a.yaml:10:14: error: W.BatchSize: a BatchSize over 10 needs a batching window") },
            "\(errors)")
        #expect(errors.contains { $0.hasPrefix("a.yaml:11:39: error: W.ScalingConfig.MaximumConcurrency:") }, "\(errors)")
        #expect(
            errors.contains { $0.contains("W.FunctionResponseTypes: \"ReportItemFailures\" is not a function response type") })
        #expect(errors.contains { $0.contains("X.BatchSize:") })
        #expect(errors.contains { $0.contains("X.MaximumBatchingWindowInSeconds:") })
    }

    @Test func theKeysBelongToSQSShapedLambdaWorkersOnly() throws {
        let payloadShaped = base.replacingOccurrences(of: "EventShape: sqs", with: "EventShape: payload")
        let dir = try ConfigDir([
            "a.yaml": head + "W:\n" + payloadShaped + "  BatchSize: 5\n  FilterCriteria: {Filters: []}\n"
                + "P:\n  Enabled: true\n  TemplatePrefix: P/\n  InvocationSources: [S3]\n  FanOutStrategy: SINGLE_INVOCATION\n"
                + "  Command: [./run.sh]\n  BatchSize: 1\n"
        ])
        let errors = dir.errors()
        #expect(
            errors.contains {
                $0.hasPrefix("a.yaml:10:14: error: W.BatchSize: BatchSize is a key of Lambda's SQS trigger")
            }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("a.yaml:11:19: error: W.FilterCriteria: FilterCriteria is a key") }, "\(errors)")
        // BatchSize 1 is every worker's default: saying it is harmless.
        #expect(!errors.contains { $0.contains("P.BatchSize") }, "\(errors)")
    }

    @Test func anInvalidFilterPatternIsAnErrorWhereItIsWritten() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "W:\n" + base + """
                  FilterCriteria:
                    Filters:
                      - Pattern: '{"body": {"k": [{"prefix": 1}]}}'
                """
        ])
        let errors = dir.errors()
        #expect(
            errors.contains {
                $0.hasPrefix(
                    "a.yaml:12:18: error: W.FilterCriteria.Filters[0].Pattern: invalid filter pattern: body.k[0].prefix takes text"
                )
            }, "\(errors)")
    }

    @Test func anExplicitTimeoutMustLeaveRoomForTheWindow() throws {
        let dir = try ConfigDir([
            "a.yaml": head + "W:\n" + base + "  VisibilityTimeoutSeconds: 60\n  TimeoutSeconds: 50\n"
                + "  BatchSize: 20\n  MaximumBatchingWindowInSeconds: 10\n"
        ])
        #expect(dir.errors().contains { $0.contains("W.TimeoutSeconds: 50 s plus the 10 s batching window") }, "\(dir.errors())")
    }
}
