import FoundationEssentials

/// A Swift worker with a Decodable payload (Starfleet's payload schema class): the JSON is decoded before
/// `execute(payload:context:)` runs, and a payload that does not decode fails the attempt with the decoder's reason.
///
/// ```swift
/// struct Greeter: TypedWorkerShip {
///     struct Payload: Decodable { var TemplateName: String; var StarbaseAssignedAccount: String? }
///     let name = "Greeter"
///     let fanOutStrategy = FanOutStrategy.account
///     func execute(payload: Payload, context: WorkerContext) async throws -> [UInt8] {
///         context.logger.info("hello \(payload.StarbaseAssignedAccount ?? "-")")
///         return []
///     }
/// }
/// ```
public protocol TypedWorkerShip: WorkerShip {
    associatedtype Payload: Decodable & Sendable
    func execute(payload: Payload, context: WorkerContext) async throws -> [UInt8]
}

extension TypedWorkerShip {
    public func execute(_ invocation: WorkerInvocation, context: WorkerContext) async throws -> [UInt8] {
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: Data(invocation.body))
        } catch {
            throw WorkerFailure("the payload does not decode as \(Payload.self): \(error)")
        }
        return try await execute(payload: payload, context: context)
    }
}
