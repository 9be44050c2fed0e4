import Foundation
import StarfleetAWS
import StarfleetCore
import Testing

@testable import StarfleetWorkers

/// The index is written byte for byte as Starfleet writes it (`json.dumps(indent=4, sort_keys=True)`).
@Suite struct AccountIndexFormatTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures/generatedIndex.json")

    /// Starfleet's 20-account fixture, read back into report entries and written again, is the same bytes.
    @Test func starfleetsFixtureIsReproducedExactly() throws {
        let bytes = try Data(contentsOf: Self.fixture)
        let document = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        let accounts = try #require(document["accounts"] as? [String: [String: Any]])
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var entries: [IndexedAccount] = []
        for (_, fields) in accounts {
            let joined = try #require(fields["JoinedTimestamp"] as? String)
            let whole = try #require(formatter.date(from: String(joined.prefix(19))))
            let micros = Double(joined.dropFirst(20)) ?? 0
            let account = OrganizationAccount(
                Id: try #require(fields["Id"] as? String), Arn: try #require(fields["Arn"] as? String),
                Email: fields["Email"] as? String, Name: fields["Name"] as? String, Status: fields["Status"] as? String,
                JoinedMethod: fields["JoinedMethod"] as? String,
                JoinedTimestamp: whole.timeIntervalSince1970 + micros / 1_000_000)
            let parents = try #require(fields["Parents"] as? [[String: String]]).map {
                Account.Parent(id: $0["Id"] ?? "", name: $0["Name"] ?? "", type: $0["Type"] ?? "")
            }
            entries.append(
                IndexedAccount(
                    account: account, parents: parents, regions: try #require(fields["Regions"] as? [String]),
                    tags: try #require(fields["Tags"] as? [String: String])))
        }
        let stamp = try #require(document["generated"] as? String)
        let generated = try #require(ISO8601DateFormatter().date(from: stamp))
        let report = AccountIndexReport(accounts: entries, inactive: [], failures: [], rootID: "r-123456", generated: generated)
        let text = report.indexDocument.text()
        #expect(text == String(decoding: bytes, as: UTF8.self))
    }

    @Test func stringsAreEscapedAsPythonsEnsureASCII() {
        let value = PythonStyleJSON.object([
            "z": .string("é \"q\" \\ \n\t\u{8}\u{c}\u{1}\u{7f} 🚀 /"), "a": .array([]), "m": .object([:]), "b": .bool(true),
            "n": .null, "i": .integer(-3), "ä": .array([.integer(1), .object(["k": .string("v")])]),
        ])
        let expected = """
            {
                "a": [],
                "b": true,
                "i": -3,
                "m": {},
                "n": null,
                "z": "\\u00e9 \\"q\\" \\\\ \\n\\t\\b\\f\\u0001\\u007f \\ud83d\\ude80 /",
                "\\u00e4": [
                    1,
                    {
                        "k": "v"
                    }
                ]
            }
            """
        #expect(value.text() == expected)
    }
}
