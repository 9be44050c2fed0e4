import Logging
import StarfleetTestSupport
import Testing

@testable import StarfleetLambda

/// A warm process's output lines carry the invocation they belong to.
@Suite struct WarmProcessOutputTests {
    @Test func aLineStillInThePipeWhenTheAnswerArrivesBelongsToThatInvocation() {
        let logs = CapturedLogs()
        let output = WarmProcessOutput(logger: logs.logger)
        var job = logs.logger
        job[metadataKey: "message_id"] = "m-1"
        output.begin(job)
        output.append(.stdout, Array("first\n".utf8))
        // The runtime client answered over HTTP; the handler's last line is read from the pipe only now.
        output.append(.stdout, Array("late\n".utf8))
        #expect(logs.text.contains("late") && logs.text.split(separator: "\n").allSatisfy { $0.contains("m-1") })
        var next = logs.logger
        next[metadataKey: "message_id"] = "m-2"
        output.begin(next)
        output.append(.stdout, Array("second\n".utf8))
        #expect(logs.text.split(separator: "\n").last?.contains("m-2") == true)
    }
}
