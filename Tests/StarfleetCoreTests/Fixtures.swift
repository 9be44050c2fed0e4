import Foundation
import StarfleetCore
import StarfleetYAML
import Testing

/// Test data: Starfleet's own fixtures (copied unchanged into Fixtures/starfleet) and small builders.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(relativePath))
    }

    /// Starfleet's 20-account index: accounts 01…20, 20 is the org root, every account in SomeOU but 20.
    static func starfleetIndex() throws -> AccountIndex {
        try AccountIndex(json: try data("starfleet/generatedIndex.json"), source: "generatedIndex.json")
    }

    static func id(_ n: Int) -> String { String(format: "%012d", n) }
    static func ids(_ ns: [Int]) -> Set<String> { Set(ns.map(id)) }

    /// Validates YAML text as a template for `strategy`; records an issue and returns nil when it is invalid.
    static func template(_ yaml: String, _ strategy: FanOutStrategy, sourceLocation: SourceLocation = #_sourceLocation)
        -> PayloadTemplate?
    {
        let (template, diagnostics) = TemplateReader.read(Array(yaml.utf8), file: "t.yaml", strategy: strategy)
        if template == nil { Issue.record("invalid template: \(diagnostics)", sourceLocation: sourceLocation) }
        return template
    }

    /// The diagnostics of a template that must be invalid.
    static func problems(_ yaml: String, _ strategy: FanOutStrategy) -> [Diagnostic] {
        TemplateReader.read(Array(yaml.utf8), file: "t.yaml", strategy: strategy).1
    }
}
