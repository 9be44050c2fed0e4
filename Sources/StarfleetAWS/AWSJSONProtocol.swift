internal import FoundationEssentials

/// The AWS JSON 1.1 protocol (Organizations): a POST of a JSON object with `X-Amz-Target: <prefix>.<Action>`,
/// answered with a JSON object.
struct AWSJSONProtocol: Sendable {
    let caller: SignedServiceCaller
    /// The target prefix, e.g. `AWSOrganizationsV20161128`.
    let targetPrefix: String

    /// Calls `action` with `input` and decodes the answer as `Output`; throws ``HTTPError`` for a failed call or
    /// an answer that does not decode.
    func call<Input: Encodable, Output: Decodable>(_ action: String, _ input: Input, as output: Output.Type) async throws
        -> Output
    {
        let body = Array(try JSONEncoder().encode(input))
        let (response, url) = try await caller.post(
            headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "\(targetPrefix).\(action)")],
            body: body)
        guard response.isSuccess else { throw response.error(method: "POST", url: url) }
        do {
            return try JSONDecoder().decode(Output.self, from: Data(response.body))
        } catch {
            throw SignedServiceCaller.unreadable(response, url: url, expected: "\(action) answer (\(error))")
        }
    }
}
