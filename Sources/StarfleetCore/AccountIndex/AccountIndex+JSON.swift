package import FoundationEssentials

/// Why an account index could not be read.
package struct AccountIndexError: Error, Sendable, Hashable, CustomStringConvertible {
    package var source: String
    package var message: String

    package init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    package var description: String { "\(source): error: \(message)" }
}

extension AccountIndex {
    private struct File: Decodable {
        var accounts: [String: Account]
        var generated: String?
    }

    /// Reads Starfleet's index JSON: `{"accounts": {"<id>": {Id, Name, Arn, Parents, Regions, Tags, …}}, "generated": …}`.
    /// - Parameter source: where the bytes came from (a path or an s3:// URL), for error messages.
    package init(json: Data, source: String) throws(AccountIndexError) {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: json)
        } catch let DecodingError.keyNotFound(key, context) where context.codingPath.isEmpty {
            throw AccountIndexError(
                source: source,
                message:
                    "the index has no \"\(key.stringValue)\" object (expected Starfleet's account index JSON: {\"accounts\": {…}, \"generated\": …})"
            )
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
            throw AccountIndexError(source: source, message: "not valid JSON: \(detail)")
        } catch let DecodingError.typeMismatch(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw AccountIndexError(source: source, message: "\(path): \(context.debugDescription)")
        } catch {
            throw AccountIndexError(source: source, message: "cannot read the account index: \(error)")
        }
        // The map key is the account id; an entry without "Id" takes it from there.
        let accounts = file.accounts.map { key, account -> Account in
            var a = account
            if a.id.isEmpty { a.id = key }
            return a
        }
        self.init(accounts: accounts, generated: file.generated)
    }
}
