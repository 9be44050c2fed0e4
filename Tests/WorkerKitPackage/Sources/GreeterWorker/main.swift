import Foundation
import Logging
import StarfleetWorkerKit

/// A worker as an author writes one: a Decodable payload, a strategy, and what to do with each payload.
struct Greeter: TypedWorkerShip {
    struct Payload: Decodable, Sendable {
        var TemplateName: String
        var StarbaseAssignedAccount: String?
    }

    let name = "Greeter"
    let fanOutStrategy = FanOutStrategy.account

    func execute(payload: Payload, context: WorkerContext) async throws -> [UInt8] {
        let greeting = "hello \(payload.StarbaseAssignedAccount ?? "-") from \(payload.TemplateName)"
        context.logger.info("\(greeting)")
        let forwarded = try await context.invoke("Echo", payload: Array(greeting.utf8))
        return Array("{\"greeting\": \"\(String(decoding: forwarded, as: UTF8.self))\", \"commit\": \(context.commit)}".utf8)
    }
}

/// Stands in for the daemon: `invoke` echoes the payload back.
struct EchoInvoker: WorkerInvoker {
    func invoke(worker: String, payload: [UInt8], account: String?, region: String?, commit: Bool) async throws -> [UInt8] {
        payload
    }
    func enqueue(worker: String, payload: [UInt8], account: String?, region: String?) async throws -> String { "id-1" }
}

let invocation = WorkerInvocation(
    worker: "Greeter", body: Array(#"{"TemplateName": "Audit", "StarbaseAssignedAccount": "111122223333"}"#.utf8),
    account: "111122223333", region: nil, commit: false, messageId: "m-1", receiveCount: 1)
let context = WorkerContext(
    worker: "Greeter", account: "111122223333", region: nil, commit: false, messageId: "m-1", receiveCount: 1,
    logger: Logger(label: "greeter"), invoker: EchoInvoker())
let result = try await Greeter().execute(invocation, context: context)
print(String(decoding: result, as: UTF8.self))
do {
    let bad = WorkerInvocation(
        worker: "Greeter", body: Array("{}".utf8), account: nil, region: nil, commit: false,
        messageId: "m-2", receiveCount: 1)
    _ = try await Greeter().execute(bad, context: context)
} catch let failure as WorkerFailure {
    print("rejected: \(failure.message.prefix(40))")
}
