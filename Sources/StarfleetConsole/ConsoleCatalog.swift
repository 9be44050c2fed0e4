import FoundationEssentials
import Glibc
import StarfleetCore
import StarfleetCrypto
package import StarfleetDaemon
import StarfleetWorkers
import StarfleetYAML

/// The templates and the account index as the console shows them, read the way the Starbase reads them (the same
/// template store and account index cache), and what a template would fan out to (`starfleetctl plan`).
package struct ConsoleCatalog: Sendable {
    struct TemplateRow: Sendable {
        var worker: String
        var key: String
        var sha256: String?
        /// The file's modification time (a template directory only; S3 keys have none here): what "changed" shows
        /// while the daemon has acknowledged no change of the template.
        var fileChanged: Date?
        /// The last change the daemon acknowledged (durably queued for the Starbase).
        var acknowledged: TemplateActivity.Change?
        /// This worker's last fan-out of the template.
        var lastFanOut: TemplateActivity.FanOut?
        var problems: [String]

        /// How the content now differs from what the daemon last acknowledged and fanned out (nothing when it does
        /// not know, as before the first change or fan-out it recorded).
        var flags: [String] {
            guard let sha256 else { return [] }
            var flags: [String] = []
            if let acknowledged, acknowledged.sha256 != sha256 { flags.append("not yet picked up") }
            if let fanned = lastFanOut?.sha256, fanned != sha256 { flags.append("changed since the last fan-out") }
            return flags
        }
    }

    struct PlanView: Sendable {
        var worker: String
        var key: String
        var strategy: String
        var count: Int
        /// The first payloads' account, account name and region.
        var sample: [(account: String, name: String, region: String)]
        var notes: [String]
        var problems: [String]
    }

    let running: RunningConfiguration
    let aws: AWSResources
    let paths: StatePaths
    let activity: TemplateActivity

    package init(running: RunningConfiguration, aws: AWSResources, paths: StatePaths, activity: TemplateActivity) {
        self.running = running
        self.aws = aws
        self.paths = paths
        self.activity = activity
    }

    static let sampleSize = 20

    /// Every worker's templates with their hash, last change and validation problems.
    func templates() async -> (rows: [TemplateRow], errors: [String]) {
        let configuration = running.current.configuration
        let store = aws.templateStore(for: configuration)
        var rows: [TemplateRow] = []
        var errors: [String] = []
        for worker in configuration.workers where !worker.templatePrefix.isEmpty {
            let keys: [String]
            do { keys = try await store.templates(prefix: worker.templatePrefix) } catch {
                errors.append("\(worker.name): cannot list \(worker.templatePrefix): \(error)")
                continue
            }
            for key in keys {
                var row = TemplateRow(worker: worker.name, key: key, problems: [])
                row.acknowledged = activity.entry(key)?.change
                row.lastFanOut = activity.lastFanOut(key: key, worker: worker.name)
                do {
                    let bytes = try await store.read(key: key)
                    row.sha256 = Digest.sha256Hex(bytes)
                    row.problems = Self.validate(bytes, key: key, worker: worker).problems
                } catch {
                    row.problems = ["cannot read: \(error)"]
                }
                if configuration.starfleet.templateBucket == nil {
                    var info = stat()
                    if stat(configuration.starfleet.templateDirectory + "/" + key, &info) == 0 {
                        row.fileChanged = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec))
                    }
                }
                rows.append(row)
            }
        }
        return (rows, errors)
    }

    /// A worker's templates (from the template directory or the bucket, as the Starbase reads them) with the last
    /// fan-out each had by this worker; or why they cannot be listed.
    func templateLines(of name: String) async -> (lines: [ConsolePages.TemplateLine], error: String?) {
        let configuration = running.current.configuration
        guard let worker = configuration.worker(named: name), !worker.templatePrefix.isEmpty else { return ([], nil) }
        do {
            let keys = try await aws.templateStore(for: configuration).templates(prefix: worker.templatePrefix)
            return (keys.map { .init(key: $0, lastFanOut: activity.lastFanOut(key: $0, worker: name)) }, nil)
        } catch {
            return ([], "cannot list the templates under \(worker.templatePrefix): \(error)")
        }
    }

    static func validate(_ bytes: [UInt8], key: String, worker: WorkerConfiguration) -> (
        template: PayloadTemplate?, problems: [String]
    ) {
        let (parsed, diagnostics) = TemplateReader.read(bytes, file: key, strategy: WorkerRegistry.strategy(of: worker))
        let extra = parsed.map { WorkerRegistry.validate(template: $0.raw, of: worker) } ?? []
        let all = diagnostics + extra
        return (all.containsErrors ? nil : parsed, all.map(\.description))
    }

    func accountIndex() async -> Result<AccountIndex, AccountIndexError> {
        let configuration = running.current.configuration
        do {
            return .success(try await aws.accountIndex(for: configuration, stateDirectory: paths.root).current())
        } catch {
            return .failure(error)
        }
    }

    /// What the Starbase would send for `key` of `worker` now: the count and the first `sampleSize` payloads.
    func plan(worker name: String, key: String) async -> PlanView? {
        let configuration = running.current.configuration
        guard let worker = configuration.worker(named: name), worker.matches(templateKey: key) else { return nil }
        let strategy = WorkerRegistry.strategy(of: worker)
        var view = PlanView(worker: name, key: key, strategy: "\(strategy)", count: 0, sample: [], notes: [], problems: [])
        let bytes: [UInt8]
        do { bytes = try await aws.templateStore(for: configuration).read(key: key) } catch {
            view.problems = ["cannot read: \(error)"]
            return view
        }
        let (template, problems) = Self.validate(bytes, key: key, worker: worker)
        view.problems = problems
        guard let template else { return view }
        var index: AccountIndex? = nil
        if strategy != .singleInvocation {
            switch await accountIndex() {
            case .success(let i): index = i
            case .failure(let error):
                view.problems.append(error.description)
                return view
            }
        }
        do {
            let plan = try FanOutPlanner.plan(
                worker: name, strategy: strategy, template: template, index: index,
                scopeToRegions: Set(configuration.starfleet.scopeToRegions))
            view.count = plan.payloads.count
            view.sample = plan.payloads.prefix(Self.sampleSize).map { p in
                (p.account ?? "—", p.account.flatMap { index?.account(id: $0)?.name } ?? "", p.region ?? "—")
            }
            if let nothing = plan.nothingToTask { view.notes.append(nothing) }
            view.notes += plan.accountsWithoutRegions.map { "\($0) has none of the requested regions enabled" }
        } catch {
            view.problems.append(error.message)
        }
        return view
    }
}
