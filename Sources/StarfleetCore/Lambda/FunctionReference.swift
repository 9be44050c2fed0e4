/// What an Invoke request's FunctionName (and its `Qualifier` parameter) names, in every form Lambda accepts: a name,
/// `name:qualifier`, a full ARN `arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`, or a partial ARN
/// `<account>:function:<name>[:qualifier]`. boto3 sends it percent-encoded in the path (`arn%3Aaws%3Alambda%3A…`), as
/// Bedrock's `invoke(arn, payload)` does. Every worker is `$LATEST`: any other qualifier names nothing here.
package struct FunctionReference: Sendable, Equatable {
    package var name: String
    package var qualifier: String?

    package enum Problem: Error, Equatable {
        /// Not one of Lambda's forms, or the name breaks the worker-name rule: 400 ValidationException.
        case malformed(String)
        /// A version or alias other than `$LATEST`: 404 ResourceNotFoundException, as Lambda answers for one that
        /// does not exist.
        case unknownQualifier(String)
        /// `name:q1` with `Qualifier=q2`: 400 InvalidParameterValueException, as Lambda answers.
        case conflictingQualifiers(String, String)
    }

    /// Parses the path segment (percent-encoded or not) and the `Qualifier` query parameter.
    package static func parse(_ rawSegment: String, qualifier parameter: String?) throws(Problem) -> FunctionReference {
        let text = percentDecoded(rawSegment)
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        // arn:<partition>:lambda:<region>:<account>:function:<name>[:qualifier]
        if parts.first == "arn" {
            guard parts.count == 7 || parts.count == 8, parts[1].hasPrefix("aws"), parts[2] == "lambda",
                isRegion(parts[3]), isAccount(parts[4]), parts[5] == "function"
            else { throw .malformed(text) }
            parts.removeFirst(6)
        } else if parts.count >= 3, parts[1] == "function" {
            // <account>:function:<name>[:qualifier]
            guard isAccount(parts[0]), parts.count <= 4 else { throw .malformed(text) }
            parts.removeFirst(2)
        }
        guard parts.count == 1 || parts.count == 2 else { throw .malformed(text) }
        let name: String
        do { name = try WorkerName(validating: parts[0]).rawValue } catch { throw .malformed(text) }
        let derived = parts.count == 2 ? parts[1] : nil
        if let derived, derived.isEmpty { throw .malformed(text) }
        if let derived, let parameter, !parameter.isEmpty, derived != parameter {
            throw .conflictingQualifiers(derived, parameter)
        }
        let qualifier = derived ?? (parameter?.isEmpty == false ? parameter : nil)
        if let qualifier, qualifier != "$LATEST" { throw .unknownQualifier(qualifier) }
        return FunctionReference(name: name, qualifier: qualifier)
    }

    private static func isAccount(_ text: String) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { (48...57).contains($0) }
    }

    /// `us-east-1`, `us-gov-west-1`, `eu-central-2`: letters and digits separated by dashes, ending in a digit.
    private static func isRegion(_ text: String) -> Bool {
        let pieces = text.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count >= 3, let last = pieces.last, last.allSatisfy(\.isNumber) else { return false }
        return pieces.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
    }

    /// `%XX` sequences as bytes; anything malformed is left as it is (and then fails the name rule).
    package static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "%"), bytes.count >= 2,
                let value = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
            {
                out.append(value)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
