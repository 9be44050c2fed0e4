/// The AWS error code and message in a failed response, from any of the protocols we meet: S3's XML
/// `<Error><Code>`, the query protocol's `<ErrorResponse><Error><Code>` (EC2's `<Response><Errors><Error>`), and the
/// JSON protocols' `__type` /
/// `x-amzn-query-error` (SQS) / `x-amzn-ErrorType`.
struct AWSErrorBody: Sendable, Equatable {
    var code: String
    var message: String?

    static func parse(_ response: HTTPResponse) -> AWSErrorBody? {
        if let queryError = response.header("x-amzn-query-error"),
            let code = queryError.split(separator: ";").first, !code.isEmpty
        {
            return AWSErrorBody(code: String(code), message: jsonMessage(response.text))
        }
        let trimmed = response.text.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        if trimmed.hasPrefix("<"), let root = MiniXML.parse(response.body) {
            let error = root.name == "Error" ? root : root.child("Error") ?? root.child("Errors")?.child("Error")
            if let error, let code = error.text(of: "Code"), !code.isEmpty {
                return AWSErrorBody(code: code, message: error.text(of: "Message"))
            }
        }
        if let type = jsonString("__type", in: response.text) ?? response.header("x-amzn-ErrorType") {
            let afterHash = type.split(separator: "#").last.map(String.init) ?? type
            let code = afterHash.split(separator: ":").first.map(String.init) ?? afterHash
            return AWSErrorBody(code: code, message: jsonMessage(response.text))
        }
        return nil
    }

    private static func jsonMessage(_ text: String) -> String? {
        jsonString("message", in: text) ?? jsonString("Message", in: text)
    }

    /// The string value of `"key": "…"` in a flat JSON object (escapes other than `\"` and `\\` kept).
    static func jsonString(_ key: String, in text: String) -> String? {
        guard let keyRange = text.firstRange(of: "\"\(key)\"") else { return nil }
        var rest = text[keyRange.upperBound...].drop { $0 == " " || $0 == "\n" || $0 == "\t" }
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\n" || $0 == "\t" }
        guard rest.first == "\"" else { return nil }
        var value = ""
        var escaped = false
        for character in rest.dropFirst() {
            if escaped {
                value.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                return value
            } else {
                value.append(character)
            }
        }
        return nil
    }
}
