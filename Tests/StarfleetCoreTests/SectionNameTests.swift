import StarfleetCore
import StarfleetYAML
import Testing

/// Issue 13: misspelt section names are not ignored in silence; a process worker must say its fan-out strategy.
@Suite struct SectionNameTests {
    @Test func misspeltTopLevelSectionWarnsWithTheClosestName() throws {
        let dir = try ConfigDir([
            "a.yaml": """
            STARFLEET:
              AccountIndex: LocalAccountIndex
            LocalAcountIndex:
              Path: index.json
            Audit: {Enabled: true, Command: [x], FanOutStrategy: ACCOUNT, TemplatePrefix: Audit/, InvocationSources: [S3]}
            Audti:
              Concurrency: 2
            AccountIndexGeneratorShp:
              Parallelism: 2
            Whatever:
              Key: 1

            """
        ])
        let (configuration, diagnostics) = dir.load(known: ["AccountIndexGeneratorShip"])
        #expect(configuration != nil)
        let warnings = diagnostics.filter { $0.severity == .warning }.map {
            $0.description.replacingOccurrences(of: dir.path + "/", with: "")
        }
        #expect(
            warnings.contains {
                $0.hasPrefix("a.yaml:3:1: warning: LocalAcountIndex: unknown section")
                    && $0.contains("did you mean LocalAccountIndex?")
            }, "\(warnings)")
        #expect(
            warnings.contains { $0.hasPrefix("a.yaml:6:1: warning: Audti:") && $0.contains("did you mean Audit?") }, "\(warnings)"
        )
        #expect(
            warnings.contains {
                $0.hasPrefix("a.yaml:8:1: warning: AccountIndexGeneratorShp:")
                    && $0.contains("did you mean AccountIndexGeneratorShip?")
            })
        #expect(warnings.contains { $0.hasPrefix("a.yaml:10:1: warning: Whatever: unknown section") })
        #expect(!warnings.contains { $0.contains("STARFLEET:") || $0.contains(" Audit:") })
    }

    @Test func processWorkerWithoutFanOutStrategyIsAnErrorWithItsPlace() throws {
        let dir = try ConfigDir([
            "a.yaml":
                "STARFLEET: {}\nAudit:\n  Enabled: true\n  Command: [x]\n  TemplatePrefix: Audit/\n  InvocationSources: [S3]\n"
        ])
        #expect(
            dir.errors().contains { $0.hasPrefix("a.yaml:2:1: error: Audit.FanOutStrategy: Missing data for required field.") },
            "\(dir.errors())")
        #expect(dir.load().0 == nil)
    }

    @Test func swiftWorkerMayOmitFanOutStrategy() throws {
        // Its strategy is declared in code, as a Starfleet ship's is in its class (Starfleet's own configs omit it).
        let dir = try ConfigDir([
            "a.yaml": "STARFLEET: {}\nNoOpShip: {Enabled: true, TemplatePrefix: N/, InvocationSources: [S3]}\n"
        ])
        #expect(dir.errors(known: ["NoOpShip"]).isEmpty)
    }
}
