import StarfleetCore
import StarfleetYAML
import Testing

/// Plain scalars resolve as PyYAML's safe_load does, so templates mean what they meant in Starfleet.
@Suite struct ScalarResolutionTests {
    static let table: [(String, Node.Value)] = [
        ("yes", .bool(true)), ("No", .bool(false)), ("ON", .bool(true)), ("off", .bool(false)),
        ("True", .bool(true)), ("FALSE", .bool(false)), ("y", .string("y")),
        ("~", .null), ("null", .null), ("Null", .null), ("", .null),
        ("42", .int(42)), ("-17", .int(-17)), ("+5", .int(5)), ("1_000", .int(1000)), ("0", .int(0)),
        ("0x1F", .int(31)), ("0b101", .int(5)), ("017", .int(15)), ("08", .string("08")),
        ("000000000001", .int(1)), ("123456789012", .int(123_456_789_012)), ("1:20", .int(80)),
        ("3.5", .double(3.5)), ("-.5", .double(-0.5)), ("1.", .double(1.0)), ("1.0e+3", .double(1000)),
        ("1e5", .string("1e5")), ("1.0e5", .string("1.0e5")), (".inf", .double(.infinity)), ("-.Inf", .double(-.infinity)),
        ("2024-03-27", .string("2024-03-27")), ("us-east-1", .string("us-east-1")), ("ALL", .string("ALL")),
        ("99999999999999999999", .string("99999999999999999999")),
    ]

    @Test(arguments: table)
    func plainScalar(text: String, expected: Node.Value) throws {
        let node = try #require(try YAMLParser.parse("v: \(text)\n", file: "t.yaml"))
        #expect(node["v"]?.value == expected)
    }

    @Test func quotedScalarsStayStrings() throws {
        let node = try #require(try YAMLParser.parse("a: \"123\"\nb: 'yes'\nc: !!str 5\n", file: "t.yaml"))
        #expect(node["a"]?.value == .string("123"))
        #expect(node["b"]?.value == .string("yes"))
        #expect(node["c"]?.value == .string("5"))
    }

    @Test func nanResolvesToNaN() throws {
        let node = try #require(try YAMLParser.parse("v: .nan\n", file: "t.yaml"))
        guard case .double(let d) = node["v"]?.value else {
            Issue.record("not a double")
            return
        }
        #expect(d.isNaN)
    }
}
