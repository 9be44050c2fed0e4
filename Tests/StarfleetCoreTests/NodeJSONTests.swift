import Testing

@testable import StarfleetCore

@Suite struct NodeJSONTests {
    let m = SourceMark(file: "t.yaml", line: 1, column: 1)

    @Test func mappingKeepsDocumentOrderAndEscapes() throws {
        let node = Node(
            .mapping([
                .init(key: Node(.string("b"), at: m), value: Node(.string("quote\" back\\ nl\n tab\t \u{1}"), at: m)),
                .init(
                    key: Node(.string("a"), at: m),
                    value: Node(
                        .sequence([Node(.int(1), at: m), Node(.bool(true), at: m), Node(.null, at: m), Node(.double(2.5), at: m)]
                        ), at: m)),
            ]), at: m)
        #expect(try node.jsonString() == #"{"b":"quote\" back\\ nl\n tab\t \u0001","a":[1,true,null,2.5]}"#)
    }

    @Test func infinityIsRejectedWithItsPath() {
        let node = Node(
            .mapping([
                .init(
                    key: Node(.string("x"), at: m),
                    value: Node(.double(.infinity), at: SourceMark(file: "t.yaml", line: 3, column: 4)))
            ]), at: m)
        #expect(throws: Node.JSONError.self) { try node.jsonBytes() }
        do { _ = try node.jsonBytes() } catch {
            #expect(error.path == "x")
            #expect(error.mark.line == 3)
        }
    }

    @Test func diagnosticRendersInCompilerStyle() {
        let d = Diagnostic(
            at: SourceMark(file: "c.yaml", line: 12, column: 3), path: "STARFLEET.LogLevel", "\"LOUD\" is not a log level",
            hint: "expected one of DEBUG, INFO")
        #expect(
            d.description == #"c.yaml:12:3: error: STARFLEET.LogLevel: "LOUD" is not a log level (expected one of DEBUG, INFO)"#)
    }
}
