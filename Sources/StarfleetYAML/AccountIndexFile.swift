import FoundationEssentials
package import StarfleetCore

/// Reads Starfleet's account index JSON from a local file.
package enum AccountIndexFile {
    /// An index of 100,000 accounts is far below this; larger files are refused before reading.
    package static let maxBytes = 256 * 1_048_576

    package static func load(_ path: String) throws(AccountIndexError) -> AccountIndex {
        let bytes: [UInt8]
        do throws(FileReader.Failure) {
            bytes = try FileReader.read(path, limit: maxBytes)
        } catch {
            throw AccountIndexError(source: path, message: "cannot read the account index: \(error.message)")
        }
        return try AccountIndex(json: Data(bytes), source: path)
    }
}
