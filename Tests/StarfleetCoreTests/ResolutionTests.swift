import StarfleetCore
import Testing

/// Starfleet's resolution vectors R1–R14 (reference/starfleet.md §9.1).
@Suite struct ResolutionTests {
    let index: AccountIndex
    init() throws { index = try Fixtures.starfleetIndex() }

    func accounts(_ yaml: String) -> Set<String> {
        Fixtures.template("TemplateName: t\nTemplateDescription: d\n" + yaml, .account)?.resolveAccounts(in: index) ?? []
    }

    func include(_ yaml: String) -> Set<String> {
        guard let t = Fixtures.template("TemplateName: t\nTemplateDescription: d\n" + yaml, .account),
            let spec = t.includeAccounts
        else { return [] }
        return spec.resolve(in: index)
    }

    @Test func r1IdsAndNamesUnion() {
        #expect(
            include("IncludeAccounts: {ByIds: ['000000000018', '000000000017'], ByNames: [Account 1, Account 2, Account 18]}")
                == Fixtures.ids([1, 2, 17, 18]))
    }

    @Test func r2AnyTagSelectsAll() {
        #expect(include("IncludeAccounts: {ByTags: [{Name: Key1, Value: Value1}, {Name: Key2, Value: Value2}]}").count == 20)
        #expect(include("IncludeAccounts: {ByTags: [{Name: key3, Value: VALUE3}]}").count == 20)
    }

    @Test func r3RootSelectsAll() {
        #expect(include("IncludeAccounts: {ByOrgUnits: [ROOT, SomeOU, r-123456, ou-1234-5678910]}").count == 20)
        #expect(include("IncludeAccounts: {ByOrgUnits: [ROOT]}").count == 20)
        #expect(include("IncludeAccounts: {ByOrgUnits: [r-123456]}").count == 20)
    }

    @Test func r4AllAccounts() {
        #expect(include("IncludeAccounts: {AllAccounts: True}") == index.allAccountIDs)
    }

    @Test func r5OrgUnitIncludesNested() {
        #expect(include("IncludeAccounts: {ByOrgUnits: [SomeOU]}").count == 19)
        #expect(include("IncludeAccounts: {ByOrgUnits: [ou-1234-5678910]}").count == 19)
    }

    @Test func r6ExclusionWins() {
        #expect(
            accounts(
                "IncludeAccounts: {ByIds: ['000000000018', '000000000017'], ByNames: [Account 1, Account 2, Account 18]}\nExcludeAccounts: {ByNames: [Account 1, Account 18]}"
            ) == Fixtures.ids([2, 17]))
    }

    @Test func r7ExcludeOrgUnitLeavesTheRoot() {
        // resolve_include_exclude keeps 20; the org-root check then removes it without OperateInOrgRoot.
        let yaml = "IncludeAccounts: {AllAccounts: True}\nExcludeAccounts: {ByOrgUnits: [SomeOU]}\n"
        #expect(accounts(yaml + "OperateInOrgRoot: True") == Fixtures.ids([20]))
        #expect(accounts(yaml).isEmpty)
    }

    @Test func r8OrgRootOnlyWithTheFlag() {
        let yaml =
            "IncludeAccounts: {ByIds: ['000000000018', '000000000017'], ByNames: [Account 1, Account 2, Account 18, Account 20]}\nExcludeAccounts: {ByNames: [Account 1, Account 18]}\n"
        #expect(accounts(yaml + "OperateInOrgRoot: True") == Fixtures.ids([2, 17, 20]))
        #expect(accounts(yaml + "OperateInOrgRoot: False") == Fixtures.ids([2, 17]))
    }

    @Test func r9AllAccountsDropsTheRootByDefault() {
        #expect(accounts("IncludeAccounts: {AllAccounts: True}").count == 19)
        #expect(accounts("IncludeAccounts: {AllAccounts: True}\nOperateInOrgRoot: True").count == 20)
    }

    func regions(_ yaml: String, index: AccountIndex? = nil, scope: Set<String> = [], orgRootCheck: Bool = true) -> [String: Set<
        String
    >] {
        guard let t = Fixtures.template("TemplateName: t\nTemplateDescription: d\n" + yaml, .accountRegion) else { return [:] }
        return t.resolveAccountRegions(in: index ?? self.index, scopeToRegions: scope, orgRootCheck: orgRootCheck).mapValues(
            Set.init)
    }

    /// ALL here: the commercial regions that the fixture's accounts have enabled (its cn-* and us-gov-* are other partitions).
    var allEnabled: Set<String> { Set(AWSRegions.all).intersection(index.account(id: Fixtures.id(1))?.regions ?? []) }

    @Test func r10RegionNotEnabledInAnAccountIsDropped() throws {
        var accounts = index.accounts
        for i in accounts.indices where [Fixtures.id(1), Fixtures.id(2)].contains(accounts[i].id) {
            accounts[i].regions.removeAll { $0 == "ap-east-1" }
        }
        let trimmed = AccountIndex(accounts: accounts)
        let map = regions(
            "IncludeAccounts: {ByNames: [Account 1, Account 2, Account 3, Account 4]}\nIncludeRegions: [ALL]", index: trimmed)
        #expect(map[Fixtures.id(1)] == allEnabled.subtracting(["ap-east-1"]))
        #expect(map[Fixtures.id(2)] == allEnabled.subtracting(["ap-east-1"]))
        #expect(map[Fixtures.id(3)] == allEnabled)
        #expect(map[Fixtures.id(4)] == allEnabled)
        #expect(allEnabled.count == 29)
    }

    @Test func r11OrgRootWithFlag() {
        let map = regions(
            "IncludeAccounts: {ByNames: [Account 1, Account 2, Account 18, Account 20]}\nExcludeAccounts: {ByNames: [Account 1]}\nIncludeRegions: [ALL]\nOperateInOrgRoot: True"
        )
        #expect(Set(map.keys) == Fixtures.ids([2, 18, 20]))
        #expect(map.values.allSatisfy { $0 == allEnabled })
    }

    @Test func r12NoOrgRootCheck() {
        let map = regions(
            "IncludeAccounts: {ByNames: [Account 1, Account 2, Account 18, Account 20]}\nExcludeAccounts: {ByNames: [Account 1]}\nIncludeRegions: [ALL]",
            orgRootCheck: false)
        #expect(Set(map.keys) == Fixtures.ids([2, 18, 20]))
    }

    @Test func r13ExcludedRegion() {
        let map = regions(
            "IncludeAccounts: {ByNames: [Account 1, Account 2]}\nIncludeRegions: [us-east-1, us-east-2, us-west-1]\nExcludeRegions: [us-west-1]"
        )
        #expect(map == [Fixtures.id(1): ["us-east-1", "us-east-2"], Fixtures.id(2): ["us-east-1", "us-east-2"]])
    }

    @Test func r14ScopeToRegions() {
        let map = regions(
            "IncludeAccounts: {ByNames: [Account 1, Account 2]}\nIncludeRegions: [ALL]", scope: ["us-east-2", "eu-west-1"])
        #expect(map == [Fixtures.id(1): ["us-east-2", "eu-west-1"], Fixtures.id(2): ["us-east-2", "eu-west-1"]])
    }
}
