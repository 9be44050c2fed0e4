import Foundation
import StarfleetCore
import Testing

/// Starfleet's default-index vectors (reference/starfleet.md §9.1) on its own 20-account fixture.
@Suite struct AccountIndexTests {
    let index: AccountIndex
    init() throws { index = try Fixtures.starfleetIndex() }

    @Test func loadsTwentyAccountsAndTheOrgRoot() {
        #expect(index.accounts.count == 20)
        #expect(index.orgRoots == [Fixtures.id(20)])
        #expect(index.generated == "2024-03-27T18:38:27Z")
    }

    @Test func idsIgnoreUnknownOnes() {
        #expect(index.accounts(ids: [Fixtures.id(19), Fixtures.id(20), "000000000023"]) == Fixtures.ids([19, 20]))
    }

    @Test func namesAreCaseInsensitive() {
        #expect(index.accounts(names: ["Account 1", "Account 2", "AcCoUNt 3", "not an account"]) == Fixtures.ids([1, 2, 3]))
    }

    @Test func tagsAreCaseInsensitiveInNameAndValue() {
        #expect(index.accounts(tag: "kEy1", value: "VaLuE1").count == 20)
        #expect(index.accounts(tag: "fake", value: "tag").isEmpty)
    }

    @Test func orgUnitsByIdOrNameAreTransitive() {
        #expect(index.accounts(orgUnit: "sOMeOu").count == 19)
        #expect(index.accounts(orgUnit: "oU-1234-5678910") == index.accounts(orgUnit: "SomeOU"))
        #expect(index.accounts(orgUnit: "r-123456").count == 20)
        #expect(index.accounts(orgUnit: "root").count == 20)
        #expect(index.accounts(orgUnit: "SomeNestedOU") == Fixtures.ids([10, 11]))
        #expect(index.accounts(orgUnit: "ou-1234-5678912") == Fixtures.ids([10]))
    }

    @Test func regionsMapEveryRequestedRegion() {
        let map = index.accounts(regions: ["us-east-1", "us-east-2", "fake-region"])
        #expect(map.count == 3)
        #expect(map["fake-region"] == [])
        #expect(map["us-east-1"]?.count == 20)
    }

    @Test func namesOfUnknownIdsAreNil() {
        let names = index.names(of: [Fixtures.id(1), "not-an-account"])
        #expect(names[Fixtures.id(1)] == "Account 1")
        #expect(names["not-an-account"] == .some(nil))
    }

    /// Starfleet kept only the last OU of a name; a name must select the union of all OUs that carry it.
    @Test func duplicateOrgUnitNamesSelectTheUnion() {
        let arn = "arn:aws:organizations::000000000009:account/o-x/"
        let index = AccountIndex(accounts: [
            Account(
                id: "000000000001", name: "a", arn: arn + "1",
                parents: [.init(id: "ou-aaaa-11111111", name: "Prod", type: "ORGANIZATIONAL_UNIT")]),
            Account(
                id: "000000000002", name: "b", arn: arn + "2",
                parents: [.init(id: "ou-bbbb-22222222", name: "prod", type: "ORGANIZATIONAL_UNIT")]),
            Account(
                id: "000000000003", name: "c", arn: arn + "3",
                parents: [.init(id: "ou-cccc-33333333", name: "Dev", type: "ORGANIZATIONAL_UNIT")]),
        ])
        #expect(index.accounts(orgUnit: "PROD") == ["000000000001", "000000000002"])
        #expect(index.accounts(orgUnit: "ou-bbbb-22222222") == ["000000000002"])
    }

    @Test(arguments: [
        ("a", "not valid JSON"),
        ("{}", "no \"accounts\""),
        ("{\"accounts\": []}", "accounts"),
        ("", "not valid JSON"),
    ])
    func badIndexFilesGiveAClearError(json: String, expected: String) {
        do {
            _ = try AccountIndex(json: Data(json.utf8), source: "idx.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("idx.json: error: "))
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func accountWithoutIdTakesItFromItsKey() throws {
        let json =
            #"{"accounts": {"111122223333": {"Name": "solo", "Arn": "arn:aws:organizations::111122223333:account/o-1/111122223333"}}}"#
        let index = try AccountIndex(json: Data(json.utf8), source: "x")
        #expect(index.account(id: "111122223333")?.name == "solo")
        #expect(index.orgRoots == ["111122223333"])
    }
}
