package import StarfleetCore
package import StarfleetWorkerKit

/// A Swift worker ship whose run is the test's closure.
package struct ScriptedShip: WorkerShip {
    package let name: String
    package let fanOutStrategy: FanOutStrategy
    private let body: @Sendable (WorkerInvocation, WorkerContext) async throws -> [UInt8]

    package init(
        name: String = "Worker", fanOutStrategy: FanOutStrategy = .singleInvocation,
        _ body: @escaping @Sendable (WorkerInvocation, WorkerContext) async throws -> [UInt8] = { _, _ in [] }
    ) {
        self.name = name
        self.fanOutStrategy = fanOutStrategy
        self.body = body
    }

    package func execute(_ invocation: WorkerInvocation, context: WorkerContext) async throws -> [UInt8] {
        try await body(invocation, context)
    }
}

/// A Swift worker ship whose runs never return until they are cancelled (a hung worker): each run is counted when it
/// starts and when its cancellation ends it.
package final class HangingShip: WorkerShip {
    package struct Runs: Sendable, CustomStringConvertible {
        package var started: [String] = []
        package var cancelled: [String] = []
        package var description: String { "started \(started), cancelled \(cancelled)" }
    }

    package let name: String
    package let fanOutStrategy: FanOutStrategy = .singleInvocation
    package let runs = Watched(Runs())

    package init(name: String = "Worker") { self.name = name }

    package func execute(_ invocation: WorkerInvocation, context: WorkerContext) async throws -> [UInt8] {
        let body = String(decoding: invocation.body, as: UTF8.self)
        runs.update { $0.started.append(body) }
        // Never returns on its own: suspended until the task is cancelled.
        try? await runs.wait(for: "never", timeout: .seconds(86_400)) { _ in false }
        runs.update { $0.cancelled.append(body) }
        throw CancellationError()
    }
}

/// An invoker for workers that must not call other workers in the test.
package struct NoInvoker: WorkerInvoker {
    package init() {}

    package func invoke(worker: String, payload: [UInt8], account: String?, region: String?, commit: Bool) async throws -> [UInt8]
    {
        throw WorkerFailure("no invoker in this test")
    }

    package func enqueue(worker: String, payload: [UInt8], account: String?, region: String?) async throws -> String {
        throw WorkerFailure("no invoker in this test")
    }
}
