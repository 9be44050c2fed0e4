/// Something that yields credentials on demand: a fixed set, one source of the chain, or the cached chain.
package protocol AWSCredentialsProvider: Sendable {
    /// Current credentials; throws ``CredentialsError`` when none can be had.
    func credentials() async throws -> AWSCredentials
}

/// Always the same credentials (tests, or keys handed over by the caller).
package struct StaticCredentialsProvider: AWSCredentialsProvider {
    let value: AWSCredentials
    package init(_ credentials: AWSCredentials) { value = credentials }
    package func credentials() async throws -> AWSCredentials { value }
}

/// No credentials could be found or loaded; the sentence names every source tried.
package struct CredentialsError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do.
    package var description: String
    package init(_ description: String) { self.description = description }
}
