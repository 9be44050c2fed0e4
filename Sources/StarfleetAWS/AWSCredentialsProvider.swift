/// Something that yields credentials on demand: a fixed set, one source of the chain, or the cached chain.
public protocol AWSCredentialsProvider: Sendable {
    /// Current credentials; throws ``CredentialsError`` when none can be had.
    func credentials() async throws -> AWSCredentials
}

/// Always the same credentials (tests, or keys handed over by the caller).
public struct StaticCredentialsProvider: AWSCredentialsProvider {
    let value: AWSCredentials
    public init(_ credentials: AWSCredentials) { value = credentials }
    public func credentials() async throws -> AWSCredentials { value }
}

/// No credentials could be found or loaded; the sentence names every source tried.
public struct CredentialsError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do.
    public var description: String
    public init(_ description: String) { self.description = description }
}
