import FoundationEssentials
import StarfleetCore

/// systemd credentials (`LoadCredential=`, `SetCredentialEncrypted=`, …): files in `$CREDENTIALS_DIRECTORY`, one per
/// name, readable only by the service. Errors name the credential and the directory, never the content.
struct SystemdCredentials: Sendable {
    /// `$CREDENTIALS_DIRECTORY`, or nil when the service was given none.
    let directory: String?

    init(environment: [String: String]) {
        directory = environment[EnvironmentName.credentialsDirectory].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The credential's content without surrounding whitespace (a trailing newline is usual in such files).
    func read(_ name: String) throws(CredentialError) -> String {
        guard let directory else {
            throw CredentialError(
                "credential \(name) is configured but $CREDENTIALS_DIRECTORY is not set; give the service "
                    + "LoadCredential=\(name):/path/to/file (or SetCredentialEncrypted=\(name):…), or export "
                    + "CREDENTIALS_DIRECTORY when running outside systemd")
        }
        let path = directory + "/" + name
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else {
            throw CredentialError("cannot read credential \(name) (\(path)); check the unit's LoadCredential=\(name):… line")
        }
        let text = String(decoding: data, as: UTF8.self)
        let value = String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
        guard !value.isEmpty else { throw CredentialError("credential \(name) (\(path)) is empty") }
        return value
    }
}

/// A credential that cannot be used; the text never contains the secret.
struct CredentialError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
