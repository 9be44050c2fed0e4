import Testing

@testable import StarfleetCore

/// Issue 22, item 3 (first part): every FunctionName form Lambda accepts reaches the worker, percent-encoded as boto3
/// sends it or not; other versions are not found; malformed names are refused.
@Suite struct FunctionReferenceTests {
    @Test(
        arguments: [
            ("Audit", nil, "Audit", nil),
            ("Audit:$LATEST", nil, "Audit", "$LATEST"),
            ("Audit", "$LATEST", "Audit", "$LATEST"),
            ("arn:aws:lambda:us-east-1:123456789012:function:Audit", nil, "Audit", nil),
            ("arn%3Aaws%3Alambda%3Aeu-west-2%3A123456789012%3Afunction%3AAudit", nil, "Audit", nil),
            ("arn:aws:lambda:us-gov-west-1:123456789012:function:Audit:$LATEST", "$LATEST", "Audit", "$LATEST"),
            ("arn:aws-cn:lambda:cn-north-1:123456789012:function:Audit", nil, "Audit", nil),
            ("123456789012:function:Audit", nil, "Audit", nil),
            ("123456789012%3Afunction%3AAudit%3A%24LATEST", nil, "Audit", "$LATEST"),
        ] as [(String, String?, String, String?)])
    func everyFormNamesTheWorker(segment: String, parameter: String?, name: String, qualifier: String?) throws {
        #expect(try FunctionReference.parse(segment, qualifier: parameter) == FunctionReference(name: name, qualifier: qualifier))
    }

    @Test func anotherVersionOrAliasIsNotFound() {
        #expect(throws: FunctionReference.Problem.unknownQualifier("prod")) {
            try FunctionReference.parse("Audit:prod", qualifier: nil)
        }
        #expect(throws: FunctionReference.Problem.unknownQualifier("3")) { try FunctionReference.parse("Audit", qualifier: "3") }
        #expect(throws: FunctionReference.Problem.unknownQualifier("1")) {
            try FunctionReference.parse("arn:aws:lambda:us-east-1:123456789012:function:Audit:1", qualifier: nil)
        }
    }

    @Test func aQualifierInTheNameAndAnotherInTheParameterConflict() {
        #expect(throws: FunctionReference.Problem.conflictingQualifiers("$LATEST", "prod")) {
            try FunctionReference.parse("Audit:$LATEST", qualifier: "prod")
        }
    }

    @Test(arguments: [
        "", "bad name!", "../etc", "Audit:", "a:b:c", "arn:aws:lambda:us-east-1:123:function:Audit",
        "arn:aws:s3:us-east-1:123456789012:function:Audit", "arn:aws:lambda:useast1:123456789012:function:Audit",
        "12345678901x:function:Audit", "arn:aws:lambda:us-east-1:123456789012:layer:Audit", "%2E%2E%2Fetc",
        String(repeating: "a", count: 81),
    ])
    func malformedNamesAreRefused(segment: String) {
        #expect(throws: FunctionReference.Problem.self) { try FunctionReference.parse(segment, qualifier: nil) }
    }
}
