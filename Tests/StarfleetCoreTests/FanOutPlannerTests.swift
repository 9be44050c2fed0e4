import Foundation
import StarfleetCore
import Testing

/// Starfleet's Starbase vectors (reference/starfleet.md §9.2) and the exact payload bodies.
@Suite struct FanOutPlannerTests {
    let index: AccountIndex
    init() throws { index = try Fixtures.starfleetIndex() }

    func plan(_ yaml: String, _ strategy: FanOutStrategy, scope: Set<String> = []) throws -> FanOutPlan {
        let t = try #require(Fixtures.template(yaml, strategy))
        return try FanOutPlanner.plan(worker: "W", strategy: strategy, template: t, index: index, scopeToRegions: scope)
    }

    func object(_ payload: WorkerPayload) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(payload.body)) as? [String: Any])
    }

    @Test func accountFanOutSendsEighteen() throws {
        let p = try plan(
            "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: True}\nExcludeAccounts: {ByNames: [Account 1]}\n",
            .account)
        #expect(p.payloads.count == 18)
        let accounts = p.payloads.compactMap(\.account)
        #expect(Set(accounts).count == 18)
        #expect(!accounts.contains(Fixtures.id(1)) && !accounts.contains(Fixtures.id(20)))
        #expect(accounts == accounts.sorted())
        let body = try object(try #require(p.payloads.first))
        #expect(body["StarbaseAssignedAccount"] as? String == Fixtures.id(2))
        #expect(body["StarbaseAssignedRegion"] == nil)
        #expect(body["TemplateName"] as? String == "t")
        #expect((body["IncludeAccounts"] as? [String: Any])?["AllAccounts"] as? Bool == true)
    }

    @Test func accountRegionFanOutSendsSixteen() throws {
        let yaml = """
            TemplateName: t
            TemplateDescription: d
            IncludeAccounts: {ByNames: [Account 1, Account 2, Account 3, Account 4, Account 5]}
            ExcludeAccounts: {ByNames: [Account 1]}
            IncludeRegions: [us-west-1, us-east-1, us-east-2, eu-west-1, ca-central-1]
            ExcludeRegions: [us-west-1]
            """
        let p = try plan(yaml, .accountRegion)
        #expect(p.payloads.count == 16)
        #expect(Set(p.payloads.compactMap(\.account)) == Fixtures.ids([2, 3, 4, 5]))
        #expect(Set(p.payloads.compactMap(\.region)) == ["us-east-1", "us-east-2", "eu-west-1", "ca-central-1"])
        #expect(p.payloads.map(\.target) == p.payloads.map(\.target).sorted())
        let body = try object(p.payloads[0])
        #expect(body["StarbaseAssignedAccount"] as? String == Fixtures.id(2))
        #expect(body["StarbaseAssignedRegion"] as? String == "ca-central-1")
        // The raw template is sent, as Starfleet does: regions as written, not expanded.
        #expect((body["IncludeRegions"] as? [String])?.first == "us-west-1")
    }

    @Test func singleInvocationSendsTheRawTemplate() throws {
        let p = try plan(
            "TemplateName: TestWorkerTemplate\nTemplateDescription: This is a template used for testing the Starbase\nExtra: [1, yes]\n",
            .singleInvocation)
        #expect(p.payloads.count == 1)
        #expect(
            p.payloads[0].bodyText
                == #"{"TemplateName":"TestWorkerTemplate","TemplateDescription":"This is a template used for testing the Starbase","Extra":[1,true]}"#
        )
    }

    @Test func starbaseKeysInTheTemplateAreOverwritten() throws {
        let p = try plan(
            "TemplateName: t\nTemplateDescription: d\nStarbaseAssignedAccount: '999999999999'\nIncludeAccounts: {ByIds: ['000000000003']}\n",
            .account)
        #expect(
            p.payloads.map(\.bodyText) == [
                #"{"TemplateName":"t","TemplateDescription":"d","IncludeAccounts":{"ByIds":["000000000003"]},"StarbaseAssignedAccount":"000000000003"}"#
            ])
    }

    @Test func nothingToTask() throws {
        let a = try plan(
            "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {ByNames: [fake_account], ByIds: [fake_account]}\n",
            .account)
        #expect(a.payloads.isEmpty)
        #expect(a.nothingToTask?.contains("has no accounts to task") == true)
        let r = try plan(
            "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\nIncludeRegions: [us-east-1]\nExcludeRegions: [us-east-1]\n",
            .accountRegion)
        #expect(r.payloads.isEmpty)
        #expect(r.nothingToTask?.contains("has no accounts/regions to task") == true)
    }

    @Test func accountsWithoutTheRegionEnabledGetNoPayload() throws {
        let p = try plan(
            "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {ByNames: [Account 1]}\nIncludeRegions: [mx-central-1, us-east-1]\n",
            .accountRegion)
        #expect(p.payloads.map(\.target) == ["\(Fixtures.id(1))/us-east-1"])
    }

    @Test func scopeToRegionsLimits() throws {
        let p = try plan(
            "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {ByNames: [Account 1]}\nIncludeRegions: [ALL]\n",
            .accountRegion, scope: ["eu-west-1"])
        #expect(p.payloads.map(\.target) == ["\(Fixtures.id(1))/eu-west-1"])
    }

    @Test func accountStrategyWithoutAnIndexIsAnError() throws {
        let t = try #require(
            Fixtures.template("TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n", .account))
        #expect(throws: FanOutError.self) { try FanOutPlanner.plan(worker: "W", strategy: .account, template: t, index: nil) }
    }

    @Test func planIsDeterministic() throws {
        let yaml =
            "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\nIncludeRegions: [ALL]\nOperateInOrgRoot: true\n"
        let a = try plan(yaml, .accountRegion)
        let b = try plan(yaml, .accountRegion)
        #expect(a.payloads == b.payloads)
        #expect(a.payloads.count == 20 * 29)
    }
}
