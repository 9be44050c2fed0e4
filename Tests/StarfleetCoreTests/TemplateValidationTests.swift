import StarfleetCore
import StarfleetYAML
import Testing

/// Starfleet's schema vectors (reference/starfleet.md §9.3) and the bad inputs a daemon must survive.
@Suite struct TemplateValidationTests {
    let head = "TemplateName: t\nTemplateDescription: d\n"

    func messages(_ yaml: String, _ strategy: FanOutStrategy = .account) -> [String] {
        Fixtures.problems(yaml, strategy).filter { $0.severity == .error }.map { "\($0.path): \($0.message)" }
    }

    @Test func baseTemplateKeepsUnknownKeys() throws {
        let t = try #require(
            Fixtures.template("TemplateName: n\nTemplateDescription: d\nSomeField: SomeValue\n", .singleInvocation))
        #expect(t.name == "n")
        #expect(t.raw["SomeField"]?.string == "SomeValue")
    }

    @Test func missingNameAndDescriptionAreBothReported() {
        let m = messages("not: conformant with schema\n", .singleInvocation)
        #expect(m.contains("TemplateName: Missing data for required field."))
        #expect(m.contains("TemplateDescription: Missing data for required field."))
    }

    @Test func tagSchema() {
        #expect(
            messages(head + "IncludeAccounts: {ByTags: [{lol: 'no', Value: 'No'}]}").sorted() == [
                "IncludeAccounts.ByTags[0].Name: Missing data for required field.",
                "IncludeAccounts.ByTags[0].lol: Unknown field.",
            ])
        #expect(
            messages(head + "IncludeAccounts: {ByTags: [{Name: '', Value: ''}]}") == [
                "IncludeAccounts.ByTags[0].Name: Length must be between 1 and 128."
            ])
        let long = messages(
            head
                + "IncludeAccounts: {ByTags: [{Name: '\(String(repeating: "a", count: 129))', Value: '\(String(repeating: "b", count: 257))'}]}"
        )
        #expect(long.count == 2)
    }

    @Test func accountSpecLengthsAreCheckedPerItem() {
        let names = messages(head + "IncludeAccounts: {ByNames: ['Account One', '', '\(String(repeating: "bad", count: 100))']}")
        #expect(
            names == [
                "IncludeAccounts.ByNames[1]: Length must be between 1 and 128.",
                "IncludeAccounts.ByNames[2]: Length must be between 1 and 128.",
            ])
        let ids = messages(head + "IncludeAccounts: {ByIds: ['', '000000000001', '\(String(repeating: "0", count: 13))']}")
        #expect(
            ids == [
                "IncludeAccounts.ByIds[0]: Length must be between 1 and 12.",
                "IncludeAccounts.ByIds[2]: Length must be between 1 and 12.",
            ])
        let ous = messages(
            head
                + "IncludeAccounts: {ByOrgUnits: [ProperOU, '', 'ou-\(String(repeating: "a", count: 68))', '\(String(repeating: "a", count: 200))']}"
        )
        #expect(
            ous == [
                "IncludeAccounts.ByOrgUnits[1]: Length must be greater than 0.",
                "IncludeAccounts.ByOrgUnits[2]: Length must be less than 68 for OU IDs.",
                "IncludeAccounts.ByOrgUnits[3]: Length must be less than 128 for OU Names.",
            ])
    }

    @Test func allAccountsExcludesOtherSelectors() {
        #expect(
            messages(head + "IncludeAccounts: {AllAccounts: True, ByNames: [WRONG]}") == [
                "IncludeAccounts.ByNames: Can't specify other parameters when `AllAccounts` is set to `True`."
            ])
        #expect(messages(head + "IncludeAccounts: {AllAccounts: True, ByNames: []}").isEmpty)
    }

    @Test func emptyIncludeIsMissingAFieldSet() {
        // Starfleet's schema reports the message once per allowed field (reference/starfleet.md §4.2).
        let message =
            "Missing an account field set. Either set `AllAccounts: True`, or specify an account `ByNames`, `ByIds`, `ByTags`, and/or `ByOrgUnits`."
        let expected = ["AllAccounts", "ByNames", "ByIds", "ByOrgUnits", "ByTags"].map { "IncludeAccounts.\($0): \(message)" }
        #expect(messages(head + "IncludeAccounts: {}") == expected)
        #expect(messages(head + "IncludeAccounts: {AllAccounts: false, ByNames: []}") == expected)
    }

    /// Starfleet's ExcludeAccounts schema has no such rule: `{}` excludes nothing and is valid.
    @Test func emptyExcludeIsValid() {
        #expect(messages(head + "IncludeAccounts: {AllAccounts: True}\nExcludeAccounts: {}").isEmpty)
    }

    @Test func includeAccountsIsRequiredForAccountWorkers() {
        #expect(messages(head) == ["IncludeAccounts: Missing data for required field."])
    }

    @Test func unquotedAccountIdsGetAHint() {
        let d = Fixtures.problems(head + "IncludeAccounts: {ByIds: [000000000001]}", .account)
        #expect(d.first?.message.hasPrefix("Not a valid string") == true)
        #expect(d.first?.hint?.contains("quote") == true)
    }

    @Test func allExpandsToEveryRegion() throws {
        let t = try #require(
            Fixtures.template(head + "IncludeAccounts: {AllAccounts: True}\nIncludeRegions: [ALL]", .accountRegion))
        #expect(t.includeRegions == AWSRegions.all)
        #expect(!t.includeRegions.contains("ALL"))
    }

    @Test func regionRules() {
        let base = head + "IncludeAccounts: {AllAccounts: True}\n"
        #expect(
            messages(base + "IncludeRegions: [us-west-1, ALL, us-east-1]", .accountRegion) == [
                "IncludeRegions: Can't specify any other regions when `ALL` is specified in the list."
            ])
        #expect(messages(base, .accountRegion) == ["IncludeRegions: Missing data for required field."])
        #expect(messages(base + "IncludeRegions: []", .accountRegion) == ["IncludeRegions: Shorter than minimum length 1."])
        let fake = messages(base + "IncludeRegions: [us-fake-1]\nExcludeRegions: [us-faker-2]", .accountRegion)
        #expect(
            fake == [
                "IncludeRegions[0]: Invalid regions are specified: us-fake-1.",
                "ExcludeRegions[0]: Invalid regions are specified: us-faker-2.",
            ])
        #expect(
            messages(base + "IncludeRegions: [us-east-1]\nExcludeRegions: [ALL]", .accountRegion) == [
                "ExcludeRegions[0]: Invalid regions are specified: ALL."
            ])
        #expect(
            messages(base + "IncludeRegions: [us-east-1, us-east-2]\nExcludeRegions: [us-west-1, ca-central-1]", .accountRegion)
                .isEmpty)
    }

    @Test func misspeltRegionGetsASuggestion() {
        let d = Fixtures.problems(head + "IncludeAccounts: {AllAccounts: True}\nIncludeRegions: [us-esat-1]", .accountRegion)
        #expect(d.first?.hint == "did you mean us-east-1?")
    }

    @Test func starfleetSamplePayloadsValidate() throws {
        let sample = String(decoding: try Fixtures.data("starfleet/sample_payload.yaml"), as: UTF8.self)
        #expect(Fixtures.template(sample, .singleInvocation) != nil)
        let account = String(decoding: try Fixtures.data("starfleet/sample_account_payload.yaml"), as: UTF8.self)
        #expect(Fixtures.template(account, .account) != nil)
        let region = String(decoding: try Fixtures.data("starfleet/sample_account_region_payload.yaml"), as: UTF8.self)
        let t = Fixtures.template(region, .accountRegion)
        #expect(t?.excludeRegions == ["us-west-1"])
        let invalid = String(decoding: try Fixtures.data("starfleet/invalid_base.yaml"), as: UTF8.self)
        #expect(
            Set(messages(invalid, .singleInvocation)) == [
                "TemplateName: Missing data for required field.", "TemplateDescription: Missing data for required field.",
            ])
    }

    // MARK: Bad input never traps

    @Test(arguments: [
        ("", "the template is empty"),
        ("# only a comment\n", "the template is empty"),
        ("- a\n- b\n", "found a list"),
        ("just a string", "found the string"),
        ("a: [1, 2\n", "flow sequence"),
        ("TemplateName: [a]\nTemplateDescription: d\n", "Not a valid string"),
        ("TemplateName: a\nTemplateDescription: d\nTemplateName: b\n", "defined twice"),
        ("TemplateName: a\nTemplateDescription: d\nx: .inf\n", "cannot be written as JSON"),
    ])
    func badTemplatesGiveADiagnostic(yaml: String, expected: String) {
        let d = Fixtures.problems(yaml, .singleInvocation)
        #expect(d.containsErrors)
        #expect(d.contains { $0.description.contains(expected) }, "\(d)")
    }

    @Test func binaryTemplateIsRefused() {
        let d = TemplateReaderProbe.read([0x00, 0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0x41, count: 100))
        #expect(d.containsErrors)
    }

    @Test func fiftyMegabyteTemplateIsRefusedBeforeParsing() {
        let big =
            Array("TemplateName: x\nTemplateDescription: y\nBlob: \"".utf8) + [UInt8](repeating: 0x61, count: 50 * 1_048_576) + [
                0x22
            ]
        let d = TemplateReaderProbe.read(big)
        #expect(d.count == 1)
        #expect(d.first?.message == "the template is 50 MiB; the limit is 1 MiB")
    }

    @Test func nestedAccountSpecIsNotAMapping() {
        #expect(messages(head + "IncludeAccounts: [AllAccounts]").first?.contains("expected a mapping, found a list") == true)
    }
}

enum TemplateReaderProbe {
    static func read(_ bytes: [UInt8]) -> [Diagnostic] {
        TemplateReader.read(bytes, file: "x.yaml", strategy: .singleInvocation).1
    }
}
