package import HTTPTypes

extension HTTPField.Name {
    /// A header name written in the source (a token by construction); a misspelt one fails at the first request's use
    /// of it in tests, never on input.
    package static func fixed(_ text: String) -> HTTPField.Name {
        guard let name = HTTPField.Name(text) else { preconditionFailure("\(text) is not an HTTP header name") }
        return name
    }
}
