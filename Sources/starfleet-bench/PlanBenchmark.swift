import FoundationEssentials
import StarfleetCore
import StarfleetYAML

/// Fan-out planning for a 1,000-account organization × `IncludeRegions: [ALL]` (17 regions enabled per account):
/// 17,000 payloads. Target: the planner well under 100 ms in a release build.
enum PlanBenchmark {
    static func run(accounts count: Int = 1000, rounds: Int = 15) throws {
        let accounts = (0..<count).map { i in
            let id = String(1_000_000_000_000 + i).dropFirst()
            return Account(
                id: String(id), name: "account-\(i)", arn: "arn:aws:organizations::000000000000:account/o-bench/\(id)",
                parents: [
                    .init(id: "ou-bnch-\(i % 10)", name: "OU\(i % 10)", type: "ORGANIZATIONAL_UNIT"),
                    .init(id: "r-bnch", name: "ROOT", type: "ROOT"),
                ],
                regions: AWSRegions.enabledByDefault, tags: ["Environment": i % 2 == 0 ? "Production" : "Development"])
        }
        let index = AccountIndex(accounts: accounts)
        let yaml = """
            TemplateName: Everything
            TemplateDescription: Every account, every region.
            IncludeAccounts: {AllAccounts: true}
            IncludeRegions: [ALL]
            Checks: [s3-public-access, iam-root-keys, cloudtrail-enabled]
            """
        let (template, diagnostics) = TemplateReader.read(Array(yaml.utf8), file: "bench.yaml", strategy: .accountRegion)
        guard let template else { throw BenchError("template invalid: \(diagnostics)") }

        var times: [Double] = []
        var payloads = 0
        var bytes = 0
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            let plan = try FanOutPlanner.plan(worker: "Bench", strategy: .accountRegion, template: template, index: index)
            times.append(Stopwatch.seconds(since: start))
            payloads = plan.payloads.count
            bytes = plan.payloads.reduce(0) { $0 + $1.body.count }
        }
        let median = Stopwatch.median(times)
        Report.row("plan: \(count) accounts × ALL regions", "\(payloads) payloads, \(bytes / 1024) KiB of bodies")
        Report.row(
            "plan: median of \(rounds)", Report.ms(median) + "  (target ≤ 100 ms: \(Report.ratio(median, 0.100)) of budget)")
        Report.row("plan: per payload", Report.fixed(median / Double(max(payloads, 1)) * 1e6, 2) + " µs")
    }
}
